import type { StoreChange } from '../change-history.js';
import { kubeTimestamp, type ClusterStore } from '../cluster-store.js';
import { isJsonObject, readPath, type StoredObject } from '../kube-object.js';
import { POD } from '../resource-catalogue.js';
import type { EventRecorder } from './event-recorder.js';
import type { ImageBehaviour } from './image-behaviour.js';
import { podStatus, type ContainerSpec, type PodStage } from './pod-status.js';
import { objectKey, splitObjectKey, WorkQueue } from './work-queue.js';

export interface KubeletOptions {
  nodeName: string;
  hostIP: string;
  podReadyDelayMs: number;
  crashLoopIntervalMs: number;
  imageBehaviour: (image: string) => ImageBehaviour;
}

interface PodLife {
  uid: string;
  namespace: string;
  name: string;
  scheduledAt: string;
  podIP: string;
  stage: PodStage;
  timer?: NodeJS.Timeout;
  /** The next step, once its time has come; it runs from the kubelet's queue of due steps. */
  dueStep?: () => void;
}

/**
 * The one node of a simulated cluster: schedules every new pod onto itself, then after `podReadyDelayMs` runs
 * its containers by their image's behaviour: Running and Ready, CrashLoopBackOff with a growing restartCount,
 * ImagePullBackOff, or, for pods that do not restart, Succeeded or Failed.
 */
export class Kubelet {
  private readonly lives = new Map<string, PodLife>();
  private readonly queue: WorkQueue;
  /** Pods (by uid) whose next step is due. */
  private readonly dueSteps: WorkQueue;
  private assignedIps = 0;
  private unsubscribe: () => void = () => undefined;

  constructor(
    private readonly store: ClusterStore,
    private readonly kubeletEvents: EventRecorder,
    private readonly schedulerEvents: EventRecorder,
    private readonly options: KubeletOptions,
    private readonly now: () => number,
    onError: (key: string, error: unknown) => void,
  ) {
    this.queue = new WorkQueue((key) => this.admit(key), onError);
    this.dueSteps = new WorkQueue((uid) => this.takeDueStep(uid), onError);
  }

  start(): void {
    this.unsubscribe = this.store.onChange((change) => this.observe(change));
    for (const pod of this.store.list(POD)) this.queue.add(objectKey(pod.metadata.namespace, pod.metadata.name));
  }

  stop(): void {
    this.unsubscribe();
    this.queue.stop();
    this.dueSteps.stop();
    this.lives.forEach((life) => clearTimeout(life.timer));
    this.lives.clear();
  }

  private observe(change: StoreChange): void {
    if (change.resource !== POD) return;
    const { uid, namespace, name } = change.object.metadata;
    if (change.type === 'DELETED') {
      clearTimeout(this.lives.get(uid)?.timer);
      this.lives.delete(uid);
    } else if (change.type === 'ADDED') {
      this.queue.add(objectKey(namespace, name));
    }
  }

  private admit(key: string): void {
    const { namespace, name } = splitObjectKey(key);
    const pod = this.store.get(POD, namespace, name);
    if (!pod || this.lives.has(pod.metadata.uid) || pod.metadata.deletionTimestamp !== undefined) return;
    if (readPath(pod, ['status', 'phase']) === 'Succeeded' || readPath(pod, ['status', 'phase']) === 'Failed') return;
    this.assignedIps += 1;
    const life: PodLife = {
      uid: pod.metadata.uid,
      namespace,
      name,
      scheduledAt: kubeTimestamp(this.now()),
      podIP: `10.244.${Math.floor(this.assignedIps / 250) % 256}.${(this.assignedIps % 250) + 1}`,
      stage: { stage: 'created' },
    };
    this.lives.set(life.uid, life);
    const spec = isJsonObject(pod['spec']) ? pod['spec'] : {};
    const bound = this.store.update(POD, namespace, name, { ...pod, spec: { ...spec, nodeName: this.options.nodeName } });
    this.schedulerEvents.record(bound, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${this.options.nodeName}`);
    this.report(bound, life);
    this.after(life, this.options.podReadyDelayMs, () => this.startContainers(life));
  }

  private after(life: PodLife, delayMs: number, step: () => void): void {
    clearTimeout(life.timer);
    life.timer = setTimeout(() => {
      life.dueStep = step;
      this.dueSteps.add(life.uid);
    }, delayMs);
  }

  private takeDueStep(uid: string): void {
    const life = this.lives.get(uid);
    const step = life?.dueStep;
    if (life === undefined || step === undefined) return;
    life.dueStep = undefined;
    step();
  }

  private currentPod(life: PodLife): StoredObject | undefined {
    const pod = this.store.get(POD, life.namespace, life.name);
    return pod?.metadata.uid === life.uid ? pod : undefined;
  }

  private containersOf(pod: StoredObject): ContainerSpec[] {
    const containers = readPath(pod, ['spec', 'containers']);
    return (Array.isArray(containers) ? containers : [])
      .filter(isJsonObject)
      .map((container) => ({ name: String(container['name']), image: String(container['image']) }));
  }

  private report(pod: StoredObject, life: PodLife): StoredObject {
    const status = podStatus({
      containers: this.containersOf(pod),
      behaviourOf: this.options.imageBehaviour,
      stage: life.stage,
      scheduledAt: life.scheduledAt,
      podIP: life.podIP,
      hostIP: this.options.hostIP,
    });
    return this.store.update(POD, pod.metadata.namespace, pod.metadata.name, { ...pod, status }, 'status');
  }

  private startContainers(life: PodLife): void {
    const pod = this.currentPod(life);
    if (!pod) return;
    const containers = this.containersOf(pod);
    const behaviours = containers.map((container) => this.options.imageBehaviour(container.image));
    const startedAt = kubeTimestamp(this.now());
    life.stage = { stage: 'started', startedAt, restarts: 0 };
    const reported = this.report(pod, life);
    containers.forEach((container, index) => {
      if (behaviours[index] === 'pull-error') {
        this.kubeletEvents.record(
          reported,
          'Warning',
          'Failed',
          `Failed to pull image "${container.image}": rpc error: code = NotFound desc = failed to pull and unpack image "${container.image}": not found`,
        );
        this.kubeletEvents.record(reported, 'Normal', 'BackOff', `Back-off pulling image "${container.image}"`);
      } else {
        this.kubeletEvents.record(reported, 'Normal', 'Pulled', `Container image "${container.image}" already present on machine`);
        this.kubeletEvents.record(reported, 'Normal', 'Created', `Created container ${container.name}`);
        this.kubeletEvents.record(reported, 'Normal', 'Started', `Started container ${container.name}`);
      }
    });
    if (behaviours.includes('pull-error')) return;
    const restarts = (readPath(pod, ['spec', 'restartPolicy']) ?? 'Always') === 'Always';
    if (restarts) {
      if (behaviours.includes('crash')) this.after(life, this.options.crashLoopIntervalMs, () => this.crash(life));
      return;
    }
    this.after(life, behaviours.includes('crash') ? 0 : this.options.podReadyDelayMs, () =>
      this.complete(life, !behaviours.includes('crash')),
    );
  }

  private crash(life: PodLife): void {
    const pod = this.currentPod(life);
    if (!pod || life.stage.stage !== 'started') return;
    life.stage = { ...life.stage, restarts: life.stage.restarts + 1, lastCrashAt: kubeTimestamp(this.now()) };
    const reported = this.report(pod, life);
    for (const container of this.containersOf(pod).filter((candidate) => this.options.imageBehaviour(candidate.image) === 'crash')) {
      this.kubeletEvents.record(
        reported,
        'Warning',
        'BackOff',
        `Back-off restarting failed container ${container.name} in pod ${pod.metadata.name}_${pod.metadata.namespace ?? ''}(${pod.metadata.uid})`,
      );
    }
    this.after(life, this.options.crashLoopIntervalMs, () => this.crash(life));
  }

  private complete(life: PodLife, succeeded: boolean): void {
    const pod = this.currentPod(life);
    if (!pod || life.stage.stage !== 'started') return;
    life.stage = { stage: 'completed', startedAt: life.stage.startedAt, finishedAt: kubeTimestamp(this.now()), succeeded };
    this.report(pod, life);
  }
}

import type { ImageBehaviour } from './image-behaviour.js';

/** How far a pod has come on the simulated node. */
export type PodStage =
  | { stage: 'created' }
  | { stage: 'started'; startedAt: string; restarts: number; lastCrashAt?: string }
  | { stage: 'completed'; startedAt: string; finishedAt: string; succeeded: boolean };

export interface ContainerSpec {
  name: string;
  image: string;
}

export interface PodStatusInput {
  containers: readonly ContainerSpec[];
  behaviourOf: (image: string) => ImageBehaviour;
  stage: PodStage;
  scheduledAt: string;
  podIP: string;
  hostIP: string;
}

const condition = (type: string, status: boolean, at: string, reason?: string, message?: string): object => ({
  type,
  status: status ? 'True' : 'False',
  lastProbeTime: null,
  lastTransitionTime: at,
  ...(reason === undefined ? {} : { reason }),
  ...(message === undefined ? {} : { message }),
});

const containerId = (podIP: string, name: string): string =>
  `containerd://${Buffer.from(`${podIP}/${name}`).toString('hex').padEnd(64, '0').slice(0, 64)}`;

function containerStatus(container: ContainerSpec, behaviour: ImageBehaviour, input: PodStatusInput): object {
  const { stage } = input;
  const base = { name: container.name, image: container.image, imageID: '', ready: false, started: false, restartCount: 0 };
  if (stage.stage === 'created') return { ...base, state: { waiting: { reason: 'ContainerCreating' } } };
  if (behaviour === 'pull-error') {
    return { ...base, state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${container.image}"` } } };
  }
  const imageID = `${container.image.split(':')[0] ?? container.image}@sha256:${'0'.repeat(64)}`;
  const withImage = { ...base, imageID, containerID: containerId(input.podIP, container.name) };
  if (stage.stage === 'completed') {
    const exitCode = behaviour === 'crash' ? 1 : 0;
    const terminated = {
      exitCode,
      reason: exitCode === 0 ? 'Completed' : 'Error',
      startedAt: stage.startedAt,
      finishedAt: stage.finishedAt,
      containerID: withImage.containerID,
    };
    return { ...withImage, state: { terminated } };
  }
  if (behaviour === 'crash') {
    const lastCrash = stage.lastCrashAt ?? stage.startedAt;
    return {
      ...withImage,
      restartCount: stage.restarts,
      state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off restarting failed container=${container.name}` } },
      lastState: {
        terminated: { exitCode: 1, reason: 'Error', startedAt: stage.startedAt, finishedAt: lastCrash, containerID: withImage.containerID },
      },
    };
  }
  return { ...withImage, ready: true, started: true, state: { running: { startedAt: stage.startedAt } } };
}

/**
 * The pod `status` a kubelet reports for the pod's containers at a stage of their life.
 * @example podStatus({ containers: [{ name: 'app', image: 'web:1' }], behaviourOf: () => 'run',
 *   stage: { stage: 'started', startedAt: T, restarts: 0 }, scheduledAt: T, podIP, hostIP }).phase === 'Running'
 */
export function podStatus(input: PodStatusInput): Record<string, unknown> {
  const { stage, scheduledAt } = input;
  const behaviours = input.containers.map((container) => input.behaviourOf(container.image));
  const statuses = input.containers.map((container, index) => containerStatus(container, behaviours[index] ?? 'run', input));
  const unready = input.containers
    .filter((_, index) => stage.stage !== 'started' || behaviours[index] !== 'run')
    .map((container) => container.name);
  const changedAt = stage.stage === 'created' ? scheduledAt : stage.stage === 'completed' ? stage.finishedAt : stage.startedAt;
  const phase =
    stage.stage === 'completed'
      ? stage.succeeded
        ? 'Succeeded'
        : 'Failed'
      : stage.stage === 'created' || behaviours.includes('pull-error')
        ? 'Pending'
        : 'Running';
  const ready = unready.length === 0;
  const [readyReason, readyMessage] = ready
    ? [undefined, undefined]
    : stage.stage === 'completed'
      ? ['PodCompleted', undefined]
      : ['ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`];
  return {
    phase,
    conditions: [
      condition('PodReadyToStartContainers', stage.stage !== 'created', changedAt),
      condition('Initialized', true, scheduledAt, stage.stage === 'completed' ? 'PodCompleted' : undefined),
      condition('Ready', ready, changedAt, readyReason, readyMessage),
      condition('ContainersReady', ready, changedAt, readyReason, readyMessage),
      condition('PodScheduled', true, scheduledAt),
    ],
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    podIP: input.podIP,
    podIPs: [{ ip: input.podIP }],
    startTime: scheduledAt,
    containerStatuses: statuses,
    qosClass: 'BestEffort',
  };
}

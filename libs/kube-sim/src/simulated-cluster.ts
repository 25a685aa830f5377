import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ClusterStore } from './cluster-store.js';
import { EventRecorder } from './controllers/event-recorder.js';
import type { ImageBehaviour } from './controllers/image-behaviour.js';
import { JobController } from './controllers/job-controller.js';
import { Kubelet } from './controllers/kubelet.js';
import { ReplicaSetController } from './controllers/replica-set-controller.js';
import { DeterministicRandom } from './deterministic-random.js';

export interface ClusterSettings {
  seed: string;
  watchHistoryLimit: number;
  podReadyDelayMs: number;
  crashLoopIntervalMs: number;
  imageBehaviour: (image: string) => ImageBehaviour;
  logger: Logger;
  now: () => number;
}

const NODE_NAME = 'kube-sim-node';

/** One cluster of the simulator: its store, its bearer token and its controllers. */
export class SimulatedCluster {
  private bearerToken = randomBytes(24).toString('hex');
  readonly store: ClusterStore;
  /** How to end each watch currently served for this cluster. */
  readonly openWatches = new Set<() => void>();
  private readonly controllers: Array<{ start(): void; stop(): void }>;

  constructor(
    readonly name: string,
    settings: ClusterSettings,
  ) {
    const { now } = settings;
    this.store = new ClusterStore(name, new DeterministicRandom(`${settings.seed}/${name}`), settings.watchHistoryLimit, now);
    const logger = settings.logger.child({ cluster: name });
    const onError = (controller: string) => (key: string, error: unknown) =>
      logger.warn({ controller, key, err: error }, 'reconcile failed');
    this.controllers = [
      new ReplicaSetController(this.store, new EventRecorder(this.store, 'replicaset-controller', now), now, onError('replicaset')),
      new JobController(this.store, new EventRecorder(this.store, 'job-controller', now), now, onError('job')),
      new Kubelet(
        this.store,
        new EventRecorder(this.store, 'kubelet', now, NODE_NAME),
        new EventRecorder(this.store, 'default-scheduler', now),
        {
          nodeName: NODE_NAME,
          hostIP: '172.18.0.2',
          podReadyDelayMs: settings.podReadyDelayMs,
          crashLoopIntervalMs: settings.crashLoopIntervalMs,
          imageBehaviour: settings.imageBehaviour,
        },
        now,
        onError('kubelet'),
      ),
    ];
    this.controllers.forEach((controller) => controller.start());
  }

  /** The one bearer token this cluster accepts. */
  get token(): string {
    return this.bearerToken;
  }

  /** Replaces the accepted token, as a credential rotation does: the previous one is refused from now on. */
  rotateToken(): string {
    this.bearerToken = randomBytes(24).toString('hex');
    return this.bearerToken;
  }

  stop(): void {
    this.dropWatches();
    this.controllers.forEach((controller) => controller.stop());
  }

  /** Ends every open watch, as when an API server restarts; clients then resume from their last resourceVersion. */
  dropWatches(): void {
    [...this.openWatches].forEach((end) => end());
  }
}

import type { ClusterStore } from '../cluster-store.js';
import type { ResourceType } from '../resource-catalogue.js';
import type { EventRecorder } from './event-recorder.js';
import { controllerKeyOf } from './owned-pods.js';
import { objectKey, WorkQueue } from './work-queue.js';

/**
 * The wiring every controller of pods shares, as in kube-controller-manager: an owner is reconciled when it
 * changes and when one of the pods it controls does, once each through a work queue.
 */
export abstract class PodOwnerController {
  protected readonly queue: WorkQueue;
  private unsubscribe: () => void = () => undefined;

  constructor(
    protected readonly store: ClusterStore,
    protected readonly events: EventRecorder,
    protected readonly now: () => number,
    private readonly owner: { resource: ResourceType; kind: string },
    onError: (key: string, error: unknown) => void,
  ) {
    this.queue = new WorkQueue((key) => this.reconcile(key), onError);
  }

  start(): void {
    const { resource, kind } = this.owner;
    this.unsubscribe = this.store.onChange((change) => {
      if (change.resource === resource && change.type !== 'DELETED')
        this.queue.add(objectKey(change.object.metadata.namespace, change.object.metadata.name));
      const owner = controllerKeyOf(change, kind);
      if (owner !== undefined) this.queue.add(owner);
    });
    for (const object of this.store.list(resource)) this.queue.add(objectKey(object.metadata.namespace, object.metadata.name));
  }

  stop(): void {
    this.unsubscribe();
    this.queue.stop();
  }

  /** Brings the owner with this `namespace/name` key and its pods to what its spec asks for. */
  protected abstract reconcile(key: string): void;
}

import type { ClusterStore } from '../cluster-store.js';
import { kubeTimestamp } from '../cluster-store.js';
import type { StoredObject } from '../kube-object.js';
import { EVENT } from '../resource-catalogue.js';

export type EventType = 'Normal' | 'Warning';

/**
 * Writes core/v1 Events about objects as the real controllers and kubelet do, folding repeats of the same
 * reason and message into one Event whose `count` grows.
 */
export class EventRecorder {
  private readonly eventNames = new Map<string, string>();

  constructor(
    private readonly store: ClusterStore,
    private readonly component: string,
    private readonly now: () => number,
    private readonly host?: string,
  ) {}

  record(involved: StoredObject, type: EventType, reason: string, message: string): void {
    const namespace = involved.metadata.namespace ?? 'default';
    const key = `${involved.metadata.uid}|${reason}|${message}`;
    const timestamp = kubeTimestamp(this.now());
    const existingName = this.eventNames.get(key);
    const existing = existingName === undefined ? undefined : this.store.get(EVENT, namespace, existingName);
    if (existing) {
      this.store.update(EVENT, namespace, existing.metadata.name, {
        ...existing,
        count: Number(existing['count'] ?? 1) + 1,
        lastTimestamp: timestamp,
      });
      return;
    }
    const name = `${involved.metadata.name}.${this.store.random.hex(16)}`;
    this.eventNames.set(key, name);
    this.store.create(EVENT, namespace, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: involved.apiVersion,
        kind: involved.kind,
        name: involved.metadata.name,
        ...(involved.metadata.namespace === undefined ? {} : { namespace: involved.metadata.namespace }),
        uid: involved.metadata.uid,
        resourceVersion: involved.metadata.resourceVersion,
      },
      reason,
      message,
      source: { component: this.component, ...(this.host === undefined ? {} : { host: this.host }) },
      firstTimestamp: timestamp,
      lastTimestamp: timestamp,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: this.component,
      reportingInstance: this.host ?? '',
    });
  }
}

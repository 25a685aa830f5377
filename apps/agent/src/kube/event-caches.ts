import { AGENT_MESSAGE_BOUNDS } from '@flotilla/protocol';
import type { Logger } from 'pino';
import type { KubeClient } from './kube-client.js';
import type { EventObject } from './kube-object.js';
import { ObjectCache, type CacheChange } from './object-cache.js';
import { reindex } from './object-index.js';
import { EVENTS } from './resources.js';

/** The key an Event is indexed under: the kind and name of the object it is about. */
const involvedKey = (kind: string, name: string): string => `${kind}/${name}`;
const involvedKeyOf = (event: EventObject): string | undefined =>
  event.involvedObject.kind === undefined || event.involvedObject.name === undefined
    ? undefined
    : involvedKey(event.involvedObject.kind, event.involvedObject.name);

/** A message cut to `eventMessageLength`, ending in `…` when cut. */
export function boundedMessage(message: string): string {
  const bound = AGENT_MESSAGE_BOUNDS.eventMessageLength;
  return message.length <= bound ? message : `${message.slice(0, bound - 1)}…`;
}

/** What the agent keeps of an Event: what it is about, what happened, how often and when last. */
export function eventAsCached(event: EventObject): EventObject {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = event.metadata;
  return {
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    involvedObject: { kind: event.involvedObject.kind, name: event.involvedObject.name },
    type: event.type,
    reason: event.reason,
    message: event.message === undefined ? undefined : boundedMessage(event.message),
    count: event.count,
    lastTimestamp: event.lastTimestamp,
    eventTime: event.eventTime,
    series: event.series,
  };
}

interface NamespaceEvents {
  cache: ObjectCache<EventObject>;
  /** The rollouts (key strings) of the namespace that keep its watch. */
  holders: Set<string>;
  /** Event keys by the kind and name of the object they are about. */
  byObject: Map<string, Set<string>>;
}

/**
 * The Events of the namespaces that hold rollouts, one list/watch per namespace while a rollout of it is known,
 * indexed by the object they are about.
 */
export class EventCaches {
  private readonly namespaces = new Map<string, NamespaceEvents>();

  constructor(
    private readonly kube: KubeClient,
    private readonly changed: (event: EventObject) => void,
    private readonly logger: Logger,
  ) {}

  /** Watches the Events of a rollout's namespace, from the first rollout held there. */
  hold(rolloutKey: string, namespace: string): void {
    let entry = this.namespaces.get(namespace);
    if (entry === undefined) {
      const byObject = new Map<string, Set<string>>();
      const onChange = (change: CacheChange<EventObject>): void => {
        reindex(byObject, change, involvedKeyOf);
        this.changed(change.object);
      };
      const cache = new ObjectCache(EVENTS, this.kube, undefined, onChange, this.logger, eventAsCached, namespace);
      entry = { cache, holders: new Set(), byObject };
      this.namespaces.set(namespace, entry);
      cache.start();
    }
    entry.holders.add(rolloutKey);
  }

  /** Stops watching a namespace once its last rollout is gone. */
  release(rolloutKey: string, namespace: string): void {
    const entry = this.namespaces.get(namespace);
    if (entry === undefined || !entry.holders.delete(rolloutKey) || entry.holders.size > 0) return;
    entry.cache.stop();
    this.namespaces.delete(namespace);
  }

  /** The cached Events of a namespace about any of these objects. */
  about(namespace: string, objects: Iterable<{ kind: string; name: string }>): EventObject[] {
    const entry = this.namespaces.get(namespace);
    if (entry === undefined) return [];
    const events: EventObject[] = [];
    for (const object of objects)
      for (const key of entry.byObject.get(involvedKey(object.kind, object.name)) ?? []) {
        const event = entry.cache.get(namespace, key.slice(key.indexOf('/') + 1));
        if (event !== undefined) events.push(event);
      }
    return events;
  }

  stop(): void {
    for (const entry of this.namespaces.values()) entry.cache.stop();
    this.namespaces.clear();
  }
}

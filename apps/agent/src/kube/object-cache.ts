import type { Logger } from 'pino';
import { nextBackoffMs } from '../connection/backoff.js';
import { KubeApiError, type KubeClient } from './kube-client.js';
import { keyOf, objectKey, type KubeObject } from './kube-object.js';
import { resourcePath, type Resource } from './resources.js';
import { decideWatchRestart, type WatchEnd, type WatchErrorStatus } from './watch-restart.js';

/** A new or changed object (with the version it replaces, when one was cached), or a deleted one. */
export type CacheChange<T extends KubeObject> = { type: 'upsert'; object: T; previous: T | undefined } | { type: 'delete'; object: T };

const sameStringMap = (left: Record<string, string> | undefined, right: Record<string, string> | undefined): boolean => {
  const leftKeys = Object.keys(left ?? {});
  return leftKeys.length === Object.keys(right ?? {}).length && leftKeys.every((key) => left?.[key] === right?.[key]);
};

/** Whether a change only reported status: the same generation (spec), labels and annotations as the version it replaces. */
export function isStatusReport(change: CacheChange<KubeObject>): boolean {
  if (change.type !== 'upsert' || change.previous === undefined) return false;
  const before = change.previous.metadata;
  const after = change.object.metadata;
  return (
    before.generation !== undefined &&
    before.generation === after.generation &&
    sameStringMap(before.labels, after.labels) &&
    sameStringMap(before.annotations, after.annotations)
  );
}

interface SyncWaiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Resource versions are opaque to clients, but every API server we know issues growing integers. */
function isOlder(candidate: KubeObject, cached: KubeObject | undefined): boolean {
  const candidateVersion = Number(candidate.metadata.resourceVersion);
  const cachedVersion = Number(cached?.metadata.resourceVersion);
  return Number.isSafeInteger(candidateVersion) && Number.isSafeInteger(cachedVersion) && candidateVersion < cachedVersion;
}

/**
 * Every object of one resource across all namespaces or in one (optionally narrowed by a label selector), kept current by a
 * list followed by a watch: relisted when the watch history is gone (410), resumed from the last resourceVersion when
 * a watch ends, retried with backoff when the server cannot be reached, reports an error or ends a watch at once.
 */
export class ObjectCache<T extends KubeObject> {
  private readonly objects = new Map<string, T>();
  private resourceVersion = '';
  private synced = false;
  private lastError: Error | undefined;
  private waiters: SyncWaiter[] = [];
  private failures = 0;
  private stopped = true;
  private abortWatch: (() => void) | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly resource: Resource,
    private readonly kube: KubeClient,
    private readonly labelSelector: string | undefined,
    private readonly onChange: (change: CacheChange<T>) => void,
    private readonly logger: Logger,
    /** What of each object is kept, as with an informer's transform: fields the agent never reads cost memory. */
    private readonly keep: (object: T) => T = (object) => object,
    /** Only this namespace's objects; every namespace's when absent. */
    private readonly namespace?: string,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.relist();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.abortWatch?.();
    this.abortWatch = undefined;
    const error = new Error(`the ${this.resource.plural} cache was stopped`);
    this.settleWaiters(error);
  }

  /** Resolves once the first list has completed; rejects when the latest list attempt failed. */
  whenSynced(): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (this.lastError !== undefined) return Promise.reject(this.lastError);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.objects.get(objectKey(namespace, name));
  }

  values(): IterableIterator<T> {
    return this.objects.values();
  }

  /** Records an object the agent has just written (kept as a watched one is), so that the next pass does not act on the older copy. */
  remember(object: T): void {
    if (!isOlder(object, this.objects.get(keyOf(object)))) this.objects.set(keyOf(object), this.keep(object));
  }

  forget(namespace: string | undefined, name: string): void {
    this.objects.delete(objectKey(namespace, name));
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      const list = await this.kube.list<T>(this.resource, this.labelSelector, this.namespace);
      if (this.stopped) return;
      this.replaceAll(list.items);
      this.resourceVersion = list.resourceVersion;
      this.synced = true;
      this.lastError = undefined;
      this.settleWaiters(undefined);
      await this.startWatch();
    } catch (error) {
      this.lastError = error instanceof Error ? error : new Error(String(error));
      this.settleWaiters(error);
      this.retryLater(error, () => this.relist());
    }
  }

  private replaceAll(items: T[]): void {
    const seen = new Set<string>();
    for (const object of items) {
      seen.add(keyOf(object));
      this.upsert(object);
    }
    for (const [key, object] of this.objects) {
      if (seen.has(key)) continue;
      this.objects.delete(key);
      this.onChange({ type: 'delete', object });
    }
  }

  private upsert(received: T): void {
    const cached = this.objects.get(keyOf(received));
    if (cached?.metadata.resourceVersion === received.metadata.resourceVersion || isOlder(received, cached)) return;
    const object = this.keep(received);
    this.objects.set(keyOf(object), object);
    this.onChange({ type: 'upsert', object, previous: cached });
  }

  private async startWatch(): Promise<void> {
    const startedAt = Date.now();
    let errorEvent: WatchErrorStatus | undefined;
    let receivedEvents = false;
    let ended = false;
    const query: Record<string, string> = { resourceVersion: this.resourceVersion, allowWatchBookmarks: 'true' };
    if (this.labelSelector !== undefined) query.labelSelector = this.labelSelector;
    const path = resourcePath(this.resource, this.namespace);
    const controller = await this.kube.watch(
      path,
      query,
      (type, object: T & WatchErrorStatus) => {
        if (type === 'ERROR') {
          errorEvent ??= object;
          return;
        }
        receivedEvents = true;
        if (object.metadata?.resourceVersion) this.resourceVersion = object.metadata.resourceVersion;
        if (type === 'ADDED' || type === 'MODIFIED') this.upsert(object);
        else if (type === 'DELETED' && this.objects.delete(keyOf(object))) this.onChange({ type: 'delete', object: this.keep(object) });
      },
      (error: unknown) => {
        ended = true;
        this.watchEnded(path, { error, errorEvent, receivedEvents, lastedMs: Date.now() - startedAt });
      },
    );
    if (this.stopped) controller.abort();
    else if (!ended) this.abortWatch = () => controller.abort();
  }

  /** Lists again or resumes from the last resourceVersion, at once or after a backoff, as `decideWatchRestart` says. */
  private watchEnded(path: string, end: WatchEnd): void {
    this.abortWatch = undefined;
    if (this.stopped) return;
    const restart = decideWatchRestart(end);
    const again = restart.from === 'list' ? () => this.relist() : () => this.resumeWatch();
    if (!restart.afterBackoff) {
      if (restart.from === 'lastResourceVersion') this.failures = 0;
      void again();
    } else {
      this.retryLater(end.error ?? watchFailure(path, end), again);
    }
  }

  private resumeWatch(): Promise<void> {
    return this.startWatch().catch((error: unknown) => this.retryLater(error, () => this.relist()));
  }

  private retryLater(error: unknown, retry: () => Promise<void>): void {
    if (this.stopped) return;
    this.failures += 1;
    const delayMs = nextBackoffMs(this.failures, Math.random(), { baseMs: 500, capMs: 30_000 });
    this.logger.warn({ resource: this.resource.plural, err: error, retryInMs: delayMs }, 'watch interrupted');
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void retry(), delayMs);
  }

  private settleWaiters(error: unknown): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
  }
}

/** What a watch that failed without an error of its own is logged with: the ERROR event's Status, or its empty end. */
function watchFailure(path: string, end: WatchEnd): KubeApiError {
  const status = end.errorEvent;
  if (status !== undefined)
    return new KubeApiError('WATCH', path, status.code ?? 0, status.reason ?? 'Unknown', status.message ?? 'the watch reported an error');
  return new KubeApiError('WATCH', path, 0, 'WatchEndedAtOnce', `the server ended the watch after ${end.lastedMs} ms without any event`);
}

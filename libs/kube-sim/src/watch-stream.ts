import type { ServerResponse } from 'node:http';
import { KubeApiError } from './api-errors.js';
import type { ChangeType, StoreChange } from './change-history.js';
import type { ClusterStore } from './cluster-store.js';
import type { KubeObject } from './kube-object.js';
import type { ObjectFilter } from './object-filter.js';
import { groupVersion, type ResourceType } from './resource-catalogue.js';

export interface WatchRequest {
  resource: ResourceType;
  version: string;
  filter: ObjectFilter;
  /** Absent or 0: start with the current state as ADDED events. */
  fromRevision: number | undefined;
  bookmarks: boolean;
  timeoutSeconds: number | undefined;
}

export interface WatchStreamOptions {
  bookmarkIntervalMs: number;
  /** A watcher whose socket buffers more than this is too slow and is disconnected, as the API server does. */
  maxBufferedBytes: number;
  /** Open watches register how to end them here, so the server can drop them all at once. */
  open: Set<() => void>;
}

const serializedChanges = new WeakMap<StoreChange, Map<string, string>>();

/** The object as a client of `apiVersion` sees it (versions of one resource share a schema here). */
export function presentObject(object: KubeObject, apiVersion: string): KubeObject {
  return object.apiVersion === apiVersion ? object : { ...object, apiVersion };
}

function eventLine(type: ChangeType, object: KubeObject, apiVersion: string, change: StoreChange | undefined): string {
  const key = `${type}|${apiVersion}`;
  const cached = change && serializedChanges.get(change)?.get(key);
  if (cached) return cached;
  const line = `${JSON.stringify({ type, object: presentObject(object, apiVersion) })}\n`;
  if (change) {
    const byKey = serializedChanges.get(change) ?? new Map<string, string>();
    serializedChanges.set(change, byKey);
    byKey.set(key, line);
  }
  return line;
}

/**
 * Serves a watch as the API server does: a chunked stream of JSON lines, bookmarks when asked, an ERROR event
 * carrying the Status when the watch cannot start (410 Expired for a compacted resourceVersion), and an end
 * after `timeoutSeconds`. Resolves when the stream ends.
 */
export function streamWatch(store: ClusterStore, request: WatchRequest, response: ServerResponse, options: WatchStreamOptions): Promise<void> {
  const apiVersion = groupVersion(request.resource.group, request.version);
  response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  response.flushHeaders();
  return new Promise((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    let cancel = (): void => undefined;
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      cancel();
      timers.forEach((timer) => clearTimeout(timer));
      options.open.delete(end);
      response.end();
      resolve();
    };
    const write = (line: string): void => {
      if (ended) return;
      response.write(line);
      if (response.writableLength > options.maxBufferedBytes) end();
    };
    response.on('close', end);
    options.open.add(end);
    try {
      const subscription = store.watch(request.resource, request.filter, request.fromRevision, (type, object, change) => write(eventLine(type, object, apiVersion, change)));
      cancel = () => subscription.cancel();
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      write(`${JSON.stringify({ type: 'ERROR', object: error.status })}\n`);
      end();
      return;
    }
    if (request.bookmarks) {
      const bookmark = (): void => {
        const object = { kind: request.resource.kind, apiVersion, metadata: { resourceVersion: store.resourceVersion } };
        write(`${JSON.stringify({ type: 'BOOKMARK', object })}\n`);
      };
      timers.push(setInterval(bookmark, options.bookmarkIntervalMs));
    }
    if (request.timeoutSeconds !== undefined) timers.push(setTimeout(end, request.timeoutSeconds * 1000));
  });
}

import type { ServerResponse } from 'node:http';
import { KubeApiError } from './api-errors.js';
import type { ChangeType } from './change-history.js';
import type { ClusterStore } from './cluster-store.js';
import type { StoredObject } from './kube-object.js';
import type { ObjectFilter } from './object-filter.js';
import { presentedJson } from './presented-object.js';
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

const eventLine = (type: ChangeType, object: StoredObject, apiVersion: string): string =>
  `{"type":"${type}","object":${presentedJson(object, apiVersion)}}\n`;

/**
 * Serves a watch as the API server does: a chunked stream of JSON lines, bookmarks when asked, an ERROR event
 * carrying the Status when the watch cannot start (410 Expired for a compacted resourceVersion), and an end
 * after `timeoutSeconds`. Resolves when the stream ends.
 */
export function streamWatch(
  store: ClusterStore,
  request: WatchRequest,
  response: ServerResponse,
  options: WatchStreamOptions,
): Promise<void> {
  const apiVersion = groupVersion(request.resource.group, request.version);
  response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  response.flushHeaders();
  return new Promise((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    let cancel = (): void => undefined;
    let ended = false;
    // Events of one turn of the event loop (every write the requests of that turn made) leave in one chunk.
    let unsent = '';
    let sending: NodeJS.Immediate | undefined;
    const send = (): void => {
      sending = undefined;
      if (unsent === '' || response.destroyed) return;
      response.write(unsent);
      unsent = '';
    };
    const end = (): void => {
      if (ended) return;
      ended = true;
      cancel();
      timers.forEach((timer) => clearTimeout(timer));
      clearImmediate(sending);
      send();
      options.open.delete(end);
      response.end();
      resolve();
    };
    const write = (line: string): void => {
      if (ended) return;
      unsent += line;
      sending ??= setImmediate(() => {
        send();
        if (response.writableLength > options.maxBufferedBytes) end();
      });
    };
    response.on('close', end);
    options.open.add(end);
    try {
      const subscription = store.watch(request.resource, request.filter, request.fromRevision, (type, object) =>
        write(eventLine(type, object, apiVersion)),
      );
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

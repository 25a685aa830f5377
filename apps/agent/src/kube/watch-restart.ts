import { isGone, KubeApiError } from './kube-client.js';

/** The `meta/v1 Status` an API server sends as the object of a watch's ERROR event. */
export interface WatchErrorStatus {
  code?: number;
  reason?: string;
  message?: string;
}

/** How a watch ended, as its cache saw it. */
export interface WatchEnd {
  /** Why the stream ended: undefined when the server closed it. */
  error: unknown;
  /** The Status of the ERROR event the stream carried, if it carried one. */
  errorEvent: WatchErrorStatus | undefined;
  /** Whether any event (bookmarks included) arrived before the end. */
  receivedEvents: boolean;
  lastedMs: number;
}

/** Relist (the history is gone or the server refused the watch) or resume from the last resourceVersion; at once or after a backoff. */
export interface WatchRestart {
  from: 'list' | 'lastResourceVersion';
  afterBackoff: boolean;
}

/** A watch ended by the server this soon without a single event is a failure, as client-go's reflector holds it. */
export const SHORTEST_HEALTHY_WATCH_MS = 1000;

/**
 * Decides how a cache restarts the watch that just ended, as client-go's reflector does: a 410 relists at once;
 * an ERROR event, a refused or broken watch, or one the server (or a proxy before it) ended at once with nothing
 * in it is a failure and waits for the backoff, so that a server in trouble is not asked again in a tight loop.
 * @example decideWatchRestart({ error: undefined, errorEvent: { code: 500 }, receivedEvents: true, lastedMs: 40 })
 *          // { from: 'lastResourceVersion', afterBackoff: true }
 *          decideWatchRestart({ error: undefined, errorEvent: undefined, receivedEvents: false, lastedMs: 290_000 })
 *          // { from: 'lastResourceVersion', afterBackoff: false }
 */
export function decideWatchRestart(end: WatchEnd): WatchRestart {
  if (end.errorEvent?.code === 410 || isGone(end.error)) return { from: 'list', afterBackoff: false };
  if (end.error instanceof KubeApiError && end.error.status !== 0) return { from: 'list', afterBackoff: true };
  const endedEmptyAtOnce = !end.receivedEvents && end.lastedMs < SHORTEST_HEALTHY_WATCH_MS;
  const failed = end.error !== undefined || end.errorEvent !== undefined || endedEmptyAtOnce;
  return { from: 'lastResourceVersion', afterBackoff: failed };
}

import { createClient, type Client } from 'graphql-ws';

/** Whether subscriptions are flowing: the dashboard says so, since a stale page must not pass for a live one. */
export type LiveState = 'connecting' | 'live' | 'reconnecting';

/** One graphql-ws connection per signed-in token, shared by every subscription of the page. */
export interface LiveConnection {
  readonly client: Client;
  state(): LiveState;
  onStateChange(listener: () => void): () => void;
  dispose(): void;
}

const RETRY_DELAY_CAP_MS = 10_000;

function subscriptionUrl(): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}/graphql`;
}

/** Opens the subscription connection of a token; it reconnects for as long as the page lives. */
export function openLiveConnection(token: string): LiveConnection {
  let state: LiveState = 'connecting';
  const listeners = new Set<() => void>();
  const become = (next: LiveState) => {
    if (next === state) return;
    state = next;
    for (const listener of listeners) listener();
  };
  const client = createClient({
    url: subscriptionUrl(),
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    keepAlive: 15_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(RETRY_DELAY_CAP_MS, 500 * 2 ** retries))),
    on: {
      connected: () => become('live'),
      closed: () => become('reconnecting'),
    },
  });
  return {
    client,
    state: () => state,
    onStateChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      listeners.clear();
      void client.dispose();
    },
  };
}

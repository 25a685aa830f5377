import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useSession } from '../session/session-context.js';
import { asRequestError, type GraphqlRequestError, requestGraphql } from './graphql-client.js';
import { documentText, type Document } from './graphql.js';
import type { LiveState } from './live-updates.js';
import { ReloadCoalescer } from './reload-coalescer.js';

export interface QueryState<Data> {
  /** The latest answer; kept while a reload is under way so the page does not flicker. */
  data: Data | undefined;
  error: GraphqlRequestError | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs a query now and on every `reload()`, one request at a time: reloads asked for while a request is in flight
 * start one more request once it answers (ReloadCoalescer). Each answer is shown unless a newer request was answered
 * first, so under a stream of reloads faster than the API answers the page still moves forward.
 */
export function useGraphqlQuery<Data, Variables>(document: Document<Data, Variables>, variables: Variables): QueryState<Data> {
  const { token, signOut } = useSession();
  const [data, setData] = useState<Data>();
  const [error, setError] = useState<GraphqlRequestError>();
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const [reloads] = useState(() => new ReloadCoalescer(() => setGeneration((value) => value + 1)));
  const latestRequest = useRef(0);
  const latestAnswered = useRef(0);
  const variablesKey = JSON.stringify(variables);

  useEffect(() => {
    const request = ++latestRequest.current;
    reloads.sent(request);
    setLoading(true);
    const settle = (show: () => void) => {
      const followedUp = reloads.answered(request);
      if (request < latestAnswered.current) return;
      latestAnswered.current = request;
      show();
      setLoading(followedUp || request !== latestRequest.current);
    };
    requestGraphql(token, document, JSON.parse(variablesKey) as Variables).then(
      (answer) =>
        settle(() => {
          setData(answer);
          setError(undefined);
        }),
      (failure: unknown) =>
        settle(() => {
          const requestError = asRequestError(failure);
          if (requestError.unauthenticated) signOut(requestError.message);
          setError(requestError);
        }),
    );
  }, [token, document, variablesKey, generation, signOut, reloads]);

  const reload = useCallback(() => reloads.ask(), [reloads]);
  return { data, error, loading, reload };
}

/** Calls `onData` with each event of a subscription for as long as the component is shown. */
export function useSubscription<Data, Variables>(
  document: Document<Data, Variables>,
  variables: Variables,
  onData: (data: Data) => void,
): void {
  const { live } = useSession();
  const latestHandler = useRef(onData);
  latestHandler.current = onData;
  const variablesKey = JSON.stringify(variables);

  useEffect(
    () =>
      live.client.subscribe<Data>(
        { query: documentText(document), variables: JSON.parse(variablesKey) as Record<string, unknown> },
        {
          next: (result) => {
            if (result.data) latestHandler.current(result.data);
          },
          error: () => undefined,
          complete: () => undefined,
        },
      ),
    [live, document, variablesKey],
  );
}

/** Whether the subscription connection is up, re-rendering when that changes. */
export function useLiveState(): LiveState {
  const { live } = useSession();
  return useSyncExternalStore(
    (listener) => live.onStateChange(listener),
    () => live.state(),
  );
}

/** Calls `callback` every `intervalMs` while `active`; for data the API offers no subscription for. */
export function useInterval(callback: () => void, intervalMs: number, active = true): void {
  const latest = useRef(callback);
  latest.current = callback;
  useEffect(() => {
    if (!active) return undefined;
    const timer = window.setInterval(() => latest.current(), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs, active]);
}

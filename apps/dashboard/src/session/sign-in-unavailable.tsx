import { useEffect } from 'react';
import type { GraphqlRequestError } from '../api/graphql-client.js';
import { BrandMark } from '../shared/brand-mark.js';
import { RequestError } from '../shared/request-error.js';

/** How long the dashboard waits before it asks the API again who the stored token is. */
const SIGN_IN_RETRY_MS = 5_000;

/**
 * The API could not say who the stored token is (unreachable, restarting): the token is kept, and the dashboard asks
 * again on `onRetry`, which runs by itself after SIGN_IN_RETRY_MS.
 */
export function SignInUnavailable({
  error,
  onRetry,
  onSignOut,
}: {
  error: GraphqlRequestError;
  onRetry: () => void;
  onSignOut: () => void;
}) {
  useEffect(() => {
    const timer = window.setTimeout(onRetry, SIGN_IN_RETRY_MS);
    return () => window.clearTimeout(timer);
  }, [onRetry]);
  return (
    <main className="login">
      <section className="card login-card" aria-labelledby="sign-in-unavailable-title">
        <h1 id="sign-in-unavailable-title">
          <BrandMark /> Flotilla
        </h1>
        <RequestError error={error} what="who your token is" />
        <p className="muted">Your token is kept; the dashboard tries again in {SIGN_IN_RETRY_MS / 1000} seconds.</p>
        <button type="button" className="primary" onClick={() => onRetry()}>
          Try again now
        </button>
        <button type="button" onClick={() => onSignOut()}>
          Sign out
        </button>
      </section>
    </main>
  );
}

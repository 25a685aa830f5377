import { useState, type FormEvent } from 'react';
import { GraphqlRequestError } from '../api/graphql-client.js';
import { BrandMark } from '../shared/brand-mark.js';
import { discoverIdentity, type TokenIdentity } from './role-discovery.js';

export interface SignedIn {
  token: string;
  identity: TokenIdentity;
}

/** Asks for an API token and checks it against the API before keeping it. */
export function LoginPage({ onSignedIn, notice }: { onSignedIn: (signedIn: SignedIn) => void; notice: string | undefined }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string>();
  const [checking, setChecking] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const candidate = token.trim();
    if (candidate === '') {
      setProblem('Enter an API token.');
      return;
    }
    setChecking(true);
    setProblem(undefined);
    try {
      onSignedIn({ token: candidate, identity: await discoverIdentity(candidate) });
    } catch (error) {
      setProblem(
        error instanceof GraphqlRequestError && error.unauthenticated
          ? 'The API does not accept this token.'
          : `Could not sign in: ${error instanceof Error ? error.message : String(error)}`,
      );
      setChecking(false);
    }
  };

  return (
    <main className="login">
      <form className="card login-card" onSubmit={(event) => void submit(event)} aria-labelledby="login-title">
        <h1 id="login-title">
          <BrandMark /> Flotilla
        </h1>
        <p>Sign in with an API token of your organization. Viewer tokens can watch; deployer and admin tokens can also operate rollouts.</p>
        {notice ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
        <label htmlFor="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(event) => setToken(event.target.value)}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? 'token-problem' : 'token-help'}
          autoFocus
        />
        <p id="token-help" className="hint">
          An administrator creates tokens with <code>createApiToken</code>; the demo writes one to <code>.flotilla/token</code>.
        </p>
        {problem ? (
          <p id="token-problem" className="error" role="alert">
            {problem}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={checking}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

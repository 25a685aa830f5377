import { useCallback, useEffect, useMemo, useState } from 'react';
import { openLiveConnection, type LiveConnection } from './api/live-updates.js';
import { AuditPage } from './audit/audit-page.js';
import { FleetRolloutPage } from './fleet/fleet-rollout-page.js';
import { FleetRolloutsPage } from './fleet/fleet-rollouts-page.js';
import { FreezesPage } from './freezes/freezes-page.js';
import { OverviewPage } from './overview/overview-page.js';
import { RolloutPage } from './rollout/rollout-page.js';
import { Link, useRoute } from './routing/router.js';
import { BrandMark } from './shared/brand-mark.js';
import { LiveIndicator } from './shared/live-indicator.js';
import { LoginPage, type SignedIn } from './session/login-page.js';
import { discoverIdentity } from './session/role-discovery.js';
import { SessionContext, useSession, type Session } from './session/session-context.js';
import { tokenStorage } from './session/token-storage.js';

type SignInState =
  { kind: 'checking'; token: string } | { kind: 'signed-out'; notice: string | undefined } | ({ kind: 'signed-in' } & SignedIn);

function initialState(): SignInState {
  const stored = tokenStorage.read();
  return stored ? { kind: 'checking', token: stored } : { kind: 'signed-out', notice: undefined };
}

/** Signs in with the stored token or asks for one, then shows the page of the address. */
export function App() {
  const [state, setState] = useState<SignInState>(initialState);

  useEffect(() => {
    if (state.kind !== 'checking') return;
    discoverIdentity(state.token).then(
      (identity) => setState({ kind: 'signed-in', token: state.token, identity }),
      (error: unknown) => {
        tokenStorage.clear();
        setState({ kind: 'signed-out', notice: `Signed out: ${error instanceof Error ? error.message : String(error)}` });
      },
    );
  }, [state]);

  const signIn = useCallback((signedIn: SignedIn) => {
    tokenStorage.write(signedIn.token);
    setState({ kind: 'signed-in', ...signedIn });
  }, []);
  const signOut = useCallback((notice?: string) => {
    tokenStorage.clear();
    setState({ kind: 'signed-out', notice });
  }, []);

  switch (state.kind) {
    case 'checking':
      return <p className="loading-page">Signing in…</p>;
    case 'signed-out':
      return <LoginPage onSignedIn={signIn} notice={state.notice} />;
    case 'signed-in':
      return <SignedInApp token={state.token} identity={state.identity} signOut={signOut} />;
  }
}

function SignedInApp({ token, identity, signOut }: SignedIn & { signOut: (notice?: string) => void }) {
  const [live, setLive] = useState<LiveConnection>();
  useEffect(() => {
    const connection = openLiveConnection(token);
    setLive(connection);
    return () => connection.dispose();
  }, [token]);
  const [operationForbidden, setOperationForbidden] = useState(false);
  const noteOperationForbidden = useCallback(() => setOperationForbidden(true), []);
  const session = useMemo<Session | undefined>(
    () =>
      live
        ? { token, identity, live, mayOperate: identity.role !== 'viewer' && !operationForbidden, noteOperationForbidden, signOut }
        : undefined,
    [token, identity, live, operationForbidden, noteOperationForbidden, signOut],
  );
  if (!session) return <p className="loading-page">Connecting…</p>;
  return (
    <SessionContext.Provider value={session}>
      <Shell />
    </SessionContext.Provider>
  );
}

function Shell() {
  const route = useRoute();
  return (
    <>
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <Header />
      <main id="content" tabIndex={-1}>
        {route.page === 'overview' ? <OverviewPage /> : null}
        {route.page === 'rollout' ? (
          <RolloutPage key={`${route.rollout.cluster}/${route.rollout.namespace}/${route.rollout.name}`} rolloutRef={route.rollout} />
        ) : null}
        {route.page === 'fleet-rollouts' ? <FleetRolloutsPage /> : null}
        {route.page === 'fleet-rollout' ? (
          <FleetRolloutPage
            key={`${route.fleetRollout}/${route.release ?? 'current'}`}
            name={route.fleetRollout}
            releaseNumber={route.release}
          />
        ) : null}
        {route.page === 'audit' ? <AuditPage /> : null}
        {route.page === 'freezes' ? <FreezesPage /> : null}
        {route.page === 'not-found' ? (
          <section className="card">
            <h1>Page not found</h1>
            <p>
              Nothing lives at <code>{route.path}</code>. <Link to={{ page: 'overview' }}>Back to the overview</Link>
            </p>
          </section>
        ) : null}
      </main>
    </>
  );
}

function Header() {
  const session = useSession();
  return (
    <header className="top-bar">
      <Link to={{ page: 'overview' }} className="brand">
        <BrandMark /> Flotilla
      </Link>
      <nav aria-label="Main">
        <Link to={{ page: 'overview' }}>Overview</Link>
        <Link to={{ page: 'fleet-rollouts' }}>Fleet releases</Link>
        <Link to={{ page: 'freezes' }}>Freezes</Link>
        <Link to={{ page: 'audit' }}>Audit</Link>
      </nav>
      <div className="top-bar-end">
        <LiveIndicator />
        <span className="role" title={`Token ${session.identity.tokenName} of ${session.identity.organization}`}>
          {session.identity.tokenName} · Role: {session.identity.role}
          {session.mayOperate ? '' : ' · read-only'}
        </span>
        <button type="button" onClick={() => session.signOut()}>
          Sign out
        </button>
      </div>
    </header>
  );
}

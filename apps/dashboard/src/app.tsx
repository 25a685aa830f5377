import { useCallback, useEffect, useMemo, useState } from 'react';
import { asRequestError, type GraphqlRequestError } from './api/graphql-client.js';
import { openLiveConnection, type LiveConnection } from './api/live-updates.js';
import { AnalysisRunPage } from './analysis/analysis-run-page.js';
import { AuditPage } from './audit/audit-page.js';
import { ExperimentPage } from './experiments/experiment-page.js';
import { FleetRolloutPage } from './fleet/fleet-rollout-page.js';
import { FleetRolloutsPage } from './fleet/fleet-rollouts-page.js';
import { FreezesPage } from './freezes/freezes-page.js';
import { OverviewPage } from './overview/overview-page.js';
import { RolloutPage } from './rollout/rollout-page.js';
import { Link } from './routing/router.js';
import { ROUTE_PATTERNS } from './routing/routes.js';
import { BrandMark } from './shared/brand-mark.js';
import { LiveIndicator } from './shared/live-indicator.js';
import { LoginPage, type SignedIn } from './session/login-page.js';
import { discoverIdentity } from './session/role-discovery.js';
import { SessionContext, useSession, type Session } from './session/session-context.js';
import { SignInUnavailable } from './session/sign-in-unavailable.js';
import { tokenStorage } from './session/token-storage.js';
import { Route as Page, Switch, useLocation } from 'wouter';

type SignInState =
  | { kind: 'checking'; token: string }
  | { kind: 'unavailable'; token: string; error: GraphqlRequestError }
  | { kind: 'signed-out'; notice: string | undefined }
  | ({ kind: 'signed-in' } & SignedIn);

function initialState(): SignInState {
  const stored = tokenStorage.read();
  return stored ? { kind: 'checking', token: stored } : { kind: 'signed-out', notice: undefined };
}

/**
 * Signs in with the stored token or asks for one, then shows the page of the address. Only the API's refusal of the
 * stored token forgets it; while the API cannot answer, the token is kept and asked about again.
 */
export function App() {
  const [state, setState] = useState<SignInState>(initialState);

  const signIn = useCallback((signedIn: SignedIn) => {
    tokenStorage.write(signedIn.token);
    setState({ kind: 'signed-in', ...signedIn });
  }, []);
  const signOut = useCallback((notice?: string) => {
    tokenStorage.clear();
    setState({ kind: 'signed-out', notice });
  }, []);

  useEffect(() => {
    if (state.kind !== 'checking') return;
    discoverIdentity(state.token).then(
      (identity) => setState({ kind: 'signed-in', token: state.token, identity }),
      (failure: unknown) => {
        const error = asRequestError(failure);
        if (error.unauthenticated) signOut(`Signed out: ${error.message}`);
        else setState({ kind: 'unavailable', token: state.token, error });
      },
    );
  }, [state, signOut]);

  const retrySignIn = useCallback(
    () => setState((current) => (current.kind === 'unavailable' ? { kind: 'checking', token: current.token } : current)),
    [],
  );

  switch (state.kind) {
    case 'checking':
      return <p className="loading-page">Signing in…</p>;
    case 'unavailable':
      return <SignInUnavailable error={state.error} onRetry={retrySignIn} onSignOut={signOut} />;
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
  const [location] = useLocation();
  useEffect(() => {
    // A block, not an expression: Chromium's scrollTo returns a promise, which React would take for a clean-up.
    window.scrollTo(0, 0);
  }, [location]);
  return (
    <>
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <Header />
      <main id="content" tabIndex={-1}>
        <Switch>
          <Page path={ROUTE_PATTERNS.overview}>
            <OverviewPage />
          </Page>
          <Page path={ROUTE_PATTERNS.rollout}>
            {({ cluster, namespace, name }) => (
              <RolloutPage key={`${cluster}/${namespace}/${name}`} rolloutRef={{ cluster, namespace, name }} />
            )}
          </Page>
          <Page path={ROUTE_PATTERNS.analysisRun}>
            {({ cluster, namespace, name }) => (
              <AnalysisRunPage key={`${cluster}/${namespace}/${name}`} runRef={{ cluster, namespace, name }} />
            )}
          </Page>
          <Page path={ROUTE_PATTERNS.experiment}>
            {({ cluster, namespace, name }) => (
              <ExperimentPage key={`${cluster}/${namespace}/${name}`} experimentRef={{ cluster, namespace, name }} />
            )}
          </Page>
          <Page path={ROUTE_PATTERNS.fleetRollouts}>
            <FleetRolloutsPage />
          </Page>
          <Page path={ROUTE_PATTERNS.fleetRollout}>
            {({ fleetRollout }) => <FleetRolloutPage key={`${fleetRollout}/current`} name={fleetRollout} releaseNumber={undefined} />}
          </Page>
          <Page path={ROUTE_PATTERNS.fleetRelease}>
            {({ fleetRollout = '', release }) => (
              <FleetRolloutPage key={`${fleetRollout}/${release}`} name={fleetRollout} releaseNumber={Number(release)} />
            )}
          </Page>
          <Page path={ROUTE_PATTERNS.audit}>
            <AuditPage />
          </Page>
          <Page path={ROUTE_PATTERNS.freezes}>
            <FreezesPage />
          </Page>
          <Page>
            <section className="card">
              <h1>Page not found</h1>
              <p>
                Nothing lives at <code>{location}</code>. <Link to={{ page: 'overview' }}>Back to the overview</Link>
              </p>
            </section>
          </Page>
        </Switch>
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

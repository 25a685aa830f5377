import type { DesiredTrafficRouting } from '@flotilla/protocol';
import { describe, expect, it } from 'vitest';
import { MissingObjectError } from '../../apps/agent/src/apply/ownership.js';
import {
  headerMatches,
  MANAGED_HEADER_ROUTES_ANNOTATION,
  recordedHeaderRules,
} from '../../apps/agent/src/apply/traffic/gateway-api-header-routes.js';
import {
  httpRouteChange,
  httpRoutesOf,
  type HttpRouteObject,
  type HttpRouteReference,
  type HttpRouteRule,
} from '../../apps/agent/src/apply/traffic/gateway-api.js';
import { desiredRouting } from '../../tools/src/agent-harness/desired-rollouts.js';

const ROUTE: HttpRouteReference = { namespace: 'shop', name: 'web-route', useHeaderRoutes: true };

const routing = (overrides: Partial<DesiredTrafficRouting> = {}): DesiredTrafficRouting =>
  desiredRouting({
    router: 'gatewayAPI',
    routing: {
      plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'web-route' } },
      managedRoutes: [{ name: 'first' }, { name: 'second' }],
    },
    canaryWeight: 20,
    stableWeight: 80,
    ...overrides,
  });

const weightedRule = (canaryWeight: number): HttpRouteRule => ({
  matches: [
    { path: { type: 'PathPrefix', value: '/shop' }, queryParams: [{ type: 'Exact', name: 'tier', value: 'gold' }], method: 'GET' },
    { path: { type: 'Exact', value: '/cart' } },
  ],
  filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'X-Via', value: 'gw' }] } }],
  backendRefs: [
    { name: 'web-stable', port: 8080, weight: 100 - canaryWeight },
    { name: 'web-canary', port: 8080, weight: canaryWeight },
  ],
});

const teamRule: HttpRouteRule = { matches: [{ path: { type: 'PathPrefix', value: '/docs' } }], backendRefs: [{ name: 'docs', port: 80 }] };

const canaryRef = { group: '', kind: 'Service', name: 'web-canary', port: 8080, weight: 1 };
const filters = weightedRule(0).filters;
const betaRule: HttpRouteRule = {
  matches: [
    {
      path: { type: 'PathPrefix', value: '/shop' },
      queryParams: [{ type: 'Exact', name: 'tier', value: 'gold' }],
      headers: [{ name: 'X-Beta', type: 'Exact', value: 'yes' }],
    },
    { path: { type: 'Exact', value: '/cart' }, headers: [{ name: 'X-Beta', type: 'Exact', value: 'yes' }] },
  ],
  filters,
  backendRefs: [canaryRef],
};

const httpRoute = (rules: HttpRouteRule[], annotations?: Record<string, string>): HttpRouteObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'web-route', namespace: 'shop', resourceVersion: '7', ...(annotations === undefined ? {} : { annotations }) },
  spec: { rules },
});

interface RouteChange {
  metadata: { annotations: Record<string, string | null> };
  spec: { rules: HttpRouteRule[] };
}

/** The HTTPRoute as it is after the change is merged, for a second converge. */
function applied(route: HttpRouteObject, change: RouteChange): HttpRouteObject {
  const annotation = change.metadata.annotations[MANAGED_HEADER_ROUTES_ANNOTATION];
  return httpRoute(
    change.spec.rules,
    annotation === null || annotation === undefined ? undefined : { [MANAGED_HEADER_ROUTES_ANNOTATION]: annotation },
  );
}

describe('headerMatches', () => {
  it.each([
    [{ exact: 'yes' }, { type: 'Exact', value: 'yes' }],
    [{ prefix: 'on' }, { type: 'RegularExpression', value: 'on.*' }],
    [{ regex: '^b(eta)?$' }, { type: 'RegularExpression', value: '^b(eta)?$' }],
  ])('turns %j into %j', (headerValue, expected) => {
    expect(headerMatches([{ headerName: 'X-Beta', headerValue }])).toEqual([{ name: 'X-Beta', ...expected }]);
  });
});

describe('httpRoutesOf', () => {
  it('puts header routes on the single httpRoute, and on listed routes only with useHeaderRoutes', () => {
    const rollout = { namespace: 'shop', name: 'web' };
    expect(httpRoutesOf(rollout, routing())).toEqual([ROUTE]);
    const listed = routing({
      routing: {
        plugins: { 'argoproj-labs/gatewayAPI': { namespace: 'edge', httpRoutes: [{ name: 'a', useHeaderRoutes: true }, { name: 'b' }] } },
      },
    });
    expect(httpRoutesOf(rollout, listed)).toEqual([
      { namespace: 'edge', name: 'a', useHeaderRoutes: true },
      { namespace: 'edge', name: 'b', useHeaderRoutes: false },
    ]);
  });
});

describe('httpRouteChange', () => {
  const beta = { name: 'second', match: [{ headerName: 'X-Beta', headerValue: { exact: 'yes' } }] };

  it('appends a header rule built from the weighted rule and records it, leaving the team rule alone', () => {
    const change = httpRouteChange(httpRoute([weightedRule(0), teamRule]), routing({ headerRoutes: [beta] }), ROUTE) as RouteChange;
    expect(change.spec.rules).toEqual([weightedRule(20), teamRule, betaRule]);
    expect(change.metadata.annotations).toEqual({ [MANAGED_HEADER_ROUTES_ANNOTATION]: JSON.stringify({ second: betaRule }) });
  });

  it('changes nothing on a second converge', () => {
    const desired = routing({ headerRoutes: [beta] });
    const first = httpRouteChange(httpRoute([weightedRule(0), teamRule]), desired, ROUTE) as RouteChange;
    expect(httpRouteChange(applied(httpRoute([]), first), desired, ROUTE)).toBeUndefined();
  });

  it('replaces its rule when the header route changes, keeps it when only the weight changes, and orders rules as managedRoutes', () => {
    const route = applied(
      httpRoute([]),
      httpRouteChange(httpRoute([weightedRule(0), teamRule]), routing({ headerRoutes: [beta] }), ROUTE) as RouteChange,
    );
    const reweighted = httpRouteChange(route, routing({ headerRoutes: [beta], canaryWeight: 50, stableWeight: 50 }), ROUTE) as RouteChange;
    expect(reweighted.spec.rules).toEqual([weightedRule(50), teamRule, betaRule]);

    const first = { name: 'first', match: [{ headerName: 'X-Tier', headerValue: { prefix: 'gold' } }] };
    const changedBeta = { ...beta, match: [{ headerName: 'X-Beta', headerValue: { regex: 'y.s' } }] };
    const changed = httpRouteChange(route, routing({ headerRoutes: [changedBeta, first] }), ROUTE) as RouteChange;
    const headersOf = (rule: HttpRouteRule | undefined) => rule?.matches?.[0]?.headers;
    expect(changed.spec.rules.slice(0, 2)).toEqual([weightedRule(20), teamRule]);
    expect(changed.spec.rules.slice(2).map(headersOf)).toEqual([
      [{ name: 'X-Tier', type: 'RegularExpression', value: 'gold.*' }],
      [{ name: 'X-Beta', type: 'RegularExpression', value: 'y.s' }],
    ]);
    expect(Object.keys(recordedHeaderRules(changed.metadata.annotations as Record<string, string>))).toEqual(['first', 'second']);
  });

  it('removes its rule when the header route has no match or is no longer wanted, and the annotation with it', () => {
    const route = applied(
      httpRoute([]),
      httpRouteChange(httpRoute([weightedRule(0), teamRule]), routing({ headerRoutes: [beta] }), ROUTE) as RouteChange,
    );
    for (const headerRoutes of [[{ name: 'second' }], []]) {
      const change = httpRouteChange(route, routing({ headerRoutes }), ROUTE) as RouteChange;
      expect(change.spec.rules).toEqual([weightedRule(20), teamRule]);
      expect(change.metadata.annotations).toEqual({ [MANAGED_HEADER_ROUTES_ANNOTATION]: null });
    }
  });

  it('keeps a team rule equal to no recorded rule, even one sending a header to the canary', () => {
    const teamHeaderRule = { ...betaRule, matches: betaRule.matches?.slice(0, 1) };
    const route = httpRoute([weightedRule(20), teamHeaderRule, betaRule], {
      [MANAGED_HEADER_ROUTES_ANNOTATION]: JSON.stringify({ second: betaRule }),
    });
    const change = httpRouteChange(route, routing(), ROUTE) as RouteChange;
    // A team rule's canary backendRef is weighted like any other.
    expect(change.spec.rules).toEqual([weightedRule(20), { ...teamHeaderRule, backendRefs: [{ ...canaryRef, weight: 20 }] }]);
  });

  it('adds no header rule to an HTTPRoute without useHeaderRoutes, removing one recorded before', () => {
    const route = httpRoute([weightedRule(20), betaRule], { [MANAGED_HEADER_ROUTES_ANNOTATION]: JSON.stringify({ second: betaRule }) });
    const change = httpRouteChange(route, routing({ headerRoutes: [beta] }), { ...ROUTE, useHeaderRoutes: false }) as RouteChange;
    expect(change.spec.rules).toEqual([weightedRule(20)]);
    expect(
      httpRouteChange(httpRoute([weightedRule(20)]), routing({ headerRoutes: [beta] }), { ...ROUTE, useHeaderRoutes: false }),
    ).toBeUndefined();
  });

  it('matches everything the rule did when the weighted rule has no matches, and fails without a rule holding both services', () => {
    const bare = {
      backendRefs: [
        { name: 'web-stable', weight: 80 },
        { name: 'web-canary', weight: 20 },
      ],
    };
    const change = httpRouteChange(httpRoute([bare]), routing({ headerRoutes: [beta] }), ROUTE) as RouteChange;
    expect(change.spec.rules[1]).toEqual({
      matches: [{ headers: [{ name: 'X-Beta', type: 'Exact', value: 'yes' }] }],
      backendRefs: [{ group: '', kind: 'Service', name: 'web-canary', weight: 1 }],
    });
    expect(() => httpRouteChange(httpRoute([teamRule]), routing({ headerRoutes: [beta] }), ROUTE)).toThrow(MissingObjectError);
  });

  it('reads an unreadable record as no rules', () => {
    expect(recordedHeaderRules({ [MANAGED_HEADER_ROUTES_ANNOTATION]: 'not json' })).toEqual({});
    expect(recordedHeaderRules({ [MANAGED_HEADER_ROUTES_ANNOTATION]: '[1]' })).toEqual({});
  });
});

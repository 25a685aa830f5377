import type { SetHeaderRoute } from '@flotilla/argo-spec';
import { startKubeSim, type KubeSim } from '@flotilla/kube-sim';
import type { AgentMessage } from '@flotilla/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MANAGED_HEADER_ROUTES_ANNOTATION } from '../../apps/agent/src/apply/traffic/gateway-api-header-routes.js';
import { startAgentUnderTest, eventually, type AgentUnderTest } from './support/agent-harness.js';
import { canaryRollout } from '../../tools/src/agent-harness/desired-rollouts.js';

const CLUSTER = 'edge';
const SERVICES = { stable: 'web-stable', canary: 'web-canary' };
let sim: KubeSim;
let running: AgentUnderTest | undefined;

interface HttpRouteShape {
  metadata: { resourceVersion: string; annotations?: Record<string, string> };
  spec: { parentRefs: unknown; rules: unknown[] };
}

beforeAll(async () => {
  sim = await startKubeSim({ clusters: [CLUSTER], podReadyDelayMs: 40 });
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
});

afterAll(async () => {
  await sim.stop();
});

const weightedRule = (canaryWeight: number) => ({
  matches: [{ path: { type: 'PathPrefix', value: '/' }, queryParams: [{ type: 'Exact', name: 'tier', value: 'gold' }] }],
  backendRefs: [
    { name: 'web-stable', port: 80, weight: 100 - canaryWeight },
    { name: 'web-canary', port: 80, weight: canaryWeight },
  ],
});
const teamRule = { matches: [{ path: { type: 'PathPrefix', value: '/docs' } }], backendRefs: [{ name: 'docs', port: 80 }] };
const headerRule = (headers: unknown[]) => ({
  matches: [{ path: { type: 'PathPrefix', value: '/' }, queryParams: [{ type: 'Exact', name: 'tier', value: 'gold' }], headers }],
  backendRefs: [{ group: '', kind: 'Service', name: 'web-canary', port: 80, weight: 1 }],
});

const applied = (version: number) => (message: AgentMessage) => message.type === 'applied' && message.desiredVersion === version;

describe('Gateway API header routes', () => {
  it('adds, replaces and removes the header route rule of the HTTPRoute, leaves the team’s rule alone and writes nothing when it is already right', async () => {
    const namespace = 'gateway-header-routes';
    sim.apply(CLUSTER, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    for (const service of Object.values(SERVICES))
      sim.apply(CLUSTER, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: service, namespace },
        spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
      });
    sim.apply(CLUSTER, {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'web-route', namespace },
      spec: { parentRefs: [{ name: 'gateway' }], rules: [weightedRule(0), teamRule] },
    });
    const httpRoute = () =>
      sim.get<HttpRouteShape>(CLUSTER, { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', namespace, name: 'web-route' });
    running = await startAgentUnderTest(sim, CLUSTER);
    const { controlPlane, agent } = running;
    const routing = {
      plugins: { 'argoproj-labs/gatewayAPI': { httpRoutes: [{ name: 'web-route', useHeaderRoutes: true }] } },
      managedRoutes: [{ name: 'beta' }],
    };
    const desired = (version: number, headerRoutes: SetHeaderRoute[]) =>
      canaryRollout({
        namespace,
        name: 'web',
        version,
        stable: { hash: 's1', replicas: 1 },
        canary: { hash: 'c1', replicas: 1 },
        services: SERVICES,
        traffic: { router: 'gatewayAPI', routing, canaryWeight: 25, headerRoutes },
      });

    const exactBeta = { name: 'beta', match: [{ headerName: 'X-Beta', headerValue: { exact: 'yes' } }] };
    controlPlane.desired.set(`${namespace}/web`, desired(1, [exactBeta]));
    await controlPlane.waitFor(applied(1));
    const added = [headerRule([{ name: 'X-Beta', type: 'Exact', value: 'yes' }])];
    expect(httpRoute()?.spec.rules).toEqual([weightedRule(25), teamRule, ...added]);
    expect(JSON.parse(httpRoute()?.metadata.annotations?.[MANAGED_HEADER_ROUTES_ANNOTATION] ?? '{}')).toEqual({ beta: added[0] });
    expect(httpRoute()?.spec.parentRefs).toEqual([{ name: 'gateway' }]);

    const before = { writes: agent.stats().writes, resourceVersion: httpRoute()?.metadata.resourceVersion };
    controlPlane.publish(desired(2, [exactBeta]));
    await controlPlane.waitFor(applied(2));
    expect(agent.stats().writes).toBe(before.writes);
    expect(httpRoute()?.metadata.resourceVersion).toBe(before.resourceVersion);

    controlPlane.publish(desired(3, [{ name: 'beta', match: [{ headerName: 'X-Beta', headerValue: { prefix: 'on' } }] }]));
    await controlPlane.waitFor(applied(3));
    expect(httpRoute()?.spec.rules).toEqual([
      weightedRule(25),
      teamRule,
      headerRule([{ name: 'X-Beta', type: 'RegularExpression', value: 'on.*' }]),
    ]);

    controlPlane.publish(desired(4, []));
    await controlPlane.waitFor(applied(4));
    await eventually(() => expect(httpRoute()?.spec.rules).toEqual([weightedRule(25), teamRule]));
    expect(httpRoute()?.metadata.annotations?.[MANAGED_HEADER_ROUTES_ANNOTATION]).toBeUndefined();
  });
});

import { startKubeSim, type KubeObject, type KubeSim } from '@flotilla/kube-sim';
import type { RolloutTrafficRouting } from '@flotilla/argo-spec';
import type { AgentMessage } from '@flotilla/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAgentUnderTest, eventually, type AgentUnderTest } from './support/agent-harness.js';
import { canaryRollout } from '../../tools/src/agent-harness/desired-rollouts.js';

const CLUSTER = 'edge';
const SERVICES = { stable: 'web-stable', canary: 'web-canary' };
let sim: KubeSim;
let running: AgentUnderTest | undefined;
let namespaceCounter = 0;

function nextNamespace(): string {
  const name = `istio-l4-${++namespaceCounter}`;
  sim.apply(CLUSTER, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  for (const service of Object.values(SERVICES))
    sim.apply(CLUSTER, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: service, namespace: name },
      spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
    });
  return name;
}

interface Destination {
  destination: { host: string; port?: { number: number } };
  weight?: number;
}

interface VirtualServiceShape {
  spec: {
    hosts: string[];
    gateways: string[];
    http?: Array<{ name?: string; route: Destination[] }>;
    tls?: Array<{ match: unknown[]; route: Destination[] }>;
    tcp?: Array<{ match: unknown[]; route: Destination[] }>;
  };
}

const getVirtualService = (namespace: string): VirtualServiceShape | undefined =>
  sim.get<VirtualServiceShape>(CLUSTER, { apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', namespace, name: 'web-vsvc' });

const servedWeight = (namespace: string, weight: number) => (message: AgentMessage) =>
  message.type === 'observed' &&
  message.rollout.namespace === namespace &&
  (message.state.trafficWeights as Record<string, number | undefined>).istio === weight;

const split = (port: number, stable: number, canary: number): Destination[] => [
  { destination: { host: 'web-stable', port: { number: port } }, weight: stable },
  { destination: { host: 'web-canary', port: { number: port } }, weight: canary },
];
const weights = (routes: Array<{ route: Destination[] }> | undefined) =>
  routes?.map((route) => route.route.map((destination) => destination.weight));

const webTls = { port: 443, sniHosts: ['web.example'] };
const adminTls = { port: 443, sniHosts: ['admin.example'] };

function virtualService(namespace: string, spec: Partial<VirtualServiceShape['spec']>): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'VirtualService',
    metadata: { name: 'web-vsvc', namespace },
    spec: { hosts: ['web.example', 'admin.example'], gateways: ['edge-gateway'], ...spec },
  };
}

function rollout(namespace: string, version: number, routing: RolloutTrafficRouting, canaryWeight: number) {
  return canaryRollout({
    namespace,
    name: 'web',
    version,
    stable: { hash: 's1', replicas: 1 },
    canary: { hash: 'c1', replicas: 1 },
    services: SERVICES,
    traffic: { router: 'istio', routing, canaryWeight },
  });
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

describe('Istio TLS and TCP routes', () => {
  it('weights the HTTP route and the TLS and TCP routes the rollout selects, leaving the other routes and fields alone', async () => {
    const namespace = nextNamespace();
    sim.apply(
      CLUSTER,
      virtualService(namespace, {
        http: [{ name: 'primary', route: split(80, 100, 0) }],
        tls: [
          { match: [webTls], route: split(443, 100, 0) },
          { match: [adminTls], route: split(443, 100, 0) },
        ],
        tcp: [
          { match: [{ port: 5432 }], route: split(5432, 100, 0) },
          { match: [{ port: 6379 }], route: split(6379, 100, 0) },
        ],
      }),
    );
    running = await startAgentUnderTest(sim, CLUSTER);
    const routing = {
      istio: { virtualService: { name: 'web-vsvc', routes: ['primary'], tlsRoutes: [webTls], tcpRoutes: [{ port: 5432 }] } },
    };
    running.controlPlane.desired.set(`${namespace}/web`, rollout(namespace, 1, routing, 30));
    await running.controlPlane.waitFor(servedWeight(namespace, 30));
    const weighted = getVirtualService(namespace)?.spec;
    expect(weights(weighted?.http)).toEqual([[70, 30]]);
    expect(weighted?.tls).toEqual([
      { match: [webTls], route: split(443, 70, 30) },
      { match: [adminTls], route: split(443, 100, 0) },
    ]);
    expect(weighted?.tcp).toEqual([
      { match: [{ port: 5432 }], route: split(5432, 70, 30) },
      { match: [{ port: 6379 }], route: split(6379, 100, 0) },
    ]);
    expect(weighted?.hosts).toEqual(['web.example', 'admin.example']);
    expect(weighted?.gateways).toEqual(['edge-gateway']);

    const mark = running.controlPlane.received.length;
    running.controlPlane.publish(rollout(namespace, 2, routing, 0));
    await running.controlPlane.waitFor(servedWeight(namespace, 0), 10_000, mark);
    await eventually(() => {
      const spec = getVirtualService(namespace)?.spec;
      expect(weights(spec?.tls)).toEqual([
        [100, 0],
        [100, 0],
      ]);
      expect(weights(spec?.tcp)).toEqual([
        [100, 0],
        [100, 0],
      ]);
    });
  });

  it('weights the only TLS route when the rollout names none, adds no HTTP routes to a VirtualService without them, and reports the weight it serves', async () => {
    const namespace = nextNamespace();
    sim.apply(CLUSTER, virtualService(namespace, { tls: [{ match: [webTls], route: split(443, 100, 0) }] }));
    running = await startAgentUnderTest(sim, CLUSTER);
    running.controlPlane.desired.set(`${namespace}/web`, rollout(namespace, 1, { istio: { virtualService: { name: 'web-vsvc' } } }, 40));
    await eventually(() => expect(weights(getVirtualService(namespace)?.spec.tls)).toEqual([[60, 40]]));
    expect(getVirtualService(namespace)?.spec.http).toBeUndefined();
    await running.controlPlane.waitFor(servedWeight(namespace, 40), 10_000);
  });
});

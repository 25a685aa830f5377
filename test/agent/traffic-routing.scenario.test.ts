import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startKubeSim, type KubeObject, type KubeSim } from '@flotilla/kube-sim';
import { MANAGED_BY_LABEL, ROLLOUT_LABEL, type AgentMessage } from '@flotilla/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAgentUnderTest, eventually, type AgentUnderTest } from './support/agent-harness.js';
import { canaryRollout, type CanaryOptions } from '../../tools/src/agent-harness/desired-rollouts.js';

const CLUSTER = 'edge';
const SERVICES = { stable: 'web-stable', canary: 'web-canary' };
let sim: KubeSim;
let running: AgentUnderTest | undefined;
let namespaceCounter = 0;

function nextNamespace(): string {
  const name = `traffic-${++namespaceCounter}`;
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

const get = <T = KubeObject>(apiVersion: string, kind: string, namespace: string, name: string): T | undefined =>
  sim.get<T>(CLUSTER, { apiVersion, kind, namespace, name });

const servedWeight = (namespace: string, router: string, weight: number) => (message: AgentMessage) =>
  message.type === 'observed' &&
  message.rollout.namespace === namespace &&
  (message.state.trafficWeights as Record<string, number | undefined>)[router] === weight;

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

interface IngressShape {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    ingressClassName?: string;
    rules: Array<{ host: string; http: { paths: Array<{ backend: { service: { name: string } } }> } }>;
    tls?: unknown[];
  };
}

describe('NGINX', () => {
  it('clones the stable Ingress into an owned canary Ingress with its weight, then follows weight changes', async () => {
    const namespace = nextNamespace();
    const stableIngress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace, annotations: { 'kubernetes.io/ingress.class': 'nginx', 'team/note': 'keep' } },
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: ['shop.example'], secretName: 'shop-tls' }],
        rules: [
          {
            host: 'shop.example',
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web-stable', port: { number: 80 } } } }] },
          },
          {
            host: 'admin.example',
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'admin', port: { number: 80 } } } }] },
          },
        ],
      },
    };
    sim.apply(CLUSTER, stableIngress);
    const before = get('networking.k8s.io/v1', 'Ingress', namespace, 'web');
    running = await startAgentUnderTest(sim, CLUSTER);
    const routing = { nginx: { stableIngress: 'web', additionalIngressAnnotations: { 'canary-by-cookie': 'beta' } } };
    running.controlPlane.desired.set(
      `${namespace}/shop`,
      canaryRollout({
        namespace,
        name: 'shop',
        version: 1,
        stable: { hash: 's1', replicas: 1 },
        canary: { hash: 'c1', replicas: 1 },
        services: SERVICES,
        traffic: { router: 'nginx', routing, canaryWeight: 20 },
      }),
    );
    await running.controlPlane.waitFor(servedWeight(namespace, 'nginx', 20));
    const canary = get<IngressShape>('networking.k8s.io/v1', 'Ingress', namespace, 'shop-web-canary');
    expect(canary?.metadata.labels).toEqual({ [MANAGED_BY_LABEL]: 'flotilla', [ROLLOUT_LABEL]: 'shop' });
    expect(canary?.metadata.annotations).toEqual({
      'kubernetes.io/ingress.class': 'nginx',
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '20',
      'nginx.ingress.kubernetes.io/canary-by-cookie': 'beta',
    });
    expect(canary?.spec.rules.map((rule) => [rule.host, rule.http.paths[0]?.backend.service.name])).toEqual([
      ['shop.example', 'web-canary'],
    ]);
    expect(canary?.spec.tls).toEqual(stableIngress.spec.tls);

    running.controlPlane.publish(
      canaryRollout({
        namespace,
        name: 'shop',
        version: 2,
        stable: { hash: 's1', replicas: 1 },
        canary: { hash: 'c1', replicas: 2 },
        services: SERVICES,
        traffic: { router: 'nginx', routing, canaryWeight: 60 },
      }),
    );
    await running.controlPlane.waitFor(servedWeight(namespace, 'nginx', 60));
    expect(get('networking.k8s.io/v1', 'Ingress', namespace, 'web')).toEqual(before);

    running.controlPlane.deleteRollout({ namespace, name: 'shop' }, 3);
    await eventually(() => expect(get('networking.k8s.io/v1', 'Ingress', namespace, 'shop-web-canary')).toBeUndefined());
    expect(get('networking.k8s.io/v1', 'Ingress', namespace, 'web')).toEqual(before);
  });
});

interface VirtualServiceShape {
  metadata: { annotations?: Record<string, string> };
  spec: {
    hosts: string[];
    http: Array<{ name?: string; match?: unknown[]; route: Array<{ destination: { host: string }; weight?: number }> }>;
  };
}

/** The VirtualService in `namespace`; `servicesIn` qualifies its destination hosts with the Services' namespace. */
function virtualService(namespace: string, servicesIn?: string): KubeObject {
  const host = (service: string): string => (servicesIn === undefined ? service : `${service}.${servicesIn}`);
  return {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'VirtualService',
    metadata: { name: 'web-vsvc', namespace },
    spec: {
      hosts: ['web.example'],
      http: [
        {
          name: 'primary',
          route: [
            { destination: { host: host('web-stable') }, weight: 100 },
            { destination: { host: host('web-canary') }, weight: 0 },
          ],
        },
        { name: 'static', route: [{ destination: { host: 'assets' } }] },
      ],
    },
  };
}

/** The first version of `web` in `namespace`: a canary at `canaryWeight` % through Istio `routing`. */
const istioCanary = (
  namespace: string,
  routing: NonNullable<CanaryOptions['traffic']>['routing'],
  canaryWeight: number,
  headerRoutes?: NonNullable<CanaryOptions['traffic']>['headerRoutes'],
) =>
  canaryRollout({
    namespace,
    name: 'web',
    version: 1,
    stable: { hash: 's1', replicas: 1 },
    canary: { hash: 'c1', replicas: 1 },
    services: SERVICES,
    traffic: { router: 'istio', routing, canaryWeight, ...(headerRoutes ? { headerRoutes } : {}) },
  });

describe('Istio', () => {
  it('sets destination weights of the named route and places the managed header route first, leaving other routes alone', async () => {
    const namespace = nextNamespace();
    sim.apply(CLUSTER, virtualService(namespace));
    running = await startAgentUnderTest(sim, CLUSTER);
    const routing = { istio: { virtualService: { name: 'web-vsvc', routes: ['primary'] } }, managedRoutes: [{ name: 'beta' }] };
    const headerRoutes = [{ name: 'beta', match: [{ headerName: 'x-beta', headerValue: { prefix: 'on' } }] }];
    running.controlPlane.desired.set(`${namespace}/web`, istioCanary(namespace, routing, 30, headerRoutes));
    await running.controlPlane.waitFor(servedWeight(namespace, 'istio', 30));
    const http = get<VirtualServiceShape>('networking.istio.io/v1beta1', 'VirtualService', namespace, 'web-vsvc')?.spec.http;
    expect(http).toEqual([
      { name: 'beta', match: [{ headers: { 'x-beta': { prefix: 'on' } } }], route: [{ destination: { host: 'web-canary' }, weight: 100 }] },
      {
        name: 'primary',
        route: [
          { destination: { host: 'web-stable' }, weight: 70 },
          { destination: { host: 'web-canary' }, weight: 30 },
        ],
      },
      { name: 'static', route: [{ destination: { host: 'assets' } }] },
    ]);

    // Observations from before the first write also served weight 0: only those after the change count.
    const mark = running.controlPlane.received.length;
    running.controlPlane.publish(
      canaryRollout({
        namespace,
        name: 'web',
        version: 2,
        stable: { hash: 'c1', replicas: 1 },
        services: SERVICES,
        traffic: { router: 'istio', routing, canaryWeight: 0 },
      }),
    );
    await running.controlPlane.waitFor(servedWeight(namespace, 'istio', 0), 10_000, mark);
    // The weight and the header route may land in separate writes; the route goes away with the next one.
    const routeNames = () =>
      get<VirtualServiceShape>('networking.istio.io/v1beta1', 'VirtualService', namespace, 'web-vsvc')?.spec.http.map(
        (route) => route.name,
      );
    await eventually(() => expect(routeNames()).toEqual(['primary', 'static']));
  });

  it('drives a VirtualService named name.namespace in that namespace, and restores its weight when someone changes it', async () => {
    const namespace = nextNamespace();
    const mesh = `mesh-${namespaceCounter}`;
    sim.apply(CLUSTER, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: mesh } });
    sim.apply(CLUSTER, virtualService(mesh, namespace));
    running = await startAgentUnderTest(sim, CLUSTER);
    const routing = { istio: { virtualService: { name: `web-vsvc.${mesh}`, routes: ['primary'] } }, managedRoutes: [{ name: 'beta' }] };
    const headerRoutes = [{ name: 'beta', match: [{ headerName: 'x-beta', headerValue: { exact: 'on' } }] }];
    running.controlPlane.desired.set(`${namespace}/web`, istioCanary(namespace, routing, 30, headerRoutes));
    await running.controlPlane.waitFor(servedWeight(namespace, 'istio', 30));
    const current = () => get<VirtualServiceShape>('networking.istio.io/v1beta1', 'VirtualService', mesh, 'web-vsvc');
    const primaryWeights = () =>
      current()
        ?.spec.http.find((route) => route.name === 'primary')
        ?.route.map((route) => route.weight);
    expect(current()?.spec.http.map((route) => route.name)).toEqual(['beta', 'primary', 'static']);
    expect(current()?.spec.http[0]?.route).toEqual([{ destination: { host: `web-canary.${namespace}` }, weight: 100 }]);
    expect(primaryWeights()).toEqual([70, 30]);

    // Someone puts the VirtualService back as it was written: the agent hears of it and weights it again.
    sim.apply(CLUSTER, virtualService(mesh, namespace));
    expect(primaryWeights()).toEqual([100, 0]);
    await eventually(() => expect(primaryWeights()).toEqual([70, 30]));
  });

  it('retries on a conflicting write between its read and its update, keeping the other writer’s change', async () => {
    const namespace = nextNamespace();
    sim.apply(CLUSTER, virtualService(namespace));
    let conflicts = 0;
    const proxy: Server = createServer((incoming, outgoing) => {
      const forward = (): void => {
        const upstream = httpRequest(
          new URL(incoming.url ?? '/', sim.url),
          { method: incoming.method, headers: incoming.headers },
          (answer) => {
            if (answer.statusCode === 409) conflicts += 1;
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
          },
        );
        incoming.pipe(upstream);
      };
      if (incoming.method === 'PATCH' && incoming.url?.includes('/virtualservices/web-vsvc') && conflicts === 0) {
        const current = get<VirtualServiceShape>('networking.istio.io/v1beta1', 'VirtualService', namespace, 'web-vsvc');
        if (current)
          sim.apply(CLUSTER, {
            ...current,
            spec: { ...current.spec, http: [...current.spec.http, { name: 'late', route: [{ destination: { host: 'late' } }] }] },
          } as unknown as KubeObject);
      }
      forward();
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      running = await startAgentUnderTest(sim, CLUSTER, { apiServer: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
      const routing = { istio: { virtualService: { name: 'web-vsvc', routes: ['primary'] } } };
      running.controlPlane.desired.set(`${namespace}/web`, istioCanary(namespace, routing, 10));
      await running.controlPlane.waitFor(servedWeight(namespace, 'istio', 10));
      expect(conflicts).toBe(1);
      const http = get<VirtualServiceShape>('networking.istio.io/v1beta1', 'VirtualService', namespace, 'web-vsvc')?.spec.http;
      expect(http?.map((route) => route.name)).toEqual(['primary', 'static', 'late']);
      expect(http?.[0]?.route.map((destination) => destination.weight)).toEqual([90, 10]);
    } finally {
      await running?.stop();
      running = undefined;
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});

describe('SMI and Gateway API', () => {
  it('creates an owned TrafficSplit when none exists and follows weight changes', async () => {
    const namespace = nextNamespace();
    running = await startAgentUnderTest(sim, CLUSTER);
    const traffic = (canaryWeight: number) => ({ router: 'smi' as const, routing: { smi: { rootService: 'web' } }, canaryWeight });
    running.controlPlane.desired.set(
      `${namespace}/web`,
      canaryRollout({
        namespace,
        name: 'web',
        version: 1,
        stable: { hash: 's1', replicas: 1 },
        canary: { hash: 'c1', replicas: 1 },
        services: SERVICES,
        traffic: traffic(5),
      }),
    );
    await running.controlPlane.waitFor(servedWeight(namespace, 'smi', 5));
    const split = get<{ metadata: { labels?: Record<string, string> }; spec: unknown }>(
      'split.smi-spec.io/v1alpha2',
      'TrafficSplit',
      namespace,
      'web',
    );
    expect(split?.metadata.labels?.[MANAGED_BY_LABEL]).toBe('flotilla');
    expect(split?.spec).toEqual({
      service: 'web',
      backends: [
        { service: 'web-canary', weight: 5 },
        { service: 'web-stable', weight: 95 },
      ],
    });
    running.controlPlane.publish(
      canaryRollout({
        namespace,
        name: 'web',
        version: 2,
        stable: { hash: 's1', replicas: 1 },
        canary: { hash: 'c1', replicas: 1 },
        services: SERVICES,
        traffic: traffic(40),
      }),
    );
    await running.controlPlane.waitFor(servedWeight(namespace, 'smi', 40));
  });

  it('weights the canary and stable backendRefs of the HTTPRoute and nothing else', async () => {
    const namespace = nextNamespace();
    sim.apply(CLUSTER, {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'web-route', namespace },
      spec: {
        parentRefs: [{ name: 'gateway' }],
        rules: [
          {
            backendRefs: [
              { name: 'web-stable', port: 80, weight: 100 },
              { name: 'web-canary', port: 80, weight: 0 },
            ],
          },
          { matches: [{ path: { type: 'PathPrefix', value: '/docs' } }], backendRefs: [{ name: 'docs', port: 80 }] },
        ],
      },
    });
    running = await startAgentUnderTest(sim, CLUSTER);
    const routing = { plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'web-route' } } };
    running.controlPlane.desired.set(
      `${namespace}/web`,
      canaryRollout({
        namespace,
        name: 'web',
        version: 1,
        stable: { hash: 's1', replicas: 1 },
        canary: { hash: 'c1', replicas: 1 },
        services: SERVICES,
        traffic: { router: 'gatewayAPI', routing, canaryWeight: 25 },
      }),
    );
    await running.controlPlane.waitFor(servedWeight(namespace, 'gatewayAPI', 25));
    const route = get<{ spec: { parentRefs: unknown; rules: unknown } }>(
      'gateway.networking.k8s.io/v1',
      'HTTPRoute',
      namespace,
      'web-route',
    );
    expect(route?.spec.rules).toEqual([
      {
        backendRefs: [
          { name: 'web-stable', port: 80, weight: 75 },
          { name: 'web-canary', port: 80, weight: 25 },
        ],
      },
      { matches: [{ path: { type: 'PathPrefix', value: '/docs' } }], backendRefs: [{ name: 'docs', port: 80 }] },
    ]);
    expect(route?.spec.parentRefs).toEqual([{ name: 'gateway' }]);
  });
});

import type { IstioVirtualService } from '@flotilla/argo-spec';
import { describe, expect, it } from 'vitest';
import {
  virtualServiceChange,
  virtualServicesOf,
  weightedTcpRoutes,
  weightedTlsRoutes,
  type IstioL4Route,
} from '../../apps/agent/src/apply/traffic/istio.js';
import { desiredRouting } from '../../tools/src/agent-harness/desired-rollouts.js';

const routing = desiredRouting;

const split = [
  { destination: { host: 'web-stable' }, weight: 100 },
  { destination: { host: 'web-canary' }, weight: 0 },
];
const weightsOf = (route: Pick<IstioL4Route, 'route'> | undefined) => route?.route?.map((destination) => destination.weight);
const UNWEIGHTED = [100, 0];
const WEIGHTED = [75, 25];

describe('weightedTlsRoutes selects routes as Argo does', () => {
  const vs = (tlsRoutes?: IstioVirtualService['tlsRoutes']): IstioVirtualService => ({
    name: 'vs',
    ...(tlsRoutes === undefined ? {} : { tlsRoutes }),
  });
  it.each<[string, IstioVirtualService, IstioL4Route['match'], number[]]>([
    ['port and SNI hosts match', vs([{ port: 443, sniHosts: ['web.example'] }]), [{ port: 443, sniHosts: ['web.example'] }], WEIGHTED],
    [
      'SNI hosts match in any order, spread over matches',
      vs([{ port: 443, sniHosts: ['b.example', 'a.example'] }]),
      [
        { port: 443, sniHosts: ['a.example'] },
        { port: 443, sniHosts: ['b.example', 'a.example'] },
      ],
      WEIGHTED,
    ],
    [
      'the route has an SNI host the selector lacks',
      vs([{ port: 443, sniHosts: ['web.example'] }]),
      [{ port: 443, sniHosts: ['web.example', 'admin.example'] }],
      UNWEIGHTED,
    ],
    [
      'the selector has an SNI host the route lacks',
      vs([{ port: 443, sniHosts: ['web.example', 'admin.example'] }]),
      [{ port: 443, sniHosts: ['web.example'] }],
      UNWEIGHTED,
    ],
    ['the port differs', vs([{ port: 8443, sniHosts: ['web.example'] }]), [{ port: 443, sniHosts: ['web.example'] }], UNWEIGHTED],
    [
      'the route names several ports',
      vs([{ port: 443, sniHosts: ['web.example'] }]),
      [
        { port: 443, sniHosts: ['web.example'] },
        { port: 8443, sniHosts: ['web.example'] },
      ],
      UNWEIGHTED,
    ],
    ['neither selector nor route names a port', vs([{ sniHosts: ['web.example'] }]), [{ sniHosts: ['web.example'] }], WEIGHTED],
    [
      'the selector names no port, the route does',
      vs([{ sniHosts: ['web.example'] }]),
      [{ port: 443, sniHosts: ['web.example'] }],
      UNWEIGHTED,
    ],
    [
      'a second selector matches',
      vs([
        { port: 8443, sniHosts: ['web.example'] },
        { port: 443, sniHosts: ['web.example'] },
      ]),
      [{ port: 443, sniHosts: ['web.example'] }],
      WEIGHTED,
    ],
    ['no tlsRoutes: every route', vs(), [{ port: 443, sniHosts: ['web.example'] }], WEIGHTED],
    ['empty tlsRoutes: every route', vs([]), [{ port: 443, sniHosts: ['web.example'] }], WEIGHTED],
  ])('%s', (_label, virtualService, match, expected) => {
    expect(weightsOf(weightedTlsRoutes([{ match, route: split }], virtualService, routing())[0])).toEqual(expected);
  });
});

describe('weightedTcpRoutes selects routes as Argo does', () => {
  const vs = (tcpRoutes?: IstioVirtualService['tcpRoutes']): IstioVirtualService => ({
    name: 'vs',
    ...(tcpRoutes === undefined ? {} : { tcpRoutes }),
  });
  it.each<[string, IstioVirtualService, IstioL4Route['match'], number[]]>([
    ['the port matches', vs([{ port: 5432 }]), [{ port: 5432 }], WEIGHTED],
    [
      'the port matches in every match',
      vs([{ port: 5432 }]),
      [
        { port: 5432, sourceLabels: { app: 'a' } },
        { port: 5432, sourceLabels: { app: 'b' } },
      ],
      WEIGHTED,
    ],
    ['the port differs', vs([{ port: 5433 }]), [{ port: 5432 }], UNWEIGHTED],
    ['the route names several ports', vs([{ port: 5432 }]), [{ port: 5432 }, { port: 5433 }], UNWEIGHTED],
    ['a route without matches has no port', vs([{}]), undefined, WEIGHTED],
    ['no tcpRoutes: every route', vs(), [{ port: 5432 }], WEIGHTED],
  ])('%s', (_label, virtualService, match, expected) => {
    expect(
      weightsOf(weightedTcpRoutes([{ ...(match === undefined ? {} : { match }), route: split }], virtualService, routing())[0]),
    ).toEqual(expected);
  });
});

describe('TLS and TCP destination weights', () => {
  it('weights canary, stable and additional destinations like HTTP ones, leaving other destinations and fields alone', () => {
    const desired = routing({
      canaryWeight: 20,
      stableWeight: 70,
      additionalDestinations: [{ serviceName: 'web-baseline', podTemplateHash: 'b1', weight: 10 }],
    });
    const route: IstioL4Route = {
      match: [{ port: 5432, sourceLabels: { team: 'shop' } }],
      route: [
        { destination: { host: 'web-stable.shop.svc.cluster.local', port: { number: 5432 } }, weight: 100 },
        { destination: { host: 'web-canary', port: { number: 5432 } }, weight: 0 },
        { destination: { host: 'web-baseline' } },
        { destination: { host: 'audit' }, weight: 0 },
      ],
      extra: 'kept',
    };
    expect(weightedTcpRoutes([route], { name: 'vs', tcpRoutes: [{ port: 5432 }] }, desired)).toEqual([
      {
        match: [{ port: 5432, sourceLabels: { team: 'shop' } }],
        route: [
          { destination: { host: 'web-stable.shop.svc.cluster.local', port: { number: 5432 } }, weight: 70 },
          { destination: { host: 'web-canary', port: { number: 5432 } }, weight: 20 },
          { destination: { host: 'web-baseline' }, weight: 10 },
          { destination: { host: 'audit' }, weight: 0 },
        ],
        extra: 'kept',
      },
    ]);
  });

  it('weights by subset when a DestinationRule is configured', () => {
    const desired = routing({
      routing: {
        istio: { virtualService: { name: 'vs' }, destinationRule: { name: 'dr', canarySubsetName: 'canary', stableSubsetName: 'stable' } },
      },
    });
    const bySubset = [
      { destination: { host: 'web', subset: 'stable' }, weight: 100 },
      { destination: { host: 'web', subset: 'canary' }, weight: 0 },
    ];
    expect(
      weightsOf(weightedTlsRoutes([{ match: [{ port: 443, sniHosts: ['web.example'] }], route: bySubset }], { name: 'vs' }, desired)[0]),
    ).toEqual(WEIGHTED);
  });

  it('leaves unselected routes and routes without destinations as they are', () => {
    const other = { match: [{ port: 443, sniHosts: ['admin.example'] }], route: split };
    const bare = { match: [{ port: 443, sniHosts: ['web.example'] }] };
    const routes = weightedTlsRoutes([other, bare], { name: 'vs', tlsRoutes: [{ port: 443, sniHosts: ['web.example'] }] }, routing());
    expect(routes[0]).toBe(other);
    expect(routes[1]).toBe(bare);
  });
});

describe('virtualServiceChange', () => {
  const virtualService: IstioVirtualService = {
    name: 'vs',
    routes: ['primary'],
    tlsRoutes: [{ port: 443, sniHosts: ['web.example'] }],
    tcpRoutes: [{ port: 5432 }],
  };
  const spec = {
    hosts: ['web.example'],
    http: [{ name: 'primary', route: split }],
    tls: [
      { match: [{ port: 443, sniHosts: ['web.example'] }], route: split },
      { match: [{ port: 443, sniHosts: ['admin.example'] }], route: split },
    ],
    tcp: [{ match: [{ port: 5432 }], route: split }],
  };

  it('changes the HTTP, TLS and TCP routes the rollout weights', () => {
    const change = virtualServiceChange(spec, virtualService, routing());
    expect(Object.keys(change ?? {})).toEqual(['http', 'tls', 'tcp']);
    expect(change?.http?.map(weightsOf)).toEqual([WEIGHTED]);
    expect(change?.tls?.map(weightsOf)).toEqual([WEIGHTED, UNWEIGHTED]);
    expect(change?.tcp?.map(weightsOf)).toEqual([WEIGHTED]);
  });

  it('writes only the lists that differ, and nothing once all are right', () => {
    const weighted = {
      ...spec,
      tls: weightedTlsRoutes(spec.tls, virtualService, routing()),
      tcp: weightedTcpRoutes(spec.tcp, virtualService, routing()),
    };
    expect(Object.keys(virtualServiceChange(weighted, virtualService, routing()) ?? {})).toEqual(['http']);
    const httpOnly = { hosts: ['web.example'], http: virtualServiceChange(spec, virtualService, routing())?.http };
    expect(virtualServiceChange(httpOnly, virtualService, routing())).toBeUndefined();
  });
});

describe('virtualServicesOf resolves names as upstream GetVirtualServiceNamespaceName', () => {
  const rollout = { namespace: 'shop', name: 'web' };
  it.each<[string, string, { namespace: string; name: string }]>([
    ['bare name: the rollout namespace', 'web-vsvc', { namespace: 'shop', name: 'web-vsvc' }],
    ['name.namespace: another namespace', 'web-vsvc.mesh', { namespace: 'mesh', name: 'web-vsvc' }],
    ['a name with a period: the last segment is the namespace', 'web-vsvc.v2.mesh', { namespace: 'mesh', name: 'web-vsvc.v2' }],
    ['several periods in the name', 'my.virtual.service.mesh', { namespace: 'mesh', name: 'my.virtual.service' }],
    ['the cluster.local suffix is dropped', 'web-vsvc.mesh.cluster.local', { namespace: 'mesh', name: 'web-vsvc' }],
    ['an empty namespace segment: the rollout namespace', 'web-vsvc.', { namespace: 'shop', name: 'web-vsvc' }],
  ])('%s', (_label, name, expected) => {
    const virtualService = { name, routes: ['primary'] };
    expect(virtualServicesOf(rollout, routing({ routing: { istio: { virtualService } } }))).toEqual([{ ...expected, virtualService }]);
  });

  it('resolves each of virtualServices on its own', () => {
    const virtualServices = [{ name: 'web-vsvc' }, { name: 'edge-vsvc.gateways' }];
    const located = virtualServicesOf(rollout, routing({ routing: { istio: { virtualServices } } }));
    expect(located.map(({ namespace, name }) => `${namespace}/${name}`)).toEqual(['shop/web-vsvc', 'gateways/edge-vsvc']);
  });
});

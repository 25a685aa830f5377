import type { CanaryStrategy } from '@flotilla/argo-spec';
import type { DesiredTrafficRouting } from '@flotilla/protocol';
import { describe, expect, it } from 'vitest';
import { trafficRoutingView } from './traffic-routing-view.js';

const rollout = { namespace: 'shop', name: 'checkout' };

const desired = (canaryWeight: number, extra: Partial<DesiredTrafficRouting> = {}): DesiredTrafficRouting => ({
  router: 'nginx',
  routing: {},
  canaryService: 'checkout-canary',
  stableService: 'checkout-stable',
  canaryPodTemplateHash: 'c',
  stablePodTemplateHash: 's',
  canaryWeight,
  stableWeight: 100 - canaryWeight,
  additionalDestinations: [],
  headerRoutes: [],
  mirrorRoutes: [],
  ...extra,
});

const canary = (trafficRouting: CanaryStrategy['trafficRouting']): CanaryStrategy => ({
  canaryService: 'checkout-canary',
  stableService: 'checkout-stable',
  steps: [{ setWeight: 20 }],
  trafficRouting,
});

describe('trafficRoutingView', () => {
  it('is null for a canary without a router and for a blue-green rollout', () => {
    expect(trafficRoutingView(rollout, canary(undefined), undefined, {})).toBeNull();
    expect(trafficRoutingView(rollout, undefined, undefined, {})).toBeNull();
  });

  it('sets the weight the engine asks for beside the weight the agent read back, with the header and mirror routes asked for', () => {
    const view = trafficRoutingView(
      rollout,
      canary({ nginx: { stableIngress: 'web' } }),
      desired(20, { headerRoutes: [{ name: 'beta-testers' }], mirrorRoutes: [{ name: 'shadow', percentage: 10 }] }),
      { nginx: 10 },
    );
    expect(view).toMatchObject({
      router: 'nginx',
      maxWeight: 100,
      desiredCanaryWeight: 20,
      desiredStableWeight: 80,
      observedCanaryWeight: 10,
      headerRoutes: ['beta-testers'],
      mirrorRoutes: ['shadow'],
    });
  });

  it('has no weights before the engine and the agent gave any', () => {
    expect(trafficRoutingView(rollout, canary({ smi: {} }), undefined, {})).toMatchObject({
      desiredCanaryWeight: null,
      desiredStableWeight: null,
      observedCanaryWeight: null,
    });
  });

  it.each([
    [
      'nginx: each stable Ingress and the canary Ingress beside it, the weight read from the first canary Ingress',
      { nginx: { stableIngresses: ['web', 'api'] } },
      [
        ['Ingress', 'shop', 'web', [], false],
        ['Ingress', 'shop', 'checkout-web-canary', [], true],
        ['Ingress', 'shop', 'api', [], false],
        ['Ingress', 'shop', 'checkout-api-canary', [], false],
      ],
    ],
    [
      'istio: the VirtualServices with their named, TLS and TCP routes, then the DestinationRule',
      {
        istio: {
          virtualServices: [{ name: 'checkout-vs', routes: ['primary'], tlsRoutes: [{ port: 443 }], tcpRoutes: [{ port: 9000 }] }],
          destinationRule: { name: 'checkout-dr', canarySubsetName: 'canary', stableSubsetName: 'stable' },
        },
      },
      [
        ['VirtualService', 'shop', 'checkout-vs', ['primary', 'tls 443', 'tcp 9000'], true],
        ['DestinationRule', 'shop', 'checkout-dr', [], false],
      ],
    ],
    [
      'istio: a VirtualService named `name.namespace` in that namespace, as Argo reads the name',
      { istio: { virtualService: { name: 'checkout-vs.mesh', routes: ['primary'] } } },
      [['VirtualService', 'mesh', 'checkout-vs', ['primary'], true]],
    ],
    [
      'smi: the TrafficSplit, named after the rollout unless the spec names it',
      { smi: { rootService: 'checkout' } },
      [['TrafficSplit', 'shop', 'checkout', [], true]],
    ],
    [
      'gatewayAPI: each HTTPRoute in the namespace the plugin names',
      { plugins: { 'argoproj-labs/gatewayAPI': { httpRoutes: [{ name: 'first' }, { name: 'second' }], namespace: 'gateways' } } },
      [
        ['HTTPRoute', 'gateways', 'first', [], true],
        ['HTTPRoute', 'gateways', 'second', [], false],
      ],
    ],
  ] as const)('%s', (_case, trafficRouting, objects) => {
    const view = trafficRoutingView(rollout, canary(trafficRouting as CanaryStrategy['trafficRouting']), desired(0), {});
    expect(view?.objects.map((object) => [object.kind, object.namespace, object.name, object.routes, object.weightSource])).toEqual(
      objects,
    );
  });
});

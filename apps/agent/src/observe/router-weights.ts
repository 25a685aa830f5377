import { canaryIngressName, type DesiredTrafficRouting, type RolloutKey } from '@flotilla/protocol';
import type { KubeObject } from '../kube/kube-object.js';
import { HTTP_ROUTES, INGRESSES, TRAFFIC_SPLITS, VIRTUAL_SERVICES, type Resource } from '../kube/resources.js';
import { httpRoutesOf, type HttpRouteObject } from '../apply/traffic/gateway-api.js';
import {
  isWeightedRoute,
  isWeightedTcpRoute,
  isWeightedTlsRoute,
  sideOf,
  virtualServicesOf,
  type IstioHttpRoute,
  type IstioL4Route,
} from '../apply/traffic/istio.js';
import { annotationPrefixOf, stableIngressesOf } from '../apply/traffic/nginx.js';
import { trafficSplitNameOf, type TrafficSplitObject } from '../apply/traffic/smi.js';

export type ObjectLookup = (resource: Resource, namespace: string, name: string) => KubeObject | undefined;

/**
 * The canary weight a traffic router applies, read back from its objects in the cluster (in `maxTrafficWeight`
 * units, as the engine asks for it). Undefined when the objects that would tell are missing.
 * @example nginx: canary Ingress annotated `canary-weight: "20"` → 20; stable Ingress but no canary Ingress → 0
 */
export function servedCanaryWeight(rollout: RolloutKey, routing: DesiredTrafficRouting, lookup: ObjectLookup): number | undefined {
  switch (routing.router) {
    case 'nginx': {
      const stableName = stableIngressesOf(routing)[0];
      if (stableName === undefined || lookup(INGRESSES, rollout.namespace, stableName) === undefined) return undefined;
      const canary = lookup(INGRESSES, rollout.namespace, canaryIngressName(rollout.name, stableName));
      const weight = canary?.metadata.annotations?.[`${annotationPrefixOf(routing)}/canary-weight`];
      return weight === undefined ? 0 : Number(weight);
    }
    case 'istio': {
      const reference = virtualServicesOf(rollout, routing)[0];
      if (reference === undefined) return undefined;
      const { namespace, name, virtualService } = reference;
      const spec = lookup(VIRTUAL_SERVICES, namespace, name)?.spec as
        { http?: IstioHttpRoute[]; tls?: IstioL4Route[]; tcp?: IstioL4Route[] } | undefined;
      if (spec === undefined) return undefined;
      const managed = new Set((routing.routing.managedRoutes ?? []).map((route) => route.name));
      // The first weighted route tells: HTTP, else TLS, else TCP (a VirtualService may split traffic with any of them).
      const weighted =
        (spec.http ?? []).find((route) => isWeightedRoute(route, virtualService, managed)) ??
        (spec.tls ?? []).find((route) => isWeightedTlsRoute(route, virtualService)) ??
        (spec.tcp ?? []).find((route) => isWeightedTcpRoute(route, virtualService));
      const canary = weighted?.route?.find((destination) => sideOf(destination.destination, routing) === 'canary');
      return weighted === undefined ? undefined : (canary?.weight ?? 0);
    }
    case 'smi': {
      const split = lookup(TRAFFIC_SPLITS, rollout.namespace, trafficSplitNameOf(rollout, routing)) as TrafficSplitObject | undefined;
      if (split === undefined) return undefined;
      return split.spec.backends?.find((backend) => backend.service === routing.canaryService)?.weight ?? 0;
    }
    case 'gatewayAPI': {
      const reference = httpRoutesOf(rollout, routing)[0];
      const route = reference && (lookup(HTTP_ROUTES, reference.namespace, reference.name) as HttpRouteObject | undefined);
      if (route === undefined) return undefined;
      const refs = (route.spec.rules ?? []).flatMap((rule) => rule.backendRefs ?? []);
      return refs.find((ref) => ref.name === routing.canaryService)?.weight ?? 0;
    }
  }
}

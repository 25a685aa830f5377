import type { IstioVirtualService, RouteMatch, SetHeaderRoute, SetMirrorRoute } from '@flotilla/argo-spec';
import type { RolloutKey } from '@flotilla/protocol';
import { POD_TEMPLATE_HASH_LABEL, type DesiredTrafficRouting } from '@flotilla/rollout-engine';
import type { ClusterState } from '../../kube/cluster-state.js';
import type { KubeHttp } from '../../kube/kube-http.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { DESTINATION_RULES, VIRTUAL_SERVICES } from '../../kube/resources.js';
import { sameJson } from '../ownership.js';
import { guardedUpdate } from './guarded-update.js';

interface IstioDestination {
  host: string;
  subset?: string;
  [field: string]: unknown;
}

interface IstioRouteDestination {
  destination: IstioDestination;
  weight?: number;
  [field: string]: unknown;
}

export interface IstioHttpRoute {
  name?: string;
  match?: unknown[];
  route?: IstioRouteDestination[];
  mirror?: IstioDestination;
  mirrorPercentage?: { value: number };
  [field: string]: unknown;
}

interface VirtualServiceObject extends KubeObject {
  spec: { http?: IstioHttpRoute[]; [field: string]: unknown };
}

interface DestinationRuleObject extends KubeObject {
  spec: { subsets?: Array<{ name: string; labels?: Record<string, string>; [field: string]: unknown }>; [field: string]: unknown };
}

export type Side = 'canary' | 'stable';

export const virtualServicesOf = (routing: DesiredTrafficRouting): IstioVirtualService[] => {
  const istio = routing.routing.istio;
  return istio?.virtualServices ?? (istio?.virtualService === undefined ? [] : [istio.virtualService]);
};

/** `web-canary` matches the destination hosts `web-canary` and `web-canary.shop.svc.cluster.local`. */
const hostMatches = (host: string, service: string | undefined): boolean => service !== undefined && (host === service || host.startsWith(`${service}.`));

/** Which side of the release a route destination sends traffic to, by subset when a DestinationRule is used. */
export function sideOf(destination: IstioDestination, routing: DesiredTrafficRouting): Side | undefined {
  const rule = routing.routing.istio?.destinationRule;
  if (rule !== undefined) {
    if (destination.subset === rule.canarySubsetName) return 'canary';
    if (destination.subset === rule.stableSubsetName) return 'stable';
    return undefined;
  }
  if (hostMatches(destination.host, routing.canaryService)) return 'canary';
  if (hostMatches(destination.host, routing.stableService)) return 'stable';
  return undefined;
}

/** The HTTP routes whose weights the rollout drives: those named in `routes`, or every route when none are named. */
export function isWeightedRoute(route: IstioHttpRoute, virtualService: IstioVirtualService, managed: ReadonlySet<string>): boolean {
  if (route.name !== undefined && managed.has(route.name)) return false;
  const named = virtualService.routes ?? [];
  return named.length === 0 || (route.name !== undefined && named.includes(route.name));
}

function weightFor(destination: IstioDestination, routing: DesiredTrafficRouting): number | undefined {
  const side = sideOf(destination, routing);
  if (side === 'canary') return routing.canaryWeight;
  if (side === 'stable') return routing.stableWeight;
  return routing.additionalDestinations.find((additional) => hostMatches(destination.host, additional.serviceName))?.weight;
}

function canaryDestination(weighted: IstioHttpRoute | undefined, routing: DesiredTrafficRouting): IstioDestination {
  const found = weighted?.route?.find((destination) => sideOf(destination.destination, routing) === 'canary')?.destination;
  if (found !== undefined) return { ...found };
  const rule = routing.routing.istio?.destinationRule;
  return { host: routing.canaryService ?? rule?.name ?? '', ...(rule === undefined ? {} : { subset: rule.canarySubsetName }) };
}

function headerRoute(route: SetHeaderRoute, canary: IstioDestination): IstioHttpRoute {
  const match = (route.match ?? []).map((header) => ({ headers: { [header.headerName]: { ...header.headerValue } } }));
  return { name: route.name, match, route: [{ destination: canary, weight: 100 }] };
}

function mirrorMatch(match: RouteMatch): Record<string, unknown> {
  return {
    ...(match.method === undefined ? {} : { method: { ...match.method } }),
    ...(match.path === undefined ? {} : { uri: { ...match.path } }),
    ...(match.headers === undefined ? {} : { headers: structuredClone(match.headers) }),
  };
}

function mirrorRoute(route: SetMirrorRoute, weighted: IstioHttpRoute | undefined, canary: IstioDestination): IstioHttpRoute {
  return {
    name: route.name,
    match: (route.match ?? []).map(mirrorMatch),
    route: structuredClone(weighted?.route ?? []),
    mirror: canary,
    mirrorPercentage: { value: route.percentage ?? 100 },
  };
}

/**
 * A VirtualService's HTTP routes with the rollout's weights and managed routes: destinations of the weighted routes
 * get the canary, stable and additional weights; header and mirror routes the rollout manages are placed first, in
 * the order of `managedRoutes`, and the ones no longer wanted are removed. Other routes are left as they are.
 * @example routes [{ name: 'primary', route: [web-stable 100, web-canary 0] }], canaryWeight 30, header route 'beta'
 * // → [{ name: 'beta', match: [{ headers: … }], route: [web-canary 100] }, { name: 'primary', route: [web-stable 70, web-canary 30] }]
 */
export function virtualServiceRoutes(http: IstioHttpRoute[], virtualService: IstioVirtualService, routing: DesiredTrafficRouting): IstioHttpRoute[] {
  const managedOrder = (routing.routing.managedRoutes ?? []).map((route) => route.name);
  const managed = new Set([...managedOrder, ...routing.headerRoutes.map((route) => route.name), ...routing.mirrorRoutes.map((route) => route.name)]);
  const kept = http
    .filter((route) => route.name === undefined || !managed.has(route.name))
    .map((route) => {
      if (!isWeightedRoute(route, virtualService, managed)) return route;
      const destinations = (route.route ?? []).map((destination) => {
        const weight = weightFor(destination.destination, routing);
        return weight === undefined ? destination : { ...destination, weight };
      });
      return { ...route, route: destinations };
    });
  const weighted = kept.find((route) => isWeightedRoute(route, virtualService, managed));
  const canary = canaryDestination(weighted, routing);
  const wanted = [...routing.headerRoutes.filter((route) => (route.match ?? []).length > 0).map((route) => headerRoute(route, canary)), ...routing.mirrorRoutes.map((route) => mirrorRoute(route, weighted, canary))];
  const rank = (route: IstioHttpRoute): number => {
    const index = managedOrder.indexOf(route.name ?? '');
    return index === -1 ? managedOrder.length : index;
  };
  return [...wanted.sort((left, right) => rank(left) - rank(right)), ...kept];
}

/**
 * A DestinationRule's subsets with the canary and stable subsets selecting their ReplicaSets by hash label.
 * @example subsets [{ name: 'canary', labels: { app: 'web' } }], canary hash 'def' → [{ name: 'canary', labels: { app: 'web', 'rollouts-pod-template-hash': 'def' } }]
 */
export function destinationRuleSubsets(subsets: NonNullable<DestinationRuleObject['spec']['subsets']>, routing: DesiredTrafficRouting) {
  const rule = routing.routing.istio?.destinationRule;
  const hashes: Record<Side, string> = { canary: routing.canaryPodTemplateHash, stable: routing.stablePodTemplateHash };
  return subsets.map((subset) => {
    const side: Side | undefined = subset.name === rule?.canarySubsetName ? 'canary' : subset.name === rule?.stableSubsetName ? 'stable' : undefined;
    return side === undefined ? subset : { ...subset, labels: { ...subset.labels, [POD_TEMPLATE_HASH_LABEL]: hashes[side] } };
  });
}

/** Drives Istio VirtualService weights and managed routes, and DestinationRule subsets for subset-level splits. */
export class IstioApplier {
  constructor(
    private readonly http: KubeHttp,
    private readonly cluster: ClusterState,
  ) {}

  async apply(rollout: RolloutKey, routing: DesiredTrafficRouting): Promise<number> {
    let writes = 0;
    const rule = routing.routing.istio?.destinationRule;
    if (rule !== undefined) {
      const rules = this.cluster.router(DESTINATION_RULES);
      await rules.whenSynced();
      writes += await guardedUpdate(this.http, rules, DESTINATION_RULES, rollout.namespace, rule.name, (current) => {
        const subsets = (current as DestinationRuleObject).spec.subsets ?? [];
        const updated = destinationRuleSubsets(subsets, routing);
        return sameJson(subsets, updated) ? undefined : { spec: { subsets: updated } };
      });
    }
    const virtualServices = this.cluster.router(VIRTUAL_SERVICES);
    await virtualServices.whenSynced();
    for (const virtualService of virtualServicesOf(routing)) {
      writes += await guardedUpdate(this.http, virtualServices, VIRTUAL_SERVICES, rollout.namespace, virtualService.name, (current) => {
        const http = (current as VirtualServiceObject).spec.http ?? [];
        const updated = virtualServiceRoutes(http, virtualService, routing);
        return sameJson(http, updated) ? undefined : { spec: { http: updated } };
      });
    }
    return writes;
  }
}

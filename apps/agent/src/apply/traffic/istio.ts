import {
  virtualServiceLocation,
  type IstioVirtualService,
  type RouteMatch,
  type SetHeaderRoute,
  type SetMirrorRoute,
} from '@flotilla/argo-spec';
import { POD_TEMPLATE_HASH_LABEL, type DesiredTrafficRouting, type RolloutKey } from '@flotilla/protocol';
import type { ClusterState } from '../../kube/cluster-state.js';
import type { KubeClient } from '../../kube/kube-client.js';
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

interface IstioL4Match {
  port?: number;
  sniHosts?: string[];
  [field: string]: unknown;
}

/** A TLS (`spec.tls[]`) or TCP (`spec.tcp[]`) route: its matches select traffic by port, and for TLS by SNI host. */
export interface IstioL4Route {
  match?: IstioL4Match[];
  route?: IstioRouteDestination[];
  [field: string]: unknown;
}

interface VirtualServiceRoutes {
  http: IstioHttpRoute[];
  tls: IstioL4Route[];
  tcp: IstioL4Route[];
}

interface VirtualServiceObject extends KubeObject {
  spec: Partial<VirtualServiceRoutes> & { [field: string]: unknown };
}

type TlsRouteSelector = NonNullable<IstioVirtualService['tlsRoutes']>[number];
type TcpRouteSelector = NonNullable<IstioVirtualService['tcpRoutes']>[number];

interface DestinationRuleObject extends KubeObject {
  spec: { subsets?: Array<{ name: string; labels?: Record<string, string>; [field: string]: unknown }>; [field: string]: unknown };
}

export type Side = 'canary' | 'stable';

/** A VirtualService the rollout's Istio routing names, with the namespace and name it has in the cluster. */
export interface VirtualServiceReference {
  namespace: string;
  name: string;
  virtualService: IstioVirtualService;
}

/** The VirtualServices the rollout's Istio routing names: `name.namespace` is one in another namespace, as upstream. */
export function virtualServicesOf(rollout: RolloutKey, routing: DesiredTrafficRouting): VirtualServiceReference[] {
  const istio = routing.routing.istio;
  const virtualServices = istio?.virtualServices ?? (istio?.virtualService === undefined ? [] : [istio.virtualService]);
  return virtualServices.map((virtualService) => ({ ...virtualServiceLocation(virtualService.name, rollout.namespace), virtualService }));
}

/** `web-canary` matches the destination hosts `web-canary` and `web-canary.shop.svc.cluster.local`. */
const hostMatches = (host: string, service: string | undefined): boolean =>
  service !== undefined && (host === service || host.startsWith(`${service}.`));

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

/** A route with the canary, stable and additional weights on its destinations; destinations of other services keep theirs. */
function withWeights<Route extends { route?: IstioRouteDestination[] }>(route: Route, routing: DesiredTrafficRouting): Route {
  if (route.route === undefined) return route;
  const destinations = route.route.map((destination) => {
    const weight = weightFor(destination.destination, routing);
    return weight === undefined ? destination : { ...destination, weight };
  });
  return { ...route, route: destinations };
}

/** The one port a TLS or TCP route's matches name (0 when they name none), undefined when they name several. */
function portOf(route: IstioL4Route): number | undefined {
  const ports = new Set((route.match ?? []).map((match) => match.port ?? 0));
  return ports.size > 1 ? undefined : ([...ports][0] ?? 0);
}

/** A `tcpRoutes` entry selects the routes whose matches name its port, and only that port. */
function selectsTcpRoute(selector: TcpRouteSelector, route: IstioL4Route): boolean {
  const port = portOf(route);
  return port !== undefined && port === (selector.port ?? 0);
}

/** A `tlsRoutes` entry selects the routes whose matches name its port, and exactly its SNI hosts between them. */
function selectsTlsRoute(selector: TlsRouteSelector, route: IstioL4Route): boolean {
  const hosts = [...new Set((route.match ?? []).flatMap((match) => match.sniHosts ?? []))].sort();
  return selectsTcpRoute(selector, route) && sameJson(hosts, [...(selector.sniHosts ?? [])].sort());
}

const isSelected = <Selector>(
  route: IstioL4Route,
  selectors: Selector[] | undefined,
  selects: (selector: Selector, route: IstioL4Route) => boolean,
): boolean => (selectors ?? []).length === 0 || (selectors ?? []).some((selector) => selects(selector, route));

/** Whether the rollout weights this TLS route: one its `tlsRoutes` select, or any when it lists none. */
export const isWeightedTlsRoute = (route: IstioL4Route, virtualService: IstioVirtualService): boolean =>
  isSelected(route, virtualService.tlsRoutes, selectsTlsRoute);

/** Whether the rollout weights this TCP route: one its `tcpRoutes` select, or any when it lists none. */
export const isWeightedTcpRoute = (route: IstioL4Route, virtualService: IstioVirtualService): boolean =>
  isSelected(route, virtualService.tcpRoutes, selectsTcpRoute);

/**
 * A VirtualService's TLS routes with the rollout's weights on the routes its `tlsRoutes` select (every route when it
 * lists none), the others left as they are.
 * @example tls [{ match: [{ port: 443, sniHosts: ['web.example'] }], route: [web-stable 100, web-canary 0] }], tlsRoutes [{ port: 443, sniHosts: ['web.example'] }], canaryWeight 30
 * // → [{ match: …, route: [web-stable 70, web-canary 30] }]
 */
export function weightedTlsRoutes(
  tls: IstioL4Route[],
  virtualService: IstioVirtualService,
  routing: DesiredTrafficRouting,
): IstioL4Route[] {
  return tls.map((route) => (isWeightedTlsRoute(route, virtualService) ? withWeights(route, routing) : route));
}

/**
 * A VirtualService's TCP routes with the rollout's weights on the routes its `tcpRoutes` select by port (every route
 * when it lists none), the others left as they are.
 * @example tcp [{ match: [{ port: 5432 }], route: [db-stable 100, db-canary 0] }], tcpRoutes [{ port: 5432 }], canaryWeight 30 → [{ match: …, route: [db-stable 70, db-canary 30] }]
 */
export function weightedTcpRoutes(
  tcp: IstioL4Route[],
  virtualService: IstioVirtualService,
  routing: DesiredTrafficRouting,
): IstioL4Route[] {
  return tcp.map((route) => (isWeightedTcpRoute(route, virtualService) ? withWeights(route, routing) : route));
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
export function virtualServiceRoutes(
  http: IstioHttpRoute[],
  virtualService: IstioVirtualService,
  routing: DesiredTrafficRouting,
): IstioHttpRoute[] {
  const managedOrder = (routing.routing.managedRoutes ?? []).map((route) => route.name);
  const managed = new Set([
    ...managedOrder,
    ...routing.headerRoutes.map((route) => route.name),
    ...routing.mirrorRoutes.map((route) => route.name),
  ]);
  const kept = http
    .filter((route) => route.name === undefined || !managed.has(route.name))
    .map((route) => (isWeightedRoute(route, virtualService, managed) ? withWeights(route, routing) : route));
  const weighted = kept.find((route) => isWeightedRoute(route, virtualService, managed));
  const canary = canaryDestination(weighted, routing);
  const wanted = [
    ...routing.headerRoutes.filter((route) => (route.match ?? []).length > 0).map((route) => headerRoute(route, canary)),
    ...routing.mirrorRoutes.map((route) => mirrorRoute(route, weighted, canary)),
  ];
  const rank = (route: IstioHttpRoute): number => {
    const index = managedOrder.indexOf(route.name ?? '');
    return index === -1 ? managedOrder.length : index;
  };
  return [...wanted.sort((left, right) => rank(left) - rank(right)), ...kept];
}

/**
 * The route lists of a VirtualService's spec that the rollout changes (HTTP, TLS, TCP), only those that differ from
 * what is there; undefined when all are already right.
 */
export function virtualServiceChange(
  spec: VirtualServiceObject['spec'],
  virtualService: IstioVirtualService,
  routing: DesiredTrafficRouting,
): Partial<VirtualServiceRoutes> | undefined {
  const current: VirtualServiceRoutes = { http: spec.http ?? [], tls: spec.tls ?? [], tcp: spec.tcp ?? [] };
  const updated: VirtualServiceRoutes = {
    http: virtualServiceRoutes(current.http, virtualService, routing),
    tls: weightedTlsRoutes(current.tls, virtualService, routing),
    tcp: weightedTcpRoutes(current.tcp, virtualService, routing),
  };
  const change: Partial<VirtualServiceRoutes> = {
    ...(sameJson(current.http, updated.http) ? {} : { http: updated.http }),
    ...(sameJson(current.tls, updated.tls) ? {} : { tls: updated.tls }),
    ...(sameJson(current.tcp, updated.tcp) ? {} : { tcp: updated.tcp }),
  };
  return Object.keys(change).length === 0 ? undefined : change;
}

/**
 * A DestinationRule's subsets with the canary and stable subsets selecting their ReplicaSets by hash label.
 * @example subsets [{ name: 'canary', labels: { app: 'web' } }], canary hash 'def' → [{ name: 'canary', labels: { app: 'web', 'rollouts-pod-template-hash': 'def' } }]
 */
export function destinationRuleSubsets(subsets: NonNullable<DestinationRuleObject['spec']['subsets']>, routing: DesiredTrafficRouting) {
  const rule = routing.routing.istio?.destinationRule;
  const hashes: Record<Side, string> = { canary: routing.canaryPodTemplateHash, stable: routing.stablePodTemplateHash };
  return subsets.map((subset) => {
    const side: Side | undefined =
      subset.name === rule?.canarySubsetName ? 'canary' : subset.name === rule?.stableSubsetName ? 'stable' : undefined;
    return side === undefined ? subset : { ...subset, labels: { ...subset.labels, [POD_TEMPLATE_HASH_LABEL]: hashes[side] } };
  });
}

/** Drives Istio VirtualService weights (HTTP, TLS and TCP routes) and managed HTTP routes, and DestinationRule subsets for subset-level splits. */
export class IstioApplier {
  constructor(
    private readonly kube: KubeClient,
    private readonly cluster: ClusterState,
  ) {}

  async apply(rollout: RolloutKey, routing: DesiredTrafficRouting): Promise<number> {
    let writes = 0;
    const rule = routing.routing.istio?.destinationRule;
    if (rule !== undefined) {
      const rules = this.cluster.router(DESTINATION_RULES);
      await rules.whenSynced();
      writes += await guardedUpdate(this.kube, rules, DESTINATION_RULES, rollout.namespace, rule.name, (current) => {
        const subsets = (current as DestinationRuleObject).spec.subsets ?? [];
        const updated = destinationRuleSubsets(subsets, routing);
        return sameJson(subsets, updated) ? undefined : { spec: { subsets: updated } };
      });
    }
    const virtualServices = this.cluster.router(VIRTUAL_SERVICES);
    await virtualServices.whenSynced();
    for (const { namespace, name, virtualService } of virtualServicesOf(rollout, routing)) {
      writes += await guardedUpdate(this.kube, virtualServices, VIRTUAL_SERVICES, namespace, name, (current) => {
        const change = virtualServiceChange((current as VirtualServiceObject).spec, virtualService, routing);
        return change === undefined ? undefined : { spec: change };
      });
    }
    return writes;
  }
}

import { GATEWAY_API_PLUGIN, virtualServiceLocation, type CanaryStrategy, type RolloutTrafficRouting } from '@flotilla/argo-spec';
import { canaryIngressName, type DesiredTrafficRouting, type RolloutKey } from '@flotilla/protocol';
import { maxTrafficWeight, trafficRouterOf } from '@flotilla/rollout-engine';

/** One cluster object a traffic router drives, and the routes of it that carry the split. */
export interface TrafficRouterObjectView {
  kind: 'Ingress' | 'VirtualService' | 'DestinationRule' | 'TrafficSplit' | 'HTTPRoute';
  namespace: string;
  name: string;
  /** What the router does with it, in a few words. */
  purpose: string;
  /** Routes of it that are weighted: HTTP route names, `tls <port>` / `tcp <port>`; empty when it has none to name. */
  routes: string[];
  /** The agent reads the served canary weight back from this object. */
  weightSource: boolean;
}

/** How a canary's traffic is split: the router, its objects, and the weight asked of it next to the weight it reported. */
export interface TrafficRoutingView {
  router: string;
  /** The weight that stands for all traffic (`maxTrafficWeight`, 100 unless the spec says otherwise). */
  maxWeight: number;
  canaryService: string | null;
  stableService: string | null;
  /** The canary weight the engine asks the router for; null before the engine first reconciled the rollout. */
  desiredCanaryWeight: number | null;
  desiredStableWeight: number | null;
  /** The canary weight the agent read back from the router's objects; null before it reported one. */
  observedCanaryWeight: number | null;
  objects: TrafficRouterObjectView[];
  /** Header routes (`setHeaderRoute`) the engine asks the router to carry now. */
  headerRoutes: string[];
  /** Mirror routes (`setMirrorRoute`) the engine asks the router to carry now. */
  mirrorRoutes: string[];
}

function nginxObjects(rollout: RolloutKey, routing: RolloutTrafficRouting): TrafficRouterObjectView[] {
  const nginx = routing.nginx;
  const stableIngresses = nginx?.stableIngresses ?? (nginx?.stableIngress === undefined ? [] : [nginx.stableIngress]);
  return stableIngresses.flatMap((stable, index): TrafficRouterObjectView[] => [
    {
      kind: 'Ingress',
      namespace: rollout.namespace,
      name: stable,
      purpose: 'stable Ingress, left as written',
      routes: [],
      weightSource: false,
    },
    {
      kind: 'Ingress',
      namespace: rollout.namespace,
      name: canaryIngressName(rollout.name, stable),
      purpose: 'canary Ingress: its canary-weight annotation',
      routes: [],
      weightSource: index === 0,
    },
  ]);
}

function istioObjects(rollout: RolloutKey, routing: RolloutTrafficRouting): TrafficRouterObjectView[] {
  const istio = routing.istio;
  const virtualServices = istio?.virtualServices ?? (istio?.virtualService === undefined ? [] : [istio.virtualService]);
  const objects = virtualServices.map((virtualService, index): TrafficRouterObjectView => ({
    kind: 'VirtualService',
    ...virtualServiceLocation(virtualService.name, rollout.namespace),
    purpose: 'destination weights of its routes',
    routes: [
      ...(virtualService.routes ?? []),
      ...(virtualService.tlsRoutes ?? []).map((route) => `tls ${route.port ?? route.sniHosts?.join(',') ?? '*'}`),
      ...(virtualService.tcpRoutes ?? []).map((route) => `tcp ${route.port ?? '*'}`),
    ],
    weightSource: index === 0,
  }));
  const rule = istio?.destinationRule;
  if (rule === undefined) return objects;
  return [
    ...objects,
    {
      kind: 'DestinationRule',
      namespace: rollout.namespace,
      name: rule.name,
      purpose: `subsets ${rule.canarySubsetName} (canary) and ${rule.stableSubsetName} (stable)`,
      routes: [],
      weightSource: false,
    },
  ];
}

function smiObjects(rollout: RolloutKey, routing: RolloutTrafficRouting): TrafficRouterObjectView[] {
  const smi = routing.smi;
  return [
    {
      kind: 'TrafficSplit',
      namespace: rollout.namespace,
      name: smi?.trafficSplitName ?? rollout.name,
      purpose: `backend weights${smi?.rootService ? ` of the root Service ${smi.rootService}` : ''}`,
      routes: [],
      weightSource: true,
    },
  ];
}

function gatewayApiObjects(rollout: RolloutKey, routing: RolloutTrafficRouting): TrafficRouterObjectView[] {
  const plugin = routing.plugins?.[GATEWAY_API_PLUGIN];
  const names = plugin?.httpRoutes?.map((route) => route.name) ?? (plugin?.httpRoute === undefined ? [] : [plugin.httpRoute]);
  return names.map((name, index) => ({
    kind: 'HTTPRoute',
    namespace: plugin?.namespace ?? rollout.namespace,
    name,
    purpose: 'backendRef weights of its rules',
    routes: [],
    weightSource: index === 0,
  }));
}

const OBJECTS_OF = {
  nginx: nginxObjects,
  istio: istioObjects,
  smi: smiObjects,
  gatewayAPI: gatewayApiObjects,
} as const;

/**
 * The traffic routing of a canary as people check it: which objects the router drives, the canary weight the engine
 * asks for (from the desired state) and the one the agent read back (from the observed state). Null for a blue-green
 * rollout or a canary without a router the engine drives.
 * @example an NGINX canary at 20%, the agent having seen 20:
 * // { router: 'nginx', desiredCanaryWeight: 20, desiredStableWeight: 80, observedCanaryWeight: 20,
 * //   objects: [{ kind: 'Ingress', name: 'web', … }, { kind: 'Ingress', name: 'checkout-web-canary', weightSource: true, … }], … }
 */
export function trafficRoutingView(
  rollout: RolloutKey,
  canary: CanaryStrategy | undefined,
  desired: DesiredTrafficRouting | undefined,
  observedWeights: Readonly<Record<string, number>>,
): TrafficRoutingView | null {
  const router = canary === undefined ? undefined : trafficRouterOf(canary);
  if (canary?.trafficRouting === undefined || router === undefined) return null;
  return {
    router,
    maxWeight: maxTrafficWeight(canary),
    canaryService: canary.canaryService ?? null,
    stableService: canary.stableService ?? null,
    desiredCanaryWeight: desired?.canaryWeight ?? null,
    desiredStableWeight: desired?.stableWeight ?? null,
    observedCanaryWeight: observedWeights[router] ?? null,
    objects: OBJECTS_OF[router](rollout, canary.trafficRouting),
    headerRoutes: (desired?.headerRoutes ?? []).map((route) => route.name),
    mirrorRoutes: (desired?.mirrorRoutes ?? []).map((route) => route.name),
  };
}

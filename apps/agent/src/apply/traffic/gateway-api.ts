import { GATEWAY_API_PLUGIN } from '@flotilla/argo-spec';
import type { DesiredTrafficRouting, RolloutKey } from '@flotilla/protocol';
import type { ClusterState } from '../../kube/cluster-state.js';
import type { KubeClient } from '../../kube/kube-client.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { HTTP_ROUTES } from '../../kube/resources.js';
import { sameJson } from '../ownership.js';
import {
  MANAGED_HEADER_ROUTES_ANNOTATION,
  recordedHeaderRules,
  wantedHeaderRules,
  withoutRecordedRules,
} from './gateway-api-header-routes.js';
import { guardedUpdate } from './guarded-update.js';

export interface BackendRef {
  name: string;
  weight?: number;
  [field: string]: unknown;
}

export interface HttpRouteMatch {
  path?: unknown;
  queryParams?: unknown[];
  [field: string]: unknown;
}

export interface HttpRouteRule {
  matches?: HttpRouteMatch[];
  filters?: unknown[];
  backendRefs?: BackendRef[];
  [field: string]: unknown;
}

export interface HttpRouteObject extends KubeObject {
  spec: { rules?: HttpRouteRule[]; [field: string]: unknown };
}

export interface HttpRouteReference {
  namespace: string;
  name: string;
  /** Whether the rollout's header routes go on this HTTPRoute: listed with `useHeaderRoutes: true`, or the single `httpRoute`. */
  useHeaderRoutes: boolean;
}

/** The HTTPRoutes the Gateway API plugin configuration names, with the namespace they live in. */
export function httpRoutesOf(rollout: RolloutKey, routing: DesiredTrafficRouting): HttpRouteReference[] {
  const plugin = routing.routing.plugins?.[GATEWAY_API_PLUGIN];
  const routes =
    plugin?.httpRoutes?.map((route) => ({ name: route.name, useHeaderRoutes: route.useHeaderRoutes === true })) ??
    (plugin?.httpRoute === undefined ? [] : [{ name: plugin.httpRoute, useHeaderRoutes: true }]);
  return routes.map((route) => ({ namespace: plugin?.namespace ?? rollout.namespace, ...route }));
}

/**
 * HTTPRoute rules with the canary, stable and additional backendRefs weighted as desired; other refs unchanged.
 * @example [{ backendRefs: [{ name: 'web-stable', weight: 100 }, { name: 'web-canary', weight: 0 }] }], canary 40
 * // → [{ backendRefs: [{ name: 'web-stable', weight: 60 }, { name: 'web-canary', weight: 40 }] }]
 */
export function weightedRules(rules: HttpRouteRule[], routing: DesiredTrafficRouting): HttpRouteRule[] {
  const weights = new Map<string, number>();
  routing.additionalDestinations.forEach(
    (destination) => destination.serviceName !== undefined && weights.set(destination.serviceName, destination.weight),
  );
  if (routing.stableService !== undefined) weights.set(routing.stableService, routing.stableWeight);
  if (routing.canaryService !== undefined) weights.set(routing.canaryService, routing.canaryWeight);
  return rules.map((rule) => {
    if (rule.backendRefs === undefined) return rule;
    return {
      ...rule,
      backendRefs: rule.backendRefs.map((ref) => (weights.has(ref.name) ? { ...ref, weight: weights.get(ref.name) } : ref)),
    };
  });
}

/**
 * The merge patch converging an HTTPRoute, undefined when it is already right: the rules written for the rollout's
 * header routes at the last converge (recorded in an annotation) are taken out, the remaining rules weighted, and the
 * header rules now wanted appended and recorded. Other rules are left as they are.
 */
export function httpRouteChange(current: HttpRouteObject, routing: DesiredTrafficRouting, route: HttpRouteReference): object | undefined {
  const rules = current.spec.rules ?? [];
  const recorded = recordedHeaderRules(current.metadata.annotations);
  const weighted = weightedRules(withoutRecordedRules(rules, recorded), routing);
  const headerRules = route.useHeaderRoutes ? wantedHeaderRules(weighted, routing, route) : [];
  const updated = [...weighted, ...headerRules.map(([, rule]) => rule)];
  const wanted = Object.fromEntries(headerRules);
  if (sameJson(rules, updated) && sameJson(recorded, wanted)) return undefined;
  const annotation = headerRules.length === 0 ? null : JSON.stringify(wanted);
  return { metadata: { annotations: { [MANAGED_HEADER_ROUTES_ANNOTATION]: annotation } }, spec: { rules: updated } };
}

/** Drives the backendRef weights and header route rules of the HTTPRoutes named by the Gateway API plugin configuration. */
export class GatewayApiApplier {
  constructor(
    private readonly kube: KubeClient,
    private readonly cluster: ClusterState,
  ) {}

  async apply(rollout: RolloutKey, routing: DesiredTrafficRouting): Promise<number> {
    const routes = this.cluster.router(HTTP_ROUTES);
    await routes.whenSynced();
    let writes = 0;
    for (const route of httpRoutesOf(rollout, routing)) {
      writes += await guardedUpdate(this.kube, routes, HTTP_ROUTES, route.namespace, route.name, (current) =>
        httpRouteChange(current as HttpRouteObject, routing, route),
      );
    }
    return writes;
  }
}

import { GATEWAY_API_PLUGIN } from '@flotilla/argo-spec';
import type { RolloutKey } from '@flotilla/protocol';
import type { DesiredTrafficRouting } from '@flotilla/rollout-engine';
import type { ClusterState } from '../../kube/cluster-state.js';
import type { KubeHttp } from '../../kube/kube-http.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { HTTP_ROUTES } from '../../kube/resources.js';
import { sameJson } from '../ownership.js';
import { guardedUpdate } from './guarded-update.js';

export interface BackendRef {
  name: string;
  weight?: number;
  [field: string]: unknown;
}

export interface HttpRouteRule {
  backendRefs?: BackendRef[];
  [field: string]: unknown;
}

export interface HttpRouteObject extends KubeObject {
  spec: { rules?: HttpRouteRule[]; [field: string]: unknown };
}

/** The HTTPRoutes the Gateway API plugin configuration names, with the namespace they live in. */
export function httpRoutesOf(rollout: RolloutKey, routing: DesiredTrafficRouting): Array<{ namespace: string; name: string }> {
  const plugin = routing.routing.plugins?.[GATEWAY_API_PLUGIN];
  const names = plugin?.httpRoutes?.map((route) => route.name) ?? (plugin?.httpRoute === undefined ? [] : [plugin.httpRoute]);
  return names.map((name) => ({ namespace: plugin?.namespace ?? rollout.namespace, name }));
}

/**
 * HTTPRoute rules with the canary, stable and additional backendRefs weighted as desired; other refs unchanged.
 * @example [{ backendRefs: [{ name: 'web-stable', weight: 100 }, { name: 'web-canary', weight: 0 }] }], canary 40
 * // → [{ backendRefs: [{ name: 'web-stable', weight: 60 }, { name: 'web-canary', weight: 40 }] }]
 */
export function weightedRules(rules: HttpRouteRule[], routing: DesiredTrafficRouting): HttpRouteRule[] {
  const weights = new Map<string, number>();
  routing.additionalDestinations.forEach((destination) => destination.serviceName !== undefined && weights.set(destination.serviceName, destination.weight));
  if (routing.stableService !== undefined) weights.set(routing.stableService, routing.stableWeight);
  if (routing.canaryService !== undefined) weights.set(routing.canaryService, routing.canaryWeight);
  return rules.map((rule) => {
    if (rule.backendRefs === undefined) return rule;
    return { ...rule, backendRefs: rule.backendRefs.map((ref) => (weights.has(ref.name) ? { ...ref, weight: weights.get(ref.name) } : ref)) };
  });
}

/** Drives the backendRef weights of the HTTPRoutes named by the Gateway API plugin configuration. */
export class GatewayApiApplier {
  constructor(
    private readonly http: KubeHttp,
    private readonly cluster: ClusterState,
  ) {}

  async apply(rollout: RolloutKey, routing: DesiredTrafficRouting): Promise<number> {
    const routes = this.cluster.router(HTTP_ROUTES);
    await routes.whenSynced();
    let writes = 0;
    for (const route of httpRoutesOf(rollout, routing)) {
      writes += await guardedUpdate(this.http, routes, HTTP_ROUTES, route.namespace, route.name, (current) => {
        const rules = (current as HttpRouteObject).spec.rules ?? [];
        const updated = weightedRules(rules, routing);
        return sameJson(rules, updated) ? undefined : { spec: { rules: updated } };
      });
    }
    return writes;
  }
}

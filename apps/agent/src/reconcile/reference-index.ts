import { canaryIngressName, type DesiredRollout, type DesiredRolloutState } from '@flotilla/protocol';
import { httpRoutesOf } from '../apply/traffic/gateway-api.js';
import { virtualServicesOf } from '../apply/traffic/istio.js';
import { stableIngressesOf } from '../apply/traffic/nginx.js';
import { trafficSplitNameOf } from '../apply/traffic/smi.js';
import {
  DESTINATION_RULES,
  HTTP_ROUTES,
  INGRESSES,
  ROUTER_RESOURCES,
  SERVICES,
  TRAFFIC_SPLITS,
  VIRTUAL_SERVICES,
  type Resource,
} from '../kube/resources.js';

const reference = (resource: Resource, namespace: string, name: string): string => `${resource.plural}/${namespace}/${name}`;

/** The kinds of the objects a rollout may refer to, by plural. */
const REFERENCED_KINDS: ReadonlyMap<string, string> = new Map(
  [SERVICES, ...ROUTER_RESOURCES].map((resource) => [resource.plural, resource.kind]),
);

/** The resource of a kind a rollout may refer to (a Service or a router object), or undefined. */
export const referencedResourceOfKind = (kind: string): Resource | undefined =>
  [SERVICES, ...ROUTER_RESOURCES].find((resource) => resource.kind === kind);

/**
 * Every Service and router object a rollout reads or writes, so that a change to one of them wakes that rollout.
 * @example a canary with Services web-stable/web-canary and stable Ingress web → services/shop/web-stable,
 *   services/shop/web-canary, ingresses/shop/web, ingresses/shop/<rollout>-web-canary
 */
export function referencedObjects(desired: DesiredRollout, state: DesiredRolloutState): string[] {
  const { namespace, name } = desired.rollout;
  const references = new Set<string>();
  for (const service of desired.serviceNames) references.add(reference(SERVICES, namespace, service));
  for (const selector of Object.values(state.services))
    if (selector !== undefined) references.add(reference(SERVICES, namespace, selector.service));
  for (const service of state.experimentServices ?? []) references.add(reference(SERVICES, namespace, service.name));
  const routing = state.trafficRouting;
  if (routing === undefined) return [...references];
  for (const ingress of stableIngressesOf(routing)) {
    references.add(reference(INGRESSES, namespace, ingress));
    references.add(reference(INGRESSES, namespace, canaryIngressName(name, ingress)));
  }
  for (const virtualService of virtualServicesOf(desired.rollout, routing))
    references.add(reference(VIRTUAL_SERVICES, virtualService.namespace, virtualService.name));
  const rule = routing.routing.istio?.destinationRule;
  if (rule !== undefined) references.add(reference(DESTINATION_RULES, namespace, rule.name));
  if (routing.router === 'smi') references.add(reference(TRAFFIC_SPLITS, namespace, trafficSplitNameOf(desired.rollout, routing)));
  for (const route of httpRoutesOf(desired.rollout, routing)) references.add(reference(HTTP_ROUTES, route.namespace, route.name));
  return [...references];
}

/** Which rollouts refer to an object, kept current as desired states change. */
export class ReferenceIndex {
  private readonly byRollout = new Map<string, string[]>();
  private readonly byObject = new Map<string, Set<string>>();

  set(rolloutKey: string, references: string[]): void {
    this.remove(rolloutKey);
    this.byRollout.set(rolloutKey, references);
    for (const object of references) {
      const rollouts = this.byObject.get(object) ?? new Set<string>();
      rollouts.add(rolloutKey);
      this.byObject.set(object, rollouts);
    }
  }

  remove(rolloutKey: string): void {
    for (const object of this.byRollout.get(rolloutKey) ?? []) {
      const rollouts = this.byObject.get(object);
      rollouts?.delete(rolloutKey);
      if (rollouts?.size === 0) this.byObject.delete(object);
    }
    this.byRollout.delete(rolloutKey);
  }

  /** The objects a rollout refers to, by kind and name within its namespace. */
  objectsOf(rolloutKey: string, namespace: string): { kind: string; name: string }[] {
    return (this.byRollout.get(rolloutKey) ?? []).flatMap((object) => {
      const [plural = '', objectNamespace, name = ''] = object.split('/');
      const kind = REFERENCED_KINDS.get(plural);
      return kind === undefined || objectNamespace !== namespace ? [] : [{ kind, name }];
    });
  }

  rolloutsReferring(resource: Resource, namespace: string, name: string): Iterable<string> {
    return this.byObject.get(reference(resource, namespace, name)) ?? [];
  }
}

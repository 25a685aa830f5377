/** A resource the agent reads or writes, as the API server addresses it. */
export interface Resource {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

const resource = (group: string, version: string, plural: string, kind: string): Resource => ({ group, version, plural, kind });

export const REPLICA_SETS = resource('apps', 'v1', 'replicasets', 'ReplicaSet');
export const PODS = resource('', 'v1', 'pods', 'Pod');
export const SERVICES = resource('', 'v1', 'services', 'Service');
export const EVENTS = resource('', 'v1', 'events', 'Event');
export const SECRETS = resource('', 'v1', 'secrets', 'Secret');
export const INGRESSES = resource('networking.k8s.io', 'v1', 'ingresses', 'Ingress');
export const VIRTUAL_SERVICES = resource('networking.istio.io', 'v1beta1', 'virtualservices', 'VirtualService');
export const DESTINATION_RULES = resource('networking.istio.io', 'v1beta1', 'destinationrules', 'DestinationRule');
export const TRAFFIC_SPLITS = resource('split.smi-spec.io', 'v1alpha2', 'trafficsplits', 'TrafficSplit');
export const HTTP_ROUTES = resource('gateway.networking.k8s.io', 'v1', 'httproutes', 'HTTPRoute');

/** Router objects are only watched once a rollout uses them: their definitions may be missing from a cluster. */
export const ROUTER_RESOURCES = [INGRESSES, VIRTUAL_SERVICES, DESTINATION_RULES, TRAFFIC_SPLITS, HTTP_ROUTES] as const;

export const apiVersionOf = (target: Resource): string => (target.group === '' ? target.version : `${target.group}/${target.version}`);

/**
 * The URL path of a resource collection or of one object.
 * @example resourcePath(REPLICA_SETS, 'shop', 'web-abc') // '/apis/apps/v1/namespaces/shop/replicasets/web-abc'
 *          resourcePath(PODS) // '/api/v1/pods' (every namespace)
 */
export function resourcePath(target: Resource, namespace?: string, name?: string): string {
  const root = target.group === '' ? `/api/${target.version}` : `/apis/${target.group}/${target.version}`;
  const scoped = namespace === undefined ? root : `${root}/namespaces/${encodeURIComponent(namespace)}`;
  const collection = `${scoped}/${target.plural}`;
  return name === undefined ? collection : `${collection}/${encodeURIComponent(name)}`;
}

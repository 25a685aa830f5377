import { findResourceType, type ResourceType } from './resource-catalogue.js';

export type Subresource = 'status' | 'scale';

/** What a path under a cluster's prefix asks for. */
export type ApiRoute =
  | { kind: 'version' }
  | { kind: 'health' }
  | { kind: 'core-versions' }
  | { kind: 'openapi-index' }
  | { kind: 'openapi-v2' }
  | { kind: 'group-list' }
  | { kind: 'group'; group: string }
  | { kind: 'resource-list'; group: string; version: string }
  | { kind: 'resource'; resource: ResourceType; version: string; namespace?: string; name?: string; subresource?: Subresource }
  | { kind: 'unknown' };

/**
 * Maps a request path (without the cluster prefix) to the API it addresses.
 * @example parseApiPath('/apis/apps/v1/namespaces/prod/replicasets/web/scale')
 *   // → { kind: 'resource', resource: replicasets, version: 'v1', namespace: 'prod', name: 'web', subresource: 'scale' }
 */
export function parseApiPath(path: string): ApiRoute {
  const segments = path
    .split('/')
    .filter((segment) => segment !== '')
    .map(decodeURIComponent);
  const [root, ...rest] = segments;
  if (root === 'version' && rest.length === 0) return { kind: 'version' };
  if ((root === 'healthz' || root === 'readyz' || root === 'livez') && rest.length === 0) return { kind: 'health' };
  if (root === 'openapi' && rest.length === 1 && rest[0] === 'v3') return { kind: 'openapi-index' };
  if (root === 'openapi' && rest.length === 1 && rest[0] === 'v2') return { kind: 'openapi-v2' };
  if (root === 'api') {
    const [version, ...resourcePath] = rest;
    if (version === undefined) return { kind: 'core-versions' };
    if (version !== 'v1') return { kind: 'unknown' };
    return resourcePath.length === 0 ? { kind: 'resource-list', group: '', version } : parseResourcePath('', version, resourcePath);
  }
  if (root === 'apis') {
    const [group, version, ...resourcePath] = rest;
    if (group === undefined) return { kind: 'group-list' };
    if (version === undefined) return { kind: 'group', group };
    return resourcePath.length === 0 ? { kind: 'resource-list', group, version } : parseResourcePath(group, version, resourcePath);
  }
  return { kind: 'unknown' };
}

function parseResourcePath(group: string, version: string, segments: readonly string[]): ApiRoute {
  const [first, second, third, ...afterNamespace] = segments;
  const namespacedTarget =
    first === 'namespaces' && second !== undefined && third !== undefined ? findResourceType(group, third) : undefined;
  if (namespacedTarget?.namespaced && namespacedTarget.versions.includes(version)) {
    return withItem(namespacedTarget, version, second, afterNamespace);
  }
  const resource = first === undefined ? undefined : findResourceType(group, first);
  if (!resource || resource.namespaced || !resource.versions.includes(version)) {
    const everyNamespace = resource?.namespaced && resource.versions.includes(version) && segments.length === 1;
    return everyNamespace ? { kind: 'resource', resource, version } : { kind: 'unknown' };
  }
  return withItem(resource, version, undefined, segments.slice(1));
}

function withItem(resource: ResourceType, version: string, namespace: string | undefined, segments: readonly string[]): ApiRoute {
  const [name, subresource, ...extra] = segments;
  if (extra.length > 0) return { kind: 'unknown' };
  const scoped = namespace === undefined ? {} : { namespace };
  if (name === undefined) return { kind: 'resource', resource, version, ...scoped };
  if (subresource === undefined) return { kind: 'resource', resource, version, ...scoped, name };
  const allowed = (subresource === 'status' && resource.hasStatus) || (subresource === 'scale' && resource.hasScale);
  return allowed ? { kind: 'resource', resource, version, ...scoped, name, subresource } : { kind: 'unknown' };
}

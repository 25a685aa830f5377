import { groupVersion, RESOURCE_TYPES, servedGroups, type ResourceType } from './resource-catalogue.js';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const SUBRESOURCE_VERBS = ['get', 'patch', 'update'];

/** The Kubernetes release the simulator presents itself as. */
export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-kube-sim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.4',
  compiler: 'gc',
  platform: 'linux/amd64',
} as const;

export function apiVersions(serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupDescription(name: string, versions: readonly string[]): object {
  const entries = versions.map((version) => ({ groupVersion: groupVersion(name, version), version }));
  return { name, versions: entries, preferredVersion: entries[0] };
}

/** `/apis`: every named group with its versions, preferred first. */
export function apiGroupList(): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: servedGroups().map(({ name, versions }) => groupDescription(name, versions)) };
}

/** `/apis/{group}`, or `undefined` when the group is not served. */
export function apiGroup(group: string): object | undefined {
  const served = servedGroups().find(({ name }) => name === group);
  return served && { kind: 'APIGroup', apiVersion: 'v1', ...groupDescription(served.name, served.versions) };
}

function resourceEntries(type: ResourceType): object[] {
  const main = {
    name: type.plural,
    singularName: type.singular,
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: type.namespaced ? ALL_VERBS : ALL_VERBS.filter((verb) => verb !== 'deletecollection'),
    ...(type.shortNames.length > 0 ? { shortNames: type.shortNames } : {}),
    ...(type.categories.length > 0 ? { categories: type.categories } : {}),
  };
  const status = {
    name: `${type.plural}/status`,
    singularName: '',
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: SUBRESOURCE_VERBS,
  };
  const scale = {
    name: `${type.plural}/scale`,
    singularName: '',
    namespaced: type.namespaced,
    group: 'autoscaling',
    version: 'v1',
    kind: 'Scale',
    verbs: SUBRESOURCE_VERBS,
  };
  return [main, ...(type.hasStatus ? [status] : []), ...(type.hasScale ? [scale] : [])];
}

/** `/api/v1` or `/apis/{group}/{version}`, or `undefined` when that group version is not served. */
export function apiResourceList(group: string, version: string): object | undefined {
  const types = RESOURCE_TYPES.filter((type) => type.group === group && type.versions.includes(version));
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion(group, version),
    resources: types.flatMap(resourceEntries),
  };
}

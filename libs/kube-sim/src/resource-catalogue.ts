import { readPath, scalarText, type KubeObject } from './kube-object.js';

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

/** Reads one selectable field of an object as the API server compares it (always a string). */
type FieldReader = (object: KubeObject) => string;

/** One resource the simulator serves, described as discovery advertises it. */
export interface ResourceType {
  /** `''` for the core group. */
  group: string;
  /** Served versions, preferred (storage) version first. */
  versions: readonly string[];
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: readonly string[];
  categories: readonly string[];
  hasStatus: boolean;
  hasScale: boolean;
  /** Served by a CustomResourceDefinition on a real cluster: no strategic merge patch, typed list items. */
  custom: boolean;
  /** What a DELETE without `propagationPolicy` does to dependents. */
  defaultPropagation: PropagationPolicy;
  /** Fields beyond `metadata.name`/`metadata.namespace` that `fieldSelector` accepts. */
  extraFields: Readonly<Record<string, FieldReader>>;
}

const stringAt =
  (...path: string[]): FieldReader =>
  (object) => {
    const value = readPath(object, path);
    return value === undefined || value === null ? '' : scalarText(value);
  };

interface ResourceDefinition extends Partial<ResourceType> {
  group: string;
  versions: readonly string[];
  plural: string;
  kind: string;
}

function defineResource(definition: ResourceDefinition): ResourceType {
  return {
    singular: definition.kind.toLowerCase(),
    namespaced: true,
    shortNames: [],
    categories: [],
    hasStatus: false,
    hasScale: false,
    custom: false,
    defaultPropagation: 'Background',
    extraFields: {},
    ...definition,
  };
}

const ISTIO_VERSIONS = ['v1', 'v1beta1', 'v1alpha3'] as const;

/** Every resource the simulator serves, in discovery order. */
export const RESOURCE_TYPES: readonly ResourceType[] = [
  defineResource({
    group: '',
    versions: ['v1'],
    plural: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    hasStatus: true,
    extraFields: { 'status.phase': stringAt('status', 'phase') },
  }),
  defineResource({
    group: '',
    versions: ['v1'],
    plural: 'pods',
    kind: 'Pod',
    shortNames: ['po'],
    categories: ['all'],
    hasStatus: true,
    extraFields: {
      'status.phase': stringAt('status', 'phase'),
      'status.podIP': stringAt('status', 'podIP'),
      'spec.nodeName': stringAt('spec', 'nodeName'),
      'spec.restartPolicy': stringAt('spec', 'restartPolicy'),
      'spec.schedulerName': stringAt('spec', 'schedulerName'),
      'spec.serviceAccountName': stringAt('spec', 'serviceAccountName'),
    },
  }),
  defineResource({
    group: '',
    versions: ['v1'],
    plural: 'services',
    kind: 'Service',
    shortNames: ['svc'],
    categories: ['all'],
    hasStatus: true,
  }),
  defineResource({
    group: '',
    versions: ['v1'],
    plural: 'secrets',
    kind: 'Secret',
    extraFields: { type: stringAt('type') },
  }),
  defineResource({ group: '', versions: ['v1'], plural: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'] }),
  defineResource({ group: '', versions: ['v1'], plural: 'resourcequotas', kind: 'ResourceQuota', shortNames: ['quota'], hasStatus: true }),
  defineResource({
    group: '',
    versions: ['v1'],
    plural: 'events',
    kind: 'Event',
    shortNames: ['ev'],
    extraFields: {
      'involvedObject.kind': stringAt('involvedObject', 'kind'),
      'involvedObject.namespace': stringAt('involvedObject', 'namespace'),
      'involvedObject.name': stringAt('involvedObject', 'name'),
      'involvedObject.uid': stringAt('involvedObject', 'uid'),
      'involvedObject.apiVersion': stringAt('involvedObject', 'apiVersion'),
      'involvedObject.resourceVersion': stringAt('involvedObject', 'resourceVersion'),
      'involvedObject.fieldPath': stringAt('involvedObject', 'fieldPath'),
      reason: stringAt('reason'),
      reportingComponent: stringAt('reportingComponent'),
      source: stringAt('source', 'component'),
      type: stringAt('type'),
    },
  }),
  defineResource({
    group: 'apps',
    versions: ['v1'],
    plural: 'replicasets',
    kind: 'ReplicaSet',
    shortNames: ['rs'],
    categories: ['all'],
    hasStatus: true,
    hasScale: true,
    extraFields: { 'status.replicas': stringAt('status', 'replicas') },
  }),
  defineResource({
    group: 'batch',
    versions: ['v1'],
    plural: 'jobs',
    kind: 'Job',
    categories: ['all'],
    hasStatus: true,
    defaultPropagation: 'Orphan',
    extraFields: { 'status.successful': stringAt('status', 'succeeded') },
  }),
  defineResource({
    group: 'networking.k8s.io',
    versions: ['v1'],
    plural: 'ingresses',
    kind: 'Ingress',
    shortNames: ['ing'],
    hasStatus: true,
  }),
  defineResource({ group: 'coordination.k8s.io', versions: ['v1'], plural: 'leases', kind: 'Lease' }),
  defineResource({
    group: 'networking.istio.io',
    versions: ISTIO_VERSIONS,
    plural: 'virtualservices',
    kind: 'VirtualService',
    shortNames: ['vs'],
    categories: ['istio-io', 'networking-istio-io'],
    hasStatus: true,
    custom: true,
  }),
  defineResource({
    group: 'networking.istio.io',
    versions: ISTIO_VERSIONS,
    plural: 'destinationrules',
    kind: 'DestinationRule',
    shortNames: ['dr'],
    categories: ['istio-io', 'networking-istio-io'],
    hasStatus: true,
    custom: true,
  }),
  defineResource({
    group: 'split.smi-spec.io',
    versions: ['v1alpha3', 'v1alpha2', 'v1alpha1'],
    plural: 'trafficsplits',
    kind: 'TrafficSplit',
    shortNames: ['ts'],
    custom: true,
  }),
  defineResource({
    group: 'gateway.networking.k8s.io',
    versions: ['v1', 'v1beta1'],
    plural: 'httproutes',
    kind: 'HTTPRoute',
    categories: ['gateway-api'],
    hasStatus: true,
    custom: true,
  }),
];

/** Key that names a resource across versions, e.g. `apps/replicasets` or `/pods`. */
export function resourceKey(type: Pick<ResourceType, 'group' | 'plural'>): string {
  return `${type.group}/${type.plural}`;
}

/** `group/version` as it appears in `apiVersion`; the core group has no prefix. */
export function groupVersion(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** `pods` or `replicasets.apps`, the way Status messages name a resource. */
export function qualifiedResource(type: ResourceType): string {
  return type.group === '' ? type.plural : `${type.plural}.${type.group}`;
}

export function preferredApiVersion(type: ResourceType): string {
  return groupVersion(type.group, type.versions[0] as string);
}

const typesByGroupAndPlural = new Map(RESOURCE_TYPES.map((type) => [resourceKey(type), type]));

export function findResourceType(group: string, plural: string): ResourceType | undefined {
  return typesByGroupAndPlural.get(`${group}/${plural}`);
}

/** The resource a kind belongs to, e.g. `('apps/v1', 'ReplicaSet')` → replicasets. */
export function findResourceTypeByKind(apiVersion: string, kind: string): ResourceType | undefined {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return RESOURCE_TYPES.find((type) => type.group === group && type.kind === kind);
}

/** Named core types the controllers use directly. */
export const POD = findResourceType('', 'pods') as ResourceType;
export const EVENT = findResourceType('', 'events') as ResourceType;
export const NAMESPACE = findResourceType('', 'namespaces') as ResourceType;
export const REPLICA_SET = findResourceType('apps', 'replicasets') as ResourceType;
export const JOB = findResourceType('batch', 'jobs') as ResourceType;
export const RESOURCE_QUOTA = findResourceType('', 'resourcequotas') as ResourceType;

/** The groups served under `/apis`, each with its versions in preference order. */
export function servedGroups(): Array<{ name: string; versions: readonly string[] }> {
  const groups = new Map<string, Set<string>>();
  for (const type of RESOURCE_TYPES) {
    if (type.group === '') continue;
    const versions = groups.get(type.group) ?? new Set<string>();
    type.versions.forEach((version) => versions.add(version));
    groups.set(type.group, versions);
  }
  return [...groups].map(([name, versions]) => ({ name, versions: [...versions] }));
}

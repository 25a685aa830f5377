import { admitCreate, admitUpdate, missingName, type AdmissionContext } from './admission.js';
import { alreadyExists, badRequest, conflict, expired, KubeApiError, notFound, quotaExceeded } from './api-errors.js';
import { ChangeHistory, type ChangeType, type StoreChange } from './change-history.js';
import type { DeterministicRandom } from './deterministic-random.js';
import { cloneJson, isJsonObject, jsonEqual, readPath, type KubeObject, type ObjectMeta, type StoredObject } from './kube-object.js';
import { matchesFilter, type ObjectFilter } from './object-filter.js';
import {
  NAMESPACE,
  POD,
  preferredApiVersion,
  RESOURCE_QUOTA,
  resourceKey,
  RESOURCE_TYPES,
  type PropagationPolicy,
  type ResourceType,
} from './resource-catalogue.js';

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListPage {
  items: StoredObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

export interface WatchSubscription {
  cancel(): void;
}

/** Receives the events of one watch, already translated for its filter. */
export type WatchListener = (type: ChangeType, object: StoredObject) => void;

interface Subscriber {
  resource: ResourceType;
  filter: ObjectFilter;
  listener: WatchListener;
}

interface ObjectAddress {
  resource: ResourceType;
  namespace: string;
  name: string;
}

const EVERY_NAMESPACE = '\u0000every';

let lastTimestamp = { second: Number.NaN, text: '' };

/** The `metav1.Time` format: second precision, UTC. */
export function kubeTimestamp(milliseconds: number): string {
  const second = Math.floor(milliseconds / 1000);
  if (second !== lastTimestamp.second) lastTimestamp = { second, text: new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
  return lastTimestamp.text;
}

/**
 * A new version of a stored object sharing its unchanged parts: stored objects are never mutated, and a commit
 * only writes into the copy's own `metadata`.
 */
function nextVersion(object: StoredObject): StoredObject {
  return { ...object, metadata: { ...object.metadata } };
}

function withoutMetadataAndStatus(object: KubeObject): Record<string, unknown> {
  const { metadata: _metadata, status: _status, ...rest } = object;
  return rest;
}

/**
 * The objects of one simulated cluster, as etcd plus the API server's registry would hold them: one
 * resourceVersion counter, create/update/delete semantics (generation, conflicts, finalizers, garbage
 * collection through ownerReferences) and watch fan-out to the watchers whose resource and namespace match.
 */
export class ClusterStore {
  private revision = 0;
  private readonly tables = new Map<string, Map<string, Map<string, StoredObject>>>();
  private readonly dependents = new Map<string, Map<string, ObjectAddress>>();
  private readonly subscribers = new Map<string, Map<string, Set<Subscriber>>>();
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private readonly history: ChangeHistory;
  private serviceIps = 0;
  private readonly admission: AdmissionContext = {
    allocateServiceIp: () => {
      this.serviceIps += 1;
      return `10.96.${Math.floor(this.serviceIps / 250)}.${(this.serviceIps % 250) + 1}`;
    },
  };

  constructor(
    readonly name: string,
    readonly random: DeterministicRandom,
    historyLimit: number,
    private readonly now: () => number,
  ) {
    this.history = new ChangeHistory(historyLimit);
    for (const namespace of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      this.create(NAMESPACE, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    }
  }

  get resourceVersion(): string {
    return String(this.revision);
  }

  /** Calls `listener` after every committed write (controllers use this as their informer). */
  onChange(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The stored object, shared: callers must not mutate it. */
  get(resource: ResourceType, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.tables.get(resourceKey(resource))?.get(this.namespaceKey(resource, namespace))?.get(name);
  }

  require(resource: ResourceType, namespace: string | undefined, name: string): StoredObject {
    const object = this.get(resource, namespace, name);
    if (!object) throw notFound(resource, name);
    return object;
  }

  /** Matching objects ordered by namespace, then name (etcd key order). */
  list(resource: ResourceType, filter: ObjectFilter = {}): StoredObject[] {
    const table = this.tables.get(resourceKey(resource));
    if (!table) return [];
    const namespaces = filter.namespace !== undefined && resource.namespaced ? [filter.namespace] : [...table.keys()].sort();
    const items: StoredObject[] = [];
    for (const namespace of namespaces) {
      const objects = table.get(namespace);
      if (!objects) continue;
      for (const name of [...objects.keys()].sort()) {
        const object = objects.get(name) as StoredObject;
        if (matchesFilter(resource, object, filter)) items.push(object);
      }
    }
    return items;
  }

  /** One page of a list; `continueToken` resumes after the last item of the previous page. */
  listPage(resource: ResourceType, filter: ObjectFilter, limit: number | undefined, continueToken: string | undefined): ListPage {
    const position = continueToken === undefined ? undefined : this.decodeContinue(continueToken);
    const all = this.list(resource, filter);
    const start = position === undefined ? 0 : all.findIndex((object) => this.objectKey(object) > position.start);
    const remaining = start < 0 ? [] : all.slice(start);
    const resourceVersion = position === undefined ? this.resourceVersion : String(position.revision);
    if (limit === undefined || limit <= 0 || remaining.length <= limit) return { items: remaining, resourceVersion };
    const items = remaining.slice(0, limit);
    const last = items.at(-1) as StoredObject;
    const token = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(resourceVersion), start: this.objectKey(last) })).toString(
      'base64',
    );
    return { items, resourceVersion, continueToken: token, remainingItemCount: remaining.length - limit };
  }

  private objectKey(object: KubeObject): string {
    return `${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`;
  }

  private decodeContinue(token: string): { revision: number; start: string } {
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    } catch {
      throw badRequest('continue key is not valid: illegal base64 data');
    }
    if (!isJsonObject(decoded) || typeof decoded['rv'] !== 'number' || typeof decoded['start'] !== 'string') {
      throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
    }
    if (decoded['rv'] < this.history.compactedRevision) {
      throw expired(
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
      );
    }
    return { revision: decoded['rv'], start: decoded['start'] };
  }

  /** Creates an object; `namespace` comes from the request path and must agree with the body. */
  create(resource: ResourceType, namespace: string | undefined, body: unknown): StoredObject {
    const object = this.checkedBody(resource, body);
    const metadata = object.metadata;
    if (resource.namespaced) {
      const requested = namespace ?? metadata.namespace ?? 'default';
      if (metadata.namespace !== undefined && metadata.namespace !== requested) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      metadata.namespace = requested;
      if (!this.get(NAMESPACE, undefined, requested)) throw notFound(NAMESPACE, requested);
    } else {
      delete metadata.namespace;
    }
    const name = this.nameForCreate(resource, metadata);
    if (this.get(resource, metadata.namespace, name)) throw alreadyExists(resource, name);
    const { resourceVersion: _resourceVersion, deletionTimestamp: _deletion, deletionGracePeriodSeconds: _grace, ...kept } = metadata;
    const stored = object as StoredObject;
    stored.metadata = {
      ...kept,
      name,
      uid: this.random.uuid(),
      resourceVersion: '',
      generation: 1,
      creationTimestamp: kubeTimestamp(this.now()),
    };
    admitCreate(resource, stored, this.admission);
    if (resource === POD) this.checkPodQuota(metadata.namespace ?? 'default', name);
    return this.commit('ADDED', resource, stored);
  }

  /** The `pods` limit of the namespace's ResourceQuotas, counting its pods that have not ended, as quota admission does. */
  private checkPodQuota(namespace: string, name: string): void {
    const quotas = this.list(RESOURCE_QUOTA, { namespace }).flatMap((quota) => {
      const limit = Number(readPath(quota, ['spec', 'hard', 'pods']));
      return Number.isInteger(limit) ? [{ quota: quota.metadata.name, limit }] : [];
    });
    if (quotas.length === 0) return;
    const used = this.list(POD, { namespace }).filter(
      (pod) => !['Succeeded', 'Failed'].includes(String(readPath(pod, ['status', 'phase']))),
    ).length;
    const exceeded = quotas.find(({ limit }) => used + 1 > limit);
    if (exceeded) throw quotaExceeded(POD, name, exceeded.quota, used, exceeded.limit);
  }

  private nameForCreate(resource: ResourceType, metadata: ObjectMeta): string {
    if (metadata.name) return metadata.name;
    if (!metadata.generateName) throw missingName(resource);
    for (;;) {
      const candidate = `${metadata.generateName}${this.random.nameSuffix()}`;
      if (!this.get(resource, metadata.namespace, candidate)) return candidate;
    }
  }

  private checkedBody(resource: ResourceType, body: unknown): KubeObject {
    if (!isJsonObject(body)) throw badRequest('the body of the request is not a JSON object');
    const object = cloneJson(body) as KubeObject;
    if (object.kind !== undefined && object.kind !== resource.kind) {
      throw badRequest(`the kind in the data (${String(object.kind)}) does not match the expected kind (${resource.kind})`);
    }
    if (
      object.apiVersion !== undefined &&
      !resource.versions.some((version) => object.apiVersion === (resource.group ? `${resource.group}/${version}` : version))
    ) {
      throw badRequest(
        `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${preferredApiVersion(resource)})`,
      );
    }
    object.apiVersion = preferredApiVersion(resource);
    object.kind = resource.kind;
    object.metadata = isJsonObject(object.metadata) ? object.metadata : {};
    return object;
  }

  /**
   * Replaces an object (PUT). A `metadata.resourceVersion` in the body is a precondition (409 when stale).
   * On the main resource the status is kept; on `status` only the status changes.
   */
  update(resource: ResourceType, namespace: string | undefined, name: string, body: unknown, subresource?: 'status'): StoredObject {
    const current = this.require(resource, namespace, name);
    const object = this.checkedBody(resource, body);
    if (object.metadata.name !== undefined && object.metadata.name !== name) {
      throw badRequest(`the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (object.metadata.resourceVersion && object.metadata.resourceVersion !== current.metadata.resourceVersion)
      throw conflict(resource, name);
    const next = subresource === 'status' ? this.statusReplacement(current, object) : this.specReplacement(resource, current, object);
    if (jsonEqual(next, current)) return current;
    if (next.metadata.deletionTimestamp !== undefined && (next.metadata.finalizers ?? []).length === 0) {
      return this.remove(resource, next);
    }
    return this.commit('MODIFIED', resource, next, current);
  }

  private statusReplacement(current: StoredObject, object: KubeObject): StoredObject {
    const next = nextVersion(current);
    if (object['status'] === undefined) delete next['status'];
    else next['status'] = object['status'];
    return next;
  }

  private specReplacement(resource: ResourceType, current: StoredObject, object: KubeObject): StoredObject {
    const { name, namespace, uid, creationTimestamp, deletionTimestamp, deletionGracePeriodSeconds, generation, resourceVersion } =
      current.metadata;
    const { labels, annotations, ownerReferences, finalizers, generateName } = object.metadata;
    const next = object as StoredObject;
    next.metadata = {
      name,
      ...(generateName === undefined ? {} : { generateName }),
      ...(namespace === undefined ? {} : { namespace }),
      uid,
      resourceVersion,
      generation: generation ?? 1,
      creationTimestamp,
      ...(deletionTimestamp === undefined ? {} : { deletionTimestamp }),
      ...(deletionGracePeriodSeconds === undefined ? {} : { deletionGracePeriodSeconds }),
      ...(labels === undefined ? {} : { labels }),
      ...(annotations === undefined ? {} : { annotations }),
      ...(ownerReferences === undefined ? {} : { ownerReferences }),
      ...(finalizers === undefined ? {} : { finalizers }),
    };
    if (resource.hasStatus) {
      if (current['status'] === undefined) delete next['status'];
      else next['status'] = current['status'];
    }
    admitUpdate(resource, next, current);
    if (!jsonEqual(withoutMetadataAndStatus(next), withoutMetadataAndStatus(current))) next.metadata.generation = (generation ?? 1) + 1;
    return next;
  }

  /**
   * Deletes an object and, by `propagationPolicy`, what it owns: Background deletes dependents after the owner,
   * Foreground before it, Orphan removes the owner reference from them. Objects with finalizers are only marked.
   */
  delete(resource: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions = {}): StoredObject {
    const current = this.require(resource, namespace, name);
    const { uid, resourceVersion } = options.preconditions ?? {};
    if (uid !== undefined && uid !== current.metadata.uid) {
      throw new KubeApiError(
        409,
        'Conflict',
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid}`,
        { name, kind: resource.plural },
      );
    }
    if (resourceVersion !== undefined && resourceVersion !== current.metadata.resourceVersion) throw conflict(resource, name);
    if ((current.metadata.finalizers ?? []).length > 0) {
      if (current.metadata.deletionTimestamp !== undefined) return current;
      const marked = nextVersion(current);
      marked.metadata.deletionTimestamp = kubeTimestamp(this.now());
      marked.metadata.deletionGracePeriodSeconds = 0;
      return this.commit('MODIFIED', resource, marked, current);
    }
    const policy = options.propagationPolicy ?? resource.defaultPropagation;
    if (resource === NAMESPACE) this.emptyNamespace(current);
    if (policy === 'Foreground') this.deleteDependents(current.metadata.uid, 'Foreground');
    if (policy === 'Orphan') this.orphanDependents(current.metadata.uid);
    const deleted = this.remove(resource, current);
    if (policy === 'Background') this.deleteDependents(current.metadata.uid, 'Background');
    return deleted;
  }

  /** Deletes every matching object; returns them as they were deleted. */
  deleteCollection(resource: ResourceType, filter: ObjectFilter, options: DeleteOptions = {}): StoredObject[] {
    return this.list(resource, filter)
      .filter((object) => this.get(resource, object.metadata.namespace, object.metadata.name) !== undefined)
      .map((object) =>
        this.delete(resource, object.metadata.namespace, object.metadata.name, { propagationPolicy: options.propagationPolicy }),
      );
  }

  private emptyNamespace(namespace: StoredObject): void {
    const terminating = nextVersion(namespace);
    terminating.metadata.deletionTimestamp = kubeTimestamp(this.now());
    terminating['status'] = { phase: 'Terminating' };
    this.commit('MODIFIED', NAMESPACE, terminating, namespace);
    for (const resource of RESOURCE_TYPES.filter((type) => type.namespaced)) {
      for (const object of this.list(resource, { namespace: namespace.metadata.name })) {
        if (this.get(resource, object.metadata.namespace, object.metadata.name)) this.remove(resource, object);
      }
    }
  }

  private dependentAddresses(ownerUid: string): ObjectAddress[] {
    return [...(this.dependents.get(ownerUid)?.values() ?? [])];
  }

  private deleteDependents(ownerUid: string, policy: PropagationPolicy): void {
    for (const { resource, namespace, name } of this.dependentAddresses(ownerUid)) {
      const dependent = this.get(resource, namespace, name);
      if (!dependent) continue;
      const otherOwners = (dependent.metadata.ownerReferences ?? []).filter((reference) => reference.uid !== ownerUid);
      if (otherOwners.length > 0) this.replaceOwners(resource, dependent, otherOwners);
      else this.delete(resource, namespace, name, { propagationPolicy: policy });
    }
  }

  private orphanDependents(ownerUid: string): void {
    for (const { resource, namespace, name } of this.dependentAddresses(ownerUid)) {
      const dependent = this.get(resource, namespace, name);
      if (dependent)
        this.replaceOwners(
          resource,
          dependent,
          (dependent.metadata.ownerReferences ?? []).filter((reference) => reference.uid !== ownerUid),
        );
    }
  }

  private replaceOwners(resource: ResourceType, object: StoredObject, owners: StoredObject['metadata']['ownerReferences'] & object): void {
    const next = nextVersion(object);
    if (owners.length === 0) delete next.metadata.ownerReferences;
    else next.metadata.ownerReferences = owners;
    this.commit('MODIFIED', resource, next, object);
  }

  /** Objects whose ownerReferences name `ownerUid`. */
  dependentsOf(ownerUid: string, resource: ResourceType): StoredObject[] {
    return this.dependentAddresses(ownerUid)
      .filter((address) => address.resource === resource)
      .map(({ namespace, name }) => this.get(resource, namespace, name))
      .filter((object): object is StoredObject => object !== undefined);
  }

  private remove(resource: ResourceType, object: StoredObject): StoredObject {
    return this.commit('DELETED', resource, nextVersion(object), object);
  }

  /**
   * Watches one resource from `fromRevision` (exclusive), or from now with ADDED events for every existing
   * object when it is absent or 0. Throws 410 Expired when the history no longer reaches back that far.
   */
  watch(resource: ResourceType, filter: ObjectFilter, fromRevision: number | undefined, listener: WatchListener): WatchSubscription {
    if (fromRevision === undefined || fromRevision === 0) {
      for (const object of this.list(resource, filter)) listener('ADDED', object);
    } else {
      if (fromRevision < this.history.compactedRevision) {
        throw expired(`too old resource version: ${fromRevision} (${this.history.compactedRevision})`);
      }
      for (const change of this.history.since(fromRevision)) {
        if (change.resource === resource) deliver({ resource, filter, listener }, change);
      }
    }
    const subscriber: Subscriber = { resource, filter, listener };
    const byNamespace = this.subscribers.get(resourceKey(resource)) ?? new Map<string, Set<Subscriber>>();
    this.subscribers.set(resourceKey(resource), byNamespace);
    const namespaceKey = filter.namespace !== undefined && resource.namespaced ? filter.namespace : EVERY_NAMESPACE;
    const subscribers = byNamespace.get(namespaceKey) ?? new Set<Subscriber>();
    byNamespace.set(namespaceKey, subscribers);
    subscribers.add(subscriber);
    return { cancel: () => subscribers.delete(subscriber) };
  }

  private namespaceKey(resource: ResourceType, namespace: string | undefined): string {
    return resource.namespaced ? (namespace ?? '') : '';
  }

  private commit(type: ChangeType, resource: ResourceType, object: StoredObject, previous?: StoredObject): StoredObject {
    this.revision += 1;
    object.metadata.resourceVersion = String(this.revision);
    const key = resourceKey(resource);
    const table = this.tables.get(key) ?? new Map<string, Map<string, StoredObject>>();
    this.tables.set(key, table);
    const namespaceKey = this.namespaceKey(resource, object.metadata.namespace);
    const objects = table.get(namespaceKey) ?? new Map<string, StoredObject>();
    table.set(namespaceKey, objects);
    if (type === 'DELETED') {
      objects.delete(object.metadata.name);
      if (objects.size === 0) table.delete(namespaceKey);
    } else {
      objects.set(object.metadata.name, object);
    }
    this.indexOwners(resource, object, previous, type === 'DELETED');
    const change: StoreChange = { type, resource, object, revision: this.revision, ...(previous ? { previous } : {}) };
    this.history.record(change);
    const byNamespace = this.subscribers.get(key);
    if (byNamespace) {
      for (const namespace of [namespaceKey, EVERY_NAMESPACE]) {
        for (const subscriber of byNamespace.get(namespace) ?? []) deliver(subscriber, change);
      }
    }
    for (const listener of this.listeners) listener(change);
    return object;
  }

  private indexOwners(resource: ResourceType, object: StoredObject, previous: StoredObject | undefined, deleted: boolean): void {
    const { uid, namespace, name } = object.metadata;
    for (const reference of previous?.metadata.ownerReferences ?? []) {
      const byUid = this.dependents.get(reference.uid);
      byUid?.delete(uid);
      if (byUid?.size === 0) this.dependents.delete(reference.uid);
    }
    if (deleted) return;
    for (const reference of object.metadata.ownerReferences ?? []) {
      const byUid = this.dependents.get(reference.uid) ?? new Map<string, ObjectAddress>();
      this.dependents.set(reference.uid, byUid);
      byUid.set(uid, { resource, namespace: namespace ?? '', name });
    }
  }
}

/** Translates a change for one watcher: an object entering its selector is ADDED, one leaving it is DELETED. */
function deliver(subscriber: Subscriber, change: StoreChange): void {
  const { resource, filter, listener } = subscriber;
  const matchesNow = matchesFilter(resource, change.object, filter);
  if (change.type !== 'MODIFIED') {
    if (matchesNow) listener(change.type, change.object);
    return;
  }
  const matchedBefore = change.previous !== undefined && matchesFilter(resource, change.previous, filter);
  if (matchesNow) listener(matchedBefore ? 'MODIFIED' : 'ADDED', change.object);
  else if (matchedBefore) listener('DELETED', change.object);
}

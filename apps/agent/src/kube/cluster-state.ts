import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, POD_TEMPLATE_HASH_LABEL, rolloutKeyString, type RolloutKey } from '@flotilla/protocol';
import type { Logger } from 'pino';
import { ownerOf } from '../apply/ownership.js';
import type { KubeClient } from './kube-client.js';
import { keyOf, objectKey, type KubeObject, type PodObject, type ReplicaSetObject, type ServiceObject } from './kube-object.js';
import { ObjectCache, type CacheChange } from './object-cache.js';
import { addToIndex, reindex, removeFromIndex } from './object-index.js';
import { PODS, REPLICA_SETS, SERVICES, type Resource } from './resources.js';

export type ObjectChangeListener = (resource: Resource, change: CacheChange<KubeObject>) => void;

/**
 * The key string (`rolloutKeyString`) of the rollout or standalone experiment an object created by the agent belongs
 * to; undefined for objects the agent did not create.
 * @example ownerKeyOf(a ReplicaSet labelled managed-by flotilla and `flotilla.io/experiment: web` in shop) // 'experiment:shop/web'
 */
export function ownerKeyOf(object: KubeObject): string | undefined {
  const owner = ownerOf(object);
  return owner === undefined ? undefined : rolloutKeyString(owner);
}

/**
 * What the agent reads of a pod (identity, owner, age, labels and annotations for role metadata, node, container
 * names, start time, readiness, container states); the rest of its spec and status are dropped.
 */
export function podAsCached(pod: PodObject): PodObject {
  const { name, namespace, uid, resourceVersion, creationTimestamp, deletionTimestamp, labels, annotations, ownerReferences } =
    pod.metadata;
  const { phase, reason, startTime, conditions, containerStatuses, initContainerStatuses } = pod.status ?? {};
  return {
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp, deletionTimestamp, labels, annotations, ownerReferences },
    ...(pod.spec === undefined
      ? {}
      : { spec: { nodeName: pod.spec.nodeName, containers: pod.spec.containers?.map((container) => ({ name: container.name })) } }),
    ...(pod.status === undefined ? {} : { status: { phase, reason, startTime, conditions, containerStatuses, initContainerStatuses } }),
  };
}

/** The ReplicaSet controlling a pod, as `namespace/name`. */
export function replicaSetOfPod(pod: KubeObject): string | undefined {
  const owner = pod.metadata.ownerReferences?.find((reference) => reference.controller === true && reference.kind === 'ReplicaSet');
  return owner === undefined ? undefined : objectKey(pod.metadata.namespace, owner.name);
}

/**
 * What the agent sees of its cluster: the ReplicaSets it created, the pods of rollout ReplicaSets, every Service,
 * and router objects once a rollout uses that kind of router; ReplicaSets and the Services the agent created are
 * indexed by the key string of their rollout or standalone experiment, pods by ReplicaSet.
 */
export class ClusterState {
  readonly replicaSets: ObjectCache<ReplicaSetObject>;
  readonly pods: ObjectCache<PodObject>;
  readonly services: ObjectCache<ServiceObject>;
  private readonly routers = new Map<string, ObjectCache<KubeObject>>();
  private readonly replicaSetsByOwner = new Map<string, Set<string>>();
  private readonly servicesByOwner = new Map<string, Set<string>>();
  private readonly podsByReplicaSet = new Map<string, Set<string>>();

  constructor(
    private readonly kube: KubeClient,
    private readonly listener: ObjectChangeListener,
    private readonly logger: Logger,
  ) {
    this.replicaSets = new ObjectCache(
      REPLICA_SETS,
      kube,
      `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`,
      (change) => this.replicaSetChanged(change),
      logger,
    );
    this.pods = new ObjectCache(PODS, kube, POD_TEMPLATE_HASH_LABEL, (change) => this.podChanged(change), logger, podAsCached);
    this.services = new ObjectCache(SERVICES, kube, undefined, (change) => this.serviceChanged(change), logger);
  }

  start(): void {
    this.replicaSets.start();
    this.pods.start();
    this.services.start();
  }

  async whenSynced(): Promise<void> {
    await Promise.all([this.replicaSets.whenSynced(), this.pods.whenSynced(), this.services.whenSynced()]);
  }

  stop(): void {
    this.replicaSets.stop();
    this.pods.stop();
    this.services.stop();
    this.routers.forEach((cache) => cache.stop());
  }

  /** The cache of a router resource, started on first use. */
  router(resource: Resource): ObjectCache<KubeObject> {
    let cache = this.routers.get(resource.plural);
    if (cache === undefined) {
      cache = new ObjectCache<KubeObject>(resource, this.kube, undefined, (change) => this.listener(resource, change), this.logger);
      this.routers.set(resource.plural, cache);
      cache.start();
    }
    return cache;
  }

  /** A router object if its kind is already watched; undefined otherwise (observation never starts a watch). */
  peekRouter(resource: Resource, namespace: string, name: string): KubeObject | undefined {
    return this.routers.get(resource.plural)?.get(namespace, name);
  }

  /** The ReplicaSets the agent created for a rollout or standalone experiment. */
  replicaSetsOf(owner: RolloutKey): ReplicaSetObject[] {
    const keys = this.replicaSetsByOwner.get(rolloutKeyString(owner)) ?? new Set<string>();
    return [...keys]
      .map((key) => this.replicaSets.get(...splitKey(key)))
      .filter((replicaSet): replicaSet is ReplicaSetObject => replicaSet !== undefined);
  }

  /** The Services the agent created for a rollout or standalone experiment. */
  servicesOf(owner: RolloutKey): ServiceObject[] {
    const keys = this.servicesByOwner.get(rolloutKeyString(owner)) ?? new Set<string>();
    return [...keys].map((key) => this.services.get(...splitKey(key))).filter((service): service is ServiceObject => service !== undefined);
  }

  /**
   * Every rollout or standalone experiment that owns a cached object the agent created (a ReplicaSet, a Service, a
   * router object of a watched kind), by key string.
   */
  ownersOfObjects(): Map<string, RolloutKey> {
    const owners = new Map<string, RolloutKey>();
    const cached: Array<Iterable<KubeObject>> = [
      this.replicaSets.values(),
      this.services.values(),
      ...[...this.routers.values()].map((router) => router.values()),
    ];
    for (const objects of cached) {
      for (const object of objects) {
        const owner = ownerOf(object);
        if (owner !== undefined) owners.set(rolloutKeyString(owner), owner);
      }
    }
    return owners;
  }

  podsOf(replicaSet: ReplicaSetObject): PodObject[] {
    const keys = this.podsByReplicaSet.get(keyOf(replicaSet)) ?? new Set<string>();
    return [...keys].map((key) => this.pods.get(...splitKey(key))).filter((pod): pod is PodObject => pod !== undefined);
  }

  /** Records an object the agent wrote, keeping the indexes right before its watch event arrives. */
  rememberReplicaSet(replicaSet: ReplicaSetObject): void {
    this.replicaSets.remember(replicaSet);
    const owner = ownerKeyOf(replicaSet);
    if (owner !== undefined) addToIndex(this.replicaSetsByOwner, owner, keyOf(replicaSet));
  }

  /** Records a Service the agent wrote, keeping the index right before its watch event arrives. */
  rememberService(service: ServiceObject): void {
    this.services.remember(service);
    const owner = ownerKeyOf(service);
    if (owner !== undefined) addToIndex(this.servicesByOwner, owner, keyOf(service));
  }

  /** Records a pod the agent patched, so that the next pass does not patch it again before its watch event arrives. */
  rememberPod(pod: PodObject): void {
    this.pods.remember(pod);
  }

  /** Drops a pod the agent deleted, so that the next pass counts it as gone before its watch event arrives. */
  forgetPod(pod: PodObject): void {
    this.pods.forget(pod.metadata.namespace, pod.metadata.name);
    const replicaSet = replicaSetOfPod(pod);
    if (replicaSet !== undefined) removeFromIndex(this.podsByReplicaSet, replicaSet, keyOf(pod));
  }

  private replicaSetChanged(change: CacheChange<ReplicaSetObject>): void {
    reindex(this.replicaSetsByOwner, change, ownerKeyOf);
    this.listener(REPLICA_SETS, change);
  }

  private podChanged(change: CacheChange<PodObject>): void {
    reindex(this.podsByReplicaSet, change, replicaSetOfPod);
    this.listener(PODS, change);
  }

  private serviceChanged(change: CacheChange<ServiceObject>): void {
    reindex(this.servicesByOwner, change, ownerKeyOf);
    this.listener(SERVICES, change);
  }
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}

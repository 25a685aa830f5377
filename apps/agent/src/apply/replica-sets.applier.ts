import { injectedEphemeralMetadata, POD_TEMPLATE_HASH_LABEL, type DesiredReplicaSet, type RolloutKey } from '@flotilla/protocol';
import type { ClusterState } from '../kube/cluster-state.js';
import { isAlreadyExists, isNotFound, type KubeClient } from '../kube/kube-client.js';
import type { PodObject, ReplicaSetObject } from '../kube/kube-object.js';
import { PODS, REPLICA_SETS } from '../kube/resources.js';
import { podMetadataPatch } from './ephemeral-pod-metadata.js';
import { isOwnedBy, NotOwnedError } from './ownership.js';
import { desiredReplicaSetName, replicaSetManifest, replicaSetPatch } from './replica-set-manifest.js';
import { podsToRestart } from './restart.js';

/**
 * Creates, scales, relabels and deletes the ReplicaSets of one rollout, recreates pods for a restart, and moves
 * running pods to the role metadata their ReplicaSet now injects.
 */
export class ReplicaSetApplier {
  constructor(
    private readonly kube: KubeClient,
    private readonly cluster: ClusterState,
  ) {}

  /**
   * Converges the rollout's ReplicaSets, its experiments' included, to `desired`: an owned ReplicaSet whose pod
   * template hash is not desired is deleted. Returns how many API writes it made.
   */
  async apply(rollout: RolloutKey, desired: DesiredReplicaSet[]): Promise<number> {
    let writes = 0;
    for (const replicaSet of desired) writes += await this.applyOne(rollout, replicaSet);
    const wanted = new Set(desired.map((replicaSet) => replicaSet.podTemplateHash));
    for (const existing of this.cluster.replicaSetsOf(rollout)) {
      const hash = existing.metadata.labels?.[POD_TEMPLATE_HASH_LABEL];
      if ((hash !== undefined && wanted.has(hash)) || !isOwnedBy(existing, rollout)) continue;
      await this.kube.delete(REPLICA_SETS, rollout.namespace, existing.metadata.name, { uid: existing.metadata.uid ?? '' });
      writes += 1;
    }
    return writes;
  }

  private async applyOne(rollout: RolloutKey, desired: DesiredReplicaSet): Promise<number> {
    const name = desiredReplicaSetName(rollout.name, desired);
    const existing = this.cluster.replicaSets.get(rollout.namespace, name) ?? (await this.createOrRead(rollout, desired));
    if (existing === undefined) return 1;
    if (!isOwnedBy(existing, rollout)) throw new NotOwnedError('ReplicaSet', rollout.namespace, name);
    let writes = 0;
    const patch = replicaSetPatch(rollout, existing, desired);
    if (patch !== undefined) {
      this.cluster.rememberReplicaSet(await this.kube.mergePatch<ReplicaSetObject>(REPLICA_SETS, rollout.namespace, name, patch));
      writes += 1;
    }
    if (desired.restart !== undefined) {
      for (const pod of podsToRestart(this.cluster.podsOf(existing), desired.replicas, desired.restart)) {
        await this.kube.delete(PODS, rollout.namespace, pod.metadata.name, { uid: pod.metadata.uid ?? '' });
        this.cluster.forgetPod(pod);
        writes += 1;
      }
    }
    if (desired.replicas > 0) writes += await this.relabelPods(existing, desired);
    return writes;
  }

  /**
   * Brings the running pods of a ReplicaSet from the role metadata it injected before (its annotation as found) to
   * the metadata it injects now, after the ReplicaSet itself so that pods it creates meanwhile already carry it.
   * A ReplicaSet going to zero replicas is left as it is: its pods are on their way out.
   */
  private async relabelPods(existing: ReplicaSetObject, desired: DesiredReplicaSet): Promise<number> {
    const before = injectedEphemeralMetadata(existing.metadata.annotations);
    const now = injectedEphemeralMetadata(desired.annotations);
    if (before === undefined && now === undefined) return 0;
    let writes = 0;
    for (const pod of this.cluster.podsOf(existing)) {
      const patch = podMetadataPatch(pod, before, now, existing.spec.selector.matchLabels);
      if (patch === undefined) continue;
      try {
        this.cluster.rememberPod(await this.kube.mergePatch<PodObject>(PODS, pod.metadata.namespace ?? '', pod.metadata.name, patch));
        writes += 1;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return writes;
  }

  /**
   * Creates the ReplicaSet; undefined when it was created. When it already exists (the cache had not seen it yet,
   * or someone else made it) the current object is returned so the caller checks ownership and patches.
   */
  private async createOrRead(rollout: RolloutKey, desired: DesiredReplicaSet): Promise<ReplicaSetObject | undefined> {
    // Unowned ReplicaSets are not cached (the cache selects the agent's label), so look before creating.
    const name = desiredReplicaSetName(rollout.name, desired);
    const found = await this.kube.get<ReplicaSetObject>(REPLICA_SETS, rollout.namespace, name);
    if (found !== undefined) return found;
    try {
      this.cluster.rememberReplicaSet(await this.kube.create(REPLICA_SETS, rollout.namespace, replicaSetManifest(rollout, desired)));
      return undefined;
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      return this.kube.get<ReplicaSetObject>(REPLICA_SETS, rollout.namespace, name);
    }
  }
}

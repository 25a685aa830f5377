import { EXPERIMENT_LABEL, type DesiredExperimentService, type RolloutKey } from '@flotilla/protocol';
import type { ClusterState } from '../kube/cluster-state.js';
import { isAlreadyExists, type KubeClient } from '../kube/kube-client.js';
import type { ServiceObject } from '../kube/kube-object.js';
import { SERVICES } from '../kube/resources.js';
import { experimentServiceManifest, experimentServicePatch } from './experiment-service-manifest.js';
import { isOwnedBy, NotOwnedError } from './ownership.js';

/**
 * Creates, updates and deletes the Services of a rollout's experiments, or of a standalone experiment. Only Services
 * the agent created for that key are changed or deleted: a team Service under a desired name is reported and left
 * alone, and the other experiment Services still converge.
 */
export class ExperimentServiceApplier {
  constructor(
    private readonly kube: KubeClient,
    private readonly cluster: ClusterState,
  ) {}

  /** Converges the rollout's experiment Services to `desired`; returns how many API writes it made. */
  async apply(rollout: RolloutKey, desired: DesiredExperimentService[]): Promise<number> {
    let writes = 0;
    const notOwned: NotOwnedError[] = [];
    for (const service of desired) {
      try {
        writes += await this.applyOne(rollout, service);
      } catch (error) {
        if (!(error instanceof NotOwnedError)) throw error;
        notOwned.push(error);
      }
    }
    const wanted = new Set(desired.map((service) => service.name));
    for (const existing of this.cluster.servicesOf(rollout)) {
      if (wanted.has(existing.metadata.name) || existing.metadata.labels?.[EXPERIMENT_LABEL] === undefined || !isOwnedBy(existing, rollout))
        continue;
      await this.kube.delete(SERVICES, rollout.namespace, existing.metadata.name, { uid: existing.metadata.uid ?? '' });
      writes += 1;
    }
    if (notOwned[0] !== undefined) throw notOwned[0];
    return writes;
  }

  private async applyOne(rollout: RolloutKey, desired: DesiredExperimentService): Promise<number> {
    const existing = this.cluster.services.get(rollout.namespace, desired.name) ?? (await this.createOrRead(rollout, desired));
    if (existing === undefined) return 1;
    if (!isOwnedBy(existing, rollout)) throw new NotOwnedError('Service', rollout.namespace, desired.name);
    const patch = experimentServicePatch(rollout, existing, desired);
    if (patch === undefined) return 0;
    this.cluster.rememberService(await this.kube.mergePatch<ServiceObject>(SERVICES, rollout.namespace, desired.name, patch));
    return 1;
  }

  /** Creates the Service; undefined when it was created, the current object when the cache had not seen it yet. */
  private async createOrRead(rollout: RolloutKey, desired: DesiredExperimentService): Promise<ServiceObject | undefined> {
    try {
      this.cluster.rememberService(await this.kube.create(SERVICES, rollout.namespace, experimentServiceManifest(rollout, desired)));
      return undefined;
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      return this.kube.get<ServiceObject>(SERVICES, rollout.namespace, desired.name);
    }
  }
}

import { rolloutKeyString, type DesiredRolloutState, type DesiredTrafficRouting, type RolloutKey } from '@flotilla/protocol';
import type { ClusterState } from '../kube/cluster-state.js';
import { isNotFound, type KubeClient } from '../kube/kube-client.js';
import type { KubeObject } from '../kube/kube-object.js';
import { INGRESSES, TRAFFIC_SPLITS } from '../kube/resources.js';
import { ExperimentServiceApplier } from './experiment-services.applier.js';
import { isOwnedBy, ownershipLabels } from './ownership.js';
import { ReplicaSetApplier } from './replica-sets.applier.js';
import { ServiceApplier } from './services.applier.js';
import { GatewayApiApplier } from './traffic/gateway-api.js';
import { IstioApplier } from './traffic/istio.js';
import { NginxApplier } from './traffic/nginx.js';
import { SmiApplier } from './traffic/smi.js';

/** Some parts of a rollout could not be converged; the others were. Each failure keeps its own context. */
export class ConvergeError extends Error {
  constructor(
    readonly rollout: RolloutKey,
    readonly failures: Error[],
  ) {
    super(`${rolloutKeyString(rollout)}: ${failures.map((failure) => failure.message).join('; ')}`);
    this.name = 'ConvergeError';
  }
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/** Converges everything one rollout needs in the cluster: ReplicaSets, Service selectors, experiment Services, traffic routers. */
export class RolloutApplier {
  private readonly replicaSets: ReplicaSetApplier;
  private readonly services: ServiceApplier;
  private readonly experimentServices: ExperimentServiceApplier;
  private readonly nginx: NginxApplier;
  private readonly istio: IstioApplier;
  private readonly smi: SmiApplier;
  private readonly gatewayApi: GatewayApiApplier;

  constructor(
    private readonly kube: KubeClient,
    cluster: ClusterState,
  ) {
    this.replicaSets = new ReplicaSetApplier(kube, cluster);
    this.services = new ServiceApplier(kube, cluster);
    this.experimentServices = new ExperimentServiceApplier(kube, cluster);
    this.nginx = new NginxApplier(kube, cluster);
    this.istio = new IstioApplier(kube, cluster);
    this.smi = new SmiApplier(kube, cluster);
    this.gatewayApi = new GatewayApiApplier(kube, cluster);
  }

  /**
   * Applies every part even when an earlier one fails (a missing Service must not stop scaling), then reports all
   * failures together. Returns the number of API writes made.
   */
  async converge(rollout: RolloutKey, state: DesiredRolloutState): Promise<number> {
    const routing = state.trafficRouting;
    const parts: Array<() => Promise<number>> = [
      () => this.replicaSets.apply(rollout, state.replicaSets),
      () => this.services.apply(rollout, state.services),
      () => this.experimentServices.apply(rollout, state.experimentServices ?? []),
      ...(routing === undefined ? [] : [() => this.applyRouting(rollout, routing)]),
    ];
    let writes = 0;
    const failures: Error[] = [];
    for (const part of parts) {
      try {
        writes += await part();
      } catch (error) {
        failures.push(asError(error));
      }
    }
    if (failures.length > 0) throw new ConvergeError(rollout, failures);
    return writes;
  }

  /**
   * Deletes what the agent created for a rollout or standalone experiment that no longer exists; objects of the team
   * stay. A standalone experiment has no router objects, so none are looked for.
   */
  async remove(rollout: RolloutKey): Promise<number> {
    const writes = (await this.replicaSets.apply(rollout, [])) + (await this.experimentServices.apply(rollout, []));
    return rollout.kind === 'Experiment' ? writes : writes + (await this.deleteOwnedRouterObjects(rollout));
  }

  private applyRouting(rollout: RolloutKey, routing: DesiredTrafficRouting): Promise<number> {
    switch (routing.router) {
      case 'nginx':
        return this.nginx.apply(rollout, routing);
      case 'istio':
        return this.istio.apply(rollout, routing);
      case 'smi':
        return this.smi.apply(rollout, routing);
      case 'gatewayAPI':
        return this.gatewayApi.apply(rollout, routing);
    }
  }

  /** Listed from the API rather than the caches: a router kind may not be watched since the agent restarted. */
  private async deleteOwnedRouterObjects(rollout: RolloutKey): Promise<number> {
    let writes = 0;
    const selector = Object.entries(ownershipLabels(rollout))
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
    for (const resource of [INGRESSES, TRAFFIC_SPLITS]) {
      let owned: KubeObject[];
      try {
        owned = (await this.kube.list(resource, selector)).items.filter((object) => isOwnedBy(object, rollout));
      } catch (error) {
        if (isNotFound(error)) continue; // the kind is not served by this cluster
        throw error;
      }
      for (const object of owned) {
        await this.kube.delete(resource, rollout.namespace, object.metadata.name, { uid: object.metadata.uid ?? '' });
        writes += 1;
      }
    }
    return writes;
  }
}

import { POD_TEMPLATE_HASH_LABEL, type DesiredServiceSelectors, type RolloutKey } from '@flotilla/protocol';
import type { ClusterState } from '../kube/cluster-state.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { ServiceObject } from '../kube/kube-object.js';
import { SERVICES } from '../kube/resources.js';
import { MissingObjectError } from './ownership.js';

/**
 * Points the `rollouts-pod-template-hash` key of each named Service's selector at its desired ReplicaSet. Services
 * belong to the team: the rest of the selector and of the Service is never touched, and a missing Service is an
 * error to report, not something to create.
 */
export class ServiceApplier {
  constructor(
    private readonly kube: KubeClient,
    private readonly cluster: ClusterState,
  ) {}

  async apply(rollout: RolloutKey, selectors: DesiredServiceSelectors): Promise<number> {
    let writes = 0;
    const missing: MissingObjectError[] = [];
    for (const selector of Object.values(selectors)) {
      if (selector === undefined) continue;
      const service = this.cluster.services.get(rollout.namespace, selector.service);
      if (service === undefined) {
        missing.push(new MissingObjectError('Service', rollout.namespace, selector.service));
        continue;
      }
      if (service.spec.selector?.[POD_TEMPLATE_HASH_LABEL] === selector.podTemplateHash) continue;
      const patch = { spec: { selector: { [POD_TEMPLATE_HASH_LABEL]: selector.podTemplateHash } } };
      this.cluster.services.remember(await this.kube.mergePatch<ServiceObject>(SERVICES, rollout.namespace, selector.service, patch));
      writes += 1;
    }
    if (missing[0] !== undefined) throw missing[0];
    return writes;
  }
}

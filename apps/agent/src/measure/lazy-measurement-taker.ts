import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeClient } from '../kube/kube-client.js';
import { loadOnce } from './load-once.js';
import type { TakeMeasurement } from './take-measurement.js';

/**
 * A measurement taker whose providers are loaded on the first measurement, as most agents never measure. Job
 * metrics run their Jobs with the agent's own kubeconfig.
 * @example const take = lazyMeasurementTaker({ kube, kubeConfig, agentNamespace: 'flotilla-system' });
 */
export function lazyMeasurementTaker(options: { kube: KubeClient; kubeConfig: KubeConfig; agentNamespace: string }): TakeMeasurement {
  const taker = loadOnce(async (): Promise<TakeMeasurement> => {
    const { createHttpTransport, createKubernetesJobRunner, createMeasurementTaker } = await import('./take-measurement.js');
    // In the cluster private addresses are where metric backends live, so no address policy applies.
    return createMeasurementTaker({
      kube: options.kube,
      http: createHttpTransport(),
      jobs: createKubernetesJobRunner(options.kubeConfig),
      agentNamespace: options.agentNamespace,
    });
  });
  return async (request, signal) => (await taker())(request, signal);
}

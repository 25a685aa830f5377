import type { KubeHttp } from '../kube/kube-http.js';
import { lazyKubernetesJobRunner } from './lazy-job-runner.js';
import { loadOnce } from './load-once.js';
import type { TakeMeasurement } from './take-measurement.js';

/**
 * A measurement taker whose providers are loaded on the first measurement, as most agents never measure; the
 * Kubernetes client that job metrics use is loaded later still, on the first job metric.
 * @example const take = lazyMeasurementTaker({ kube, kubeconfigPath: process.env.KUBECONFIG, agentNamespace: 'flotilla-system' });
 */
export function lazyMeasurementTaker(options: {
  kube: KubeHttp;
  kubeconfigPath: string | undefined;
  agentNamespace: string;
}): TakeMeasurement {
  const taker = loadOnce(async (): Promise<TakeMeasurement> => {
    const { createHttpTransport, createMeasurementTaker } = await import('./take-measurement.js');
    // In the cluster private addresses are where metric backends live, so no address policy applies.
    return createMeasurementTaker({
      kube: options.kube,
      http: createHttpTransport(),
      jobs: lazyKubernetesJobRunner(options.kubeconfigPath),
      agentNamespace: options.agentNamespace,
    });
  });
  return async (request, signal) => (await taker())(request, signal);
}

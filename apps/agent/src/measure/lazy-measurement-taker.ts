import type { KubeHttp } from '../kube/kube-http.js';
import type { TakeMeasurement } from './take-measurement.js';

/**
 * A measurement taker whose providers are loaded on the first measurement: the metric providers bring the full
 * Kubernetes client (for job metrics), which more than doubles the agent's memory, and most agents never measure.
 * The job runner reads the same kubeconfig (or in-cluster service account) as the agent.
 * @example const take = lazyMeasurementTaker({ kube, kubeconfigPath: process.env.KUBECONFIG, agentNamespace: 'flotilla-system' });
 */
export function lazyMeasurementTaker(options: { kube: KubeHttp; kubeconfigPath: string | undefined; agentNamespace: string }): TakeMeasurement {
  let loading: Promise<TakeMeasurement> | undefined;
  const load = async (): Promise<TakeMeasurement> => {
    const [{ KubeConfig }, providers, { createMeasurementTaker }] = await Promise.all([import('@kubernetes/client-node'), import('@flotilla/metric-providers'), import('./take-measurement.js')]);
    const kubeConfig = new KubeConfig();
    if (options.kubeconfigPath === undefined) kubeConfig.loadFromDefault();
    else kubeConfig.loadFromFile(options.kubeconfigPath);
    // In the cluster private addresses are where metric backends live, so no address policy applies.
    return createMeasurementTaker({ kube: options.kube, http: providers.createHttpTransport(), jobs: providers.createKubernetesJobRunner(kubeConfig), agentNamespace: options.agentNamespace });
  };
  return async (request, signal) => {
    loading ??= load();
    loading.catch(() => {
      loading = undefined;
    });
    return (await loading)(request, signal);
  };
}

import type { JobRunner } from '@flotilla/metric-providers';
import { loadOnce } from './load-once.js';

/**
 * A job runner that loads the Kubernetes client on the first job metric: only job metrics need that client, which
 * more than doubles the agent's memory. It reads the same kubeconfig (or in-cluster service account) as the agent.
 */
export function lazyKubernetesJobRunner(kubeconfigPath: string | undefined): JobRunner {
  const runner = loadOnce(async (): Promise<JobRunner> => {
    const [{ KubeConfig }, { createKubernetesJobRunner }] = await Promise.all([
      import('@kubernetes/client-node'),
      import('@flotilla/metric-providers/job'),
    ]);
    const kubeConfig = new KubeConfig();
    if (kubeconfigPath === undefined) kubeConfig.loadFromDefault();
    else kubeConfig.loadFromFile(kubeconfigPath);
    return createKubernetesJobRunner(kubeConfig);
  });
  return {
    create: async (job) => (await runner()).create(job),
    progress: async (namespace, name) => (await runner()).progress(namespace, name),
    delete: async (namespace, name) => (await runner()).delete(namespace, name),
  };
}

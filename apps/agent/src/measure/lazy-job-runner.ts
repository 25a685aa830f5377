import type { JobRunner } from '@flotilla/metric-providers';
import { loadOnce } from './load-once.js';

/**
 * A job runner that loads the Kubernetes client on the first job metric: only job metrics need that client, which
 * more than doubles the agent's memory.
 */
export function lazyKubernetesJobRunner(kubeconfigPath: string | undefined): JobRunner {
  const runner = loadOnce(async (): Promise<JobRunner> => (await import('./kubernetes-job-runner.js')).kubernetesJobRunner(kubeconfigPath));
  return {
    create: async (job) => (await runner()).create(job),
    progress: async (namespace, name) => (await runner()).progress(namespace, name),
    delete: async (namespace, name) => (await runner()).delete(namespace, name),
  };
}

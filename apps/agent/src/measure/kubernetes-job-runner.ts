import { KubeConfig } from '@kubernetes/client-node';
import type { JobRunner } from '@flotilla/metric-providers';
import { createKubernetesJobRunner } from '@flotilla/metric-providers/job';

/** Runs the Jobs of job metrics with the same kubeconfig (or in-cluster service account) as the agent. */
export function kubernetesJobRunner(kubeconfigPath: string | undefined): JobRunner {
  const kubeConfig = new KubeConfig();
  if (kubeconfigPath === undefined) kubeConfig.loadFromDefault();
  else kubeConfig.loadFromFile(kubeconfigPath);
  return createKubernetesJobRunner(kubeConfig);
}

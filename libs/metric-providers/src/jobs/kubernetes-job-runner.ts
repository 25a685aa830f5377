import { ApiException, BatchV1Api, type KubeConfig, type V1Job } from '@kubernetes/client-node';
import { ANALYSIS_RUN_UID_LABEL, type CreatedJob, type JobManifest, type JobProgress, type JobRunner } from './job-runner.js';

const CONFLICT = 409;
const NOT_FOUND = 404;

function finishedAs(job: V1Job): JobProgress {
  const finished = (job.status?.conditions ?? []).find(
    (condition) => (condition.type === 'Complete' || condition.type === 'Failed') && condition.status === 'True',
  );
  return finished?.type === 'Complete' ? 'Complete' : finished?.type === 'Failed' ? 'Failed' : 'Running';
}

/** Error thrown by the runner when a Job of the wanted name belongs to another run. */
export class JobNameTakenError extends Error {
  constructor(
    readonly namespace: string,
    readonly jobName: string,
  ) {
    super(`job ${namespace}/${jobName} already exists and belongs to another analysis run`);
    this.name = 'JobNameTakenError';
  }
}

/**
 * A `JobRunner` over the official Kubernetes client.
 * @example const jobs = createKubernetesJobRunner(kubeConfig); await jobs.create(manifest);
 */
export function createKubernetesJobRunner(config: KubeConfig): JobRunner {
  const batch = config.makeApiClient(BatchV1Api);
  return {
    async create(job: JobManifest): Promise<CreatedJob> {
      const { name, namespace } = job.metadata;
      try {
        // The spec is the template author's JSON; the client's serializer keeps the Job fields it knows.
        await batch.createNamespacedJob({ namespace, body: job as unknown as V1Job });
        return { name, created: true };
      } catch (error) {
        if (!(error instanceof ApiException) || error.code !== CONFLICT) throw error;
        const existing = await batch.readNamespacedJob({ name, namespace });
        if (existing.metadata?.labels?.[ANALYSIS_RUN_UID_LABEL] !== job.metadata.labels[ANALYSIS_RUN_UID_LABEL])
          throw new JobNameTakenError(namespace, name);
        return { name, created: false };
      }
    },
    async progress(namespace, name) {
      try {
        return finishedAs(await batch.readNamespacedJob({ name, namespace }));
      } catch (error) {
        if (error instanceof ApiException && error.code === NOT_FOUND) return undefined;
        throw error;
      }
    },
    async delete(namespace, name) {
      try {
        await batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' });
      } catch (error) {
        if (!(error instanceof ApiException) || error.code !== NOT_FOUND) throw error;
      }
    },
  };
}

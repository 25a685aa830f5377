import type { JobProvider } from '@flotilla/argo-spec';
import type { MeasureContext } from '../context.js';
import { defineAdapter } from '../define-adapter.js';
import { MeasurementError } from '../errors.js';
import {
  ANALYSIS_RUN_METRIC_ANNOTATION,
  ANALYSIS_RUN_NAME_ANNOTATION,
  ANALYSIS_RUN_UID_LABEL,
  JOB_NAME_KEY,
  type JobManifest,
  type JobRunner,
} from '../jobs/job-runner.js';
import { measured, type ProviderOutcome } from '../outcome.js';
import { pause } from '../pause.js';

const PROVIDER = 'job';
const DEFAULT_POLL_INTERVAL_MS = 1000;

/**
 * The Job Argo creates for one measurement: named `{run uid}.{metric}.{measurement index}`, labelled with
 * the run's UID and annotated with the run and metric names, on top of the template's own metadata.
 * @example jobManifest({ spec: { template: … } }, { name: 'canary-1', namespace: 'shop', uid: 'a1b2' }, 'smoke', 3)
 * // metadata.name === 'a1b2.smoke.3'
 */
export function jobManifest(provider: JobProvider, run: MeasureContext['run'], metricName: string, measurementIndex: number): JobManifest {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `${run.uid}.${metricName}.${measurementIndex}`,
      namespace: run.namespace,
      labels: { ...provider.metadata?.labels, [ANALYSIS_RUN_UID_LABEL]: run.uid },
      annotations: {
        ...provider.metadata?.annotations,
        [ANALYSIS_RUN_NAME_ANNOTATION]: run.name,
        [ANALYSIS_RUN_METRIC_ANNOTATION]: metricName,
      },
    },
    spec: provider.spec,
  };
}

async function terminate(jobs: JobRunner, namespace: string, name: string, metadata: Record<string, string>): Promise<ProviderOutcome> {
  await jobs.delete(namespace, name);
  return measured(undefined, '', { phase: 'Inconclusive', metadata });
}

async function measureJob(provider: JobProvider, context: MeasureContext): Promise<ProviderOutcome> {
  const jobs = context.jobs;
  if (!jobs) throw new MeasurementError(PROVIDER, 'no Kubernetes access to run jobs');
  const manifest = jobManifest(provider, context.run, context.metricName, context.measurementIndex);
  const { namespace } = manifest.metadata;
  const { name } = await jobs.create(manifest);
  const metadata = { [JOB_NAME_KEY]: name };
  for (;;) {
    if (context.signal?.aborted) return terminate(jobs, namespace, name, metadata);
    const progress = await jobs.progress(namespace, name);
    if (progress === undefined) throw new MeasurementError(PROVIDER, `job ${namespace}/${name} disappeared`, metadata);
    if (progress === 'Complete') return measured(true, '', { phase: 'Successful', metadata });
    if (progress === 'Failed') return measured(false, '', { phase: 'Failed', metadata });
    await pause(context.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, context.signal);
  }
}

/**
 * Runs the metric's Job and waits for it, as Argo's job provider: a Job that completes makes the
 * measurement Successful, one that fails makes it Failed (the phase is decided here, conditions are not
 * evaluated, and Argo stores no value). Aborting the context's signal is Argo's Terminate: the Job is
 * deleted with background propagation and the measurement is Inconclusive.
 */
export const jobAdapter = defineAdapter('job', measureJob);

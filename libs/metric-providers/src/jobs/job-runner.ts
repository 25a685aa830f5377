import type { JsonObject } from '@flotilla/argo-spec';

/** A `batch/v1` Job as the job provider creates it. */
export interface JobManifest {
  apiVersion: 'batch/v1';
  kind: 'Job';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: JsonObject;
}

/** How far a Job got: `Complete` and `Failed` are final, as the Job's conditions say. */
export type JobProgress = 'Running' | 'Complete' | 'Failed';

export interface CreatedJob {
  name: string;
  /** False when a Job of that name already existed and belongs to the same run (a repeated create). */
  created: boolean;
}

/** Kubernetes access for the job provider: one cluster's Jobs. */
export interface JobRunner {
  /** Creates the Job; an existing Job of the same name is reused when its run UID label matches, refused otherwise. */
  create(job: JobManifest): Promise<CreatedJob>;
  /** `undefined` when the Job does not exist. */
  progress(namespace: string, name: string): Promise<JobProgress | undefined>;
  /** Deletes the Job and, in the background, its pods; a Job already gone is not an error. */
  delete(namespace: string, name: string): Promise<void>;
}

export const ANALYSIS_RUN_NAME_ANNOTATION = 'analysisrun.argoproj.io/name';
export const ANALYSIS_RUN_METRIC_ANNOTATION = 'analysisrun.argoproj.io/metric-name';
export const ANALYSIS_RUN_UID_LABEL = 'analysisrun.argoproj.io/uid';
/** The measurement metadata key naming the Job, as Argo's. */
export const JOB_NAME_KEY = 'job-name';

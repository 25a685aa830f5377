import type { DryRun, MeasurementRetention, Metric, SecretKeyRef, FieldRef, PodTemplateHashValue } from '@flotilla/argo-spec';

/** Phases shared by measurements, metric results and analysis runs, as Argo names them. */
export type AnalysisPhase = 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive';
export type CompletedPhase = 'Successful' | 'Failed' | 'Error' | 'Inconclusive';

export function isCompleted(phase: AnalysisPhase): phase is CompletedPhase {
  return phase === 'Successful' || phase === 'Failed' || phase === 'Error' || phase === 'Inconclusive';
}

export interface Measurement {
  phase: AnalysisPhase;
  startedAt?: Date;
  /** Set once the measurement completed. */
  finishedAt?: Date;
  /** When an in-flight measurement (a job, a long query) should be looked at again. */
  resumeAt?: Date;
  /** The measured value as text, as Argo stores it (`"0.97"`, `"[0.97]"`). */
  value?: string;
  message?: string;
}

/** What is known about one metric of a run. Counters survive measurement retention; `measurements` keeps the latest only. */
export interface MetricResult {
  name: string;
  phase: AnalysisPhase;
  /** Retained measurements, oldest first. */
  measurements: Measurement[];
  /** Completed measurements that were not errors. */
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  consecutiveError: number;
  consecutiveSuccess: number;
  dryRun: boolean;
  message?: string;
}

/** An argument of a run after templates and the caller's arguments were merged, before values are resolved. */
export interface RunArgument {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: SecretKeyRef; fieldRef?: FieldRef; podTemplateHashValue?: PodTemplateHashValue };
}

/** The specification of one analysis run: what Argo writes into an AnalysisRun's `spec`. */
export interface AnalysisRunSpec {
  metrics: Metric[];
  args: RunArgument[];
  dryRun: DryRun[];
  measurementRetention: MeasurementRetention[];
  /** Set when the run was asked to stop (the rollout moved on or was aborted). */
  terminate?: boolean;
}

export interface RunSummary {
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
}

import type { Metric } from '@flotilla/argo-spec';

/**
 * One measurement of one metric, to be taken inside the cluster: metric data sources usually live there, and
 * `secretKeyRef` arguments are resolved only there. The metric's arguments are already substituted, except
 * secret values, which appear as `$(flotilla-secret:<secret>/<key>)` markers for the agent to replace from the
 * Secret in `run.namespace`.
 */
export interface MeasurementRequest {
  /** Unique per attempt; the answer carries it back. */
  requestId: string;
  run: { name: string; namespace: string; uid: string };
  metric: Metric;
  /** Argo's numbering of measurements of this metric (used in Job names). */
  measurementIndex: number;
  /** The control plane records an Error measurement when no answer arrives in time. */
  timeoutSeconds: number;
}

/** What a provider returned, exactly as `@flotilla/metric-providers` shapes it. */
export type MeasurementOutcome =
  | {
      ok: true;
      value: unknown;
      rawValue: string;
      phase?: 'Successful' | 'Failed' | 'Error' | 'Inconclusive';
      metadata?: Record<string, string>;
    }
  | { ok: false; error: string; metadata?: Record<string, string> };

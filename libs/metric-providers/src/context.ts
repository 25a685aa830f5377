import type { MetricProvider, MetricProviderName } from '@flotilla/argo-spec';
import type { HttpTransport } from './http/http-transport.js';
import type { JobRunner } from './jobs/job-runner.js';
import type { ProviderOutcome } from './outcome.js';

/**
 * Reads a provider profile or credential Secret by name (`datadog`, `newrelic`, `influxdb`,
 * `wavefront-api-tokens`, `cloudwatch`, …) as decoded string data; `undefined` when there is none.
 */
export type SecretLookup = (name: string, options?: SecretLookupOptions) => Promise<Record<string, string> | undefined>;

export interface SecretLookupOptions {
  /** Look only in the run's own namespace (Datadog's `secretRef.namespaced`), not where the cluster keeps credentials. */
  runNamespaceOnly?: boolean;
}

/** The AnalysisRun a measurement belongs to. */
export interface AnalysisRunRef {
  name: string;
  namespace: string;
  uid: string;
}

export interface MeasureContext {
  http: HttpTransport;
  secrets: SecretLookup;
  run: AnalysisRunRef;
  metricName: string;
  /** Measurements of this metric taken so far plus one (`count + error + 1`), as Argo numbers job names. */
  measurementIndex: number;
  /** Kubernetes access of the cluster the run belongs to; needed by the job provider only. */
  jobs?: JobRunner;
  /**
   * Aborting ends the measurement. For HTTP providers that is an error; for a job it is Argo's
   * Terminate: the Job is deleted and the measurement is Inconclusive.
   */
  signal?: AbortSignal;
  /** Overrides each provider's own request timeout. */
  timeoutMs?: number;
  /** Pause between looks at a running job or Kayenta canary; defaults to 1 s for jobs and 15 s for Kayenta as Argo. */
  pollIntervalMs?: number;
  /** The measurement time; defaults to the wall clock. Query windows end at it. */
  now?: () => Date;
}

/** One metric backend. `measure` never throws: failures are outcomes with an error. */
export interface MetricProviderAdapter<Kind extends MetricProviderName = MetricProviderName> {
  readonly kind: Kind;
  measure(provider: NonNullable<MetricProvider[Kind]>, context: MeasureContext): Promise<ProviderOutcome>;
}

export function measurementTime(context: MeasureContext): Date {
  return context.now ? context.now() : new Date();
}

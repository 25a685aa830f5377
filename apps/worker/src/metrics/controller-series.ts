import { isDryRunMetric } from '@flotilla/analysis';
import { providerTypeOf } from '@flotilla/metric-providers';
import { ROLLOUT_METRIC_PHASES, rolloutMetricPhase, strategyAndTrafficRouter } from '@flotilla/rollout-engine';
import type { AnalysisRunMetricRow, ExperimentMetricRow, MetricPlacement, RolloutMetricRow } from '@flotilla/stores';

/** One sample of a gauge: its labels and value. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** Samples by metric name. */
export type Series = Map<string, Sample[]>;

/** Argo's phases of analysis runs, as its deprecated `analysis_run_phase` and `analysis_run_metric_phase` list them. */
const ANALYSIS_PHASES = ['Pending', 'Error', 'Failed', 'Successful', 'Running', 'Inconclusive'] as const;
/** Argo's `experiment_phase` lists every analysis phase but Failed. */
const EXPERIMENT_PHASES = ['Pending', 'Error', 'Successful', 'Running', 'Inconclusive'] as const;

/** The labels every family starts with: Argo's namespace and name, then where the object lives in the fleet. */
const placementLabels = ({ namespace, name, cluster, organization }: MetricPlacement): Record<string, string> => ({
  namespace,
  name,
  cluster,
  organization,
});

const flag = (on: boolean): number => (on ? 1 : 0);

/** Phase samples one per phase, 1 for the object's: Argo's deprecated `*_phase` gauges. */
function phaseSamples(base: Record<string, string>, phases: readonly string[], current: string): Sample[] {
  return phases.map((phase) => ({ labels: { ...base, phase }, value: flag(phase === current) }));
}

function push(series: Series, name: string, ...samples: Sample[]): void {
  const known = series.get(name);
  if (known) known.push(...samples);
  else series.set(name, samples);
}

/** `rollout_info`, its replica gauges and the deprecated `rollout_phase`, as Argo's rollout collector derives them. */
export function rolloutSeries(rows: readonly RolloutMetricRow[]): Series {
  const series: Series = new Map();
  for (const row of rows) {
    const base = placementLabels(row);
    const { strategy, trafficRouter } = strategyAndTrafficRouter(row.strategy);
    const phase = rolloutMetricPhase(row.conditions);
    push(series, 'rollout_info', { labels: { ...base, strategy, traffic_router: trafficRouter, phase }, value: 1 });
    push(series, 'rollout_info_replicas_available', { labels: base, value: row.availableReplicas });
    push(series, 'rollout_info_replicas_unavailable', { labels: base, value: row.replicas - row.availableReplicas });
    push(series, 'rollout_info_replicas_desired', { labels: base, value: row.desiredReplicas });
    push(series, 'rollout_info_replicas_updated', { labels: base, value: row.updatedReplicas });
    push(series, 'rollout_phase', ...phaseSamples({ ...base, strategy }, ROLLOUT_METRIC_PHASES, phase));
  }
  return series;
}

/** Argo reads a phase not yet set as Pending. */
const analysisPhase = (phase: string | undefined): string => (phase === undefined || phase === '' ? 'Pending' : phase);

/** `analysis_run_info`, the deprecated `analysis_run_phase`, and per metric `analysis_run_metric_type` and `analysis_run_metric_phase`. */
export function analysisRunSeries(rows: readonly AnalysisRunMetricRow[]): Series {
  const series: Series = new Map();
  for (const row of rows) {
    const base = placementLabels(row);
    const phase = analysisPhase(row.phase);
    push(series, 'analysis_run_info', { labels: { ...base, phase }, value: 1 });
    push(series, 'analysis_run_phase', ...phaseSamples(base, ANALYSIS_PHASES, phase));
    for (const metric of row.metrics) {
      const type = providerTypeOf(metric.provider);
      const measured = row.metricPhases.find((result) => result.name === metric.name);
      const metricLabels = { ...base, metric: metric.name, type };
      push(series, 'analysis_run_metric_type', { labels: metricLabels, value: 1 });
      push(
        series,
        'analysis_run_metric_phase',
        ...phaseSamples(
          { ...metricLabels, dry_run: String(isDryRunMetric(metric.name, row.dryRun)) },
          ANALYSIS_PHASES,
          analysisPhase(measured?.phase),
        ),
      );
    }
  }
  return series;
}

/** `experiment_info` and the deprecated `experiment_phase`. */
export function experimentSeries(rows: readonly ExperimentMetricRow[]): Series {
  const series: Series = new Map();
  for (const row of rows) {
    const base = placementLabels(row);
    const phase = analysisPhase(row.phase);
    push(series, 'experiment_info', { labels: { ...base, phase }, value: 1 });
    push(series, 'experiment_phase', ...phaseSamples(base, EXPERIMENT_PHASES, phase));
  }
  return series;
}

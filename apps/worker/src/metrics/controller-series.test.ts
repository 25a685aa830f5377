import { describe, expect, it } from 'vitest';
import type { AnalysisRunMetricRow, RolloutMetricRow } from '@flotilla/stores';
import { analysisRunSeries, experimentSeries, rolloutSeries } from './controller-series.js';

const placement = { organization: 'shop', cluster: 'eu-1', namespace: 'web', name: 'checkout' };
const labelled = { namespace: 'web', name: 'checkout', cluster: 'eu-1', organization: 'shop' };

describe('rolloutSeries', () => {
  // upstream: TestCollectRollouts
  it('labels a rollout as Argo does, with its cluster and organization, and one deprecated phase series per phase', () => {
    const row: RolloutMetricRow = {
      ...placement,
      strategy: { canary: { trafficRouting: { istio: {} } } },
      conditions: [{ type: 'Progressing', reason: 'RolloutPaused' }],
      desiredReplicas: 5,
      replicas: 6,
      availableReplicas: 4,
      updatedReplicas: 2,
    };
    const series = rolloutSeries([row]);
    expect(series.get('rollout_info')).toEqual([
      { labels: { ...labelled, strategy: 'canary', traffic_router: 'Istio', phase: 'Paused' }, value: 1 },
    ]);
    expect(series.get('rollout_info_replicas_available')).toEqual([{ labels: labelled, value: 4 }]);
    expect(series.get('rollout_info_replicas_unavailable')).toEqual([{ labels: labelled, value: 2 }]);
    expect(series.get('rollout_info_replicas_desired')).toEqual([{ labels: labelled, value: 5 }]);
    expect(series.get('rollout_info_replicas_updated')).toEqual([{ labels: labelled, value: 2 }]);
    expect(series.get('rollout_phase')?.map(({ labels, value }) => [labels.phase, labels.strategy, value])).toEqual([
      ['Completed', 'canary', 0],
      ['Progressing', 'canary', 0],
      ['Paused', 'canary', 1],
      ['Timeout', 'canary', 0],
      ['Error', 'canary', 0],
      ['Abort', 'canary', 0],
    ]);
  });
});

describe('analysisRunSeries', () => {
  // upstream: TestCollectAnalysisRuns
  it('labels each metric with its provider type, dry-run flag and phase, Pending until measured', () => {
    const row: AnalysisRunMetricRow = {
      ...placement,
      name: 'checkout-run',
      phase: 'Running',
      metrics: [
        { name: 'success-rate', provider: { prometheus: { query: 'up' } } },
        { name: 'latency', provider: { web: { url: 'http://metrics' } } },
      ],
      dryRun: [{ metricName: 'lat.*' }],
      metricPhases: [{ name: 'success-rate', phase: 'Successful' }],
    };
    const series = analysisRunSeries([row]);
    const run = { ...labelled, name: 'checkout-run' };
    expect(series.get('analysis_run_info')).toEqual([{ labels: { ...run, phase: 'Running' }, value: 1 }]);
    expect(series.get('analysis_run_phase')?.filter((sample) => sample.value === 1)).toEqual([
      { labels: { ...run, phase: 'Running' }, value: 1 },
    ]);
    expect(series.get('analysis_run_metric_type')).toEqual([
      { labels: { ...run, metric: 'success-rate', type: 'Prometheus' }, value: 1 },
      { labels: { ...run, metric: 'latency', type: 'Web' }, value: 1 },
    ]);
    expect(
      series
        .get('analysis_run_metric_phase')
        ?.filter((sample) => sample.value === 1)
        .map(({ labels }) => [labels.metric, labels.type, labels.dry_run, labels.phase]),
    ).toEqual([
      ['success-rate', 'Prometheus', 'false', 'Successful'],
      ['latency', 'Web', 'true', 'Pending'],
    ]);
    expect(series.get('analysis_run_metric_phase')).toHaveLength(12);
  });

  it('shows a run not yet started with no metric series', () => {
    const series = analysisRunSeries([{ ...placement, phase: 'Pending', metrics: [], dryRun: [], metricPhases: [] }]);
    expect(series.get('analysis_run_info')).toEqual([{ labels: { ...labelled, phase: 'Pending' }, value: 1 }]);
    expect(series.has('analysis_run_metric_phase')).toBe(false);
  });
});

describe('experimentSeries', () => {
  // upstream: TestCollectExperiments
  it('lists the deprecated phases as Argo does, without Failed', () => {
    const series = experimentSeries([{ ...placement, phase: 'Successful' }]);
    expect(series.get('experiment_info')).toEqual([{ labels: { ...labelled, phase: 'Successful' }, value: 1 }]);
    expect(series.get('experiment_phase')?.map(({ labels, value }) => [labels.phase, value])).toEqual([
      ['Pending', 0],
      ['Error', 0],
      ['Successful', 1],
      ['Running', 0],
      ['Inconclusive', 0],
    ]);
  });
});

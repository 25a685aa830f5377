import { Counter, Gauge, type Registry } from 'prom-client';
import { systemScope, type FleetMetricsStore } from '@flotilla/stores';
import { analysisRunSeries, experimentSeries, rolloutSeries, type Series } from './controller-series.js';
import { ScrapeCache } from './scrape-cache.js';

/** Upper bound of the objects each family shows, so that a scrape stays one bounded query per family. */
export const CONTROLLER_GAUGE_LIMIT = 20_000;
const CACHE = { maxAgeMs: 15_000, timeoutMs: 5_000 };
const SCOPE = systemScope('metrics');

const PLACEMENT = ['namespace', 'name', 'cluster', 'organization'] as const;

type Family = 'rollouts' | 'analysisRuns' | 'experiments';

interface GaugeSpec {
  name: string;
  help: string;
  labels: readonly string[];
  family: Family;
}

/** Argo's controller gauges, with the placement labels in front. */
const GAUGES: readonly GaugeSpec[] = [
  { family: 'rollouts', name: 'rollout_info', help: 'Information about rollout.', labels: ['strategy', 'traffic_router', 'phase'] },
  { family: 'rollouts', name: 'rollout_info_replicas_available', help: 'The number of available replicas per rollout.', labels: [] },
  { family: 'rollouts', name: 'rollout_info_replicas_unavailable', help: 'The number of unavailable replicas per rollout.', labels: [] },
  { family: 'rollouts', name: 'rollout_info_replicas_desired', help: 'The number of desired replicas per rollout.', labels: [] },
  { family: 'rollouts', name: 'rollout_info_replicas_updated', help: 'The number of updated replicas per rollout.', labels: [] },
  {
    family: 'rollouts',
    name: 'rollout_phase',
    help: 'Information on the state of the rollout (DEPRECATED - use rollout_info)',
    labels: ['strategy', 'phase'],
  },
  { family: 'analysisRuns', name: 'analysis_run_info', help: 'Information about analysis run.', labels: ['phase'] },
  {
    family: 'analysisRuns',
    name: 'analysis_run_phase',
    help: 'Information on the state of the Analysis Run (DEPRECATED - use analysis_run_info)',
    labels: ['phase'],
  },
  {
    family: 'analysisRuns',
    name: 'analysis_run_metric_type',
    help: 'Information on the type of a specific metric in the Analysis Runs',
    labels: ['metric', 'type'],
  },
  {
    family: 'analysisRuns',
    name: 'analysis_run_metric_phase',
    help: 'Information on the phase of a specific metric in the Analysis Run',
    labels: ['metric', 'type', 'dry_run', 'phase'],
  },
  { family: 'experiments', name: 'experiment_info', help: 'Information about Experiment.', labels: ['phase'] },
  {
    family: 'experiments',
    name: 'experiment_phase',
    help: 'Information on the state of the experiment (DEPRECATED - use experiment_info)',
    labels: ['phase'],
  },
];

/**
 * Registers Argo's rollout, analysis run and experiment gauges, read from Postgres when scraped (at most once per
 * 15 s per family); a family that cannot be read is left out of the scrape and counted.
 */
export function registerControllerGauges(registry: Registry, store: FleetMetricsStore): void {
  const failures = new Counter({
    name: 'flotilla_metrics_collection_failures_total',
    help: 'Scrapes that left a family of metrics out because its source could not be read in time.',
    labelNames: ['family'] as const,
    registers: [registry],
  });
  const sources: Record<Family, ScrapeCache<Series>> = {
    rollouts: new ScrapeCache(async () => rolloutSeries(await store.rollouts(SCOPE, CONTROLLER_GAUGE_LIMIT)), CACHE),
    analysisRuns: new ScrapeCache(async () => analysisRunSeries(await store.analysisRuns(SCOPE, CONTROLLER_GAUGE_LIMIT)), CACHE),
    experiments: new ScrapeCache(async () => experimentSeries(await store.experiments(SCOPE, CONTROLLER_GAUGE_LIMIT)), CACHE),
  };
  for (const spec of GAUGES) {
    new Gauge({
      name: spec.name,
      help: spec.help,
      labelNames: [...PLACEMENT, ...spec.labels],
      registers: [registry],
      async collect() {
        this.reset();
        // The family's first gauge counts a failed read; its other gauges share that read.
        const series = await sources[spec.family].read().catch(() => {
          if (GAUGES.find((candidate) => candidate.family === spec.family) === spec) failures.inc({ family: spec.family });
          return undefined;
        });
        for (const { labels, value } of series?.get(spec.name) ?? []) this.set(labels, value);
      },
    });
  }
}

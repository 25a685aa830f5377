import type { FleetAnalysisRun } from '../api/documents.js';
import { useInterval } from '../api/use-graphql.js';
import { metricConditionsOf } from '../analysis/condition-thresholds.js';
import { MeasurementChartOnDemand } from '../analysis/measurement-chart-on-demand.js';
import { PhaseBadge } from '../shared/phase-badge.js';
import { isActivePhase } from '../shared/phase.js';
import { formatTime } from '../shared/time.js';
import { pooledSeries, waveOfRun } from './pooled-series.js';

const RUNNING_REFRESH_MS = 2_000;

/**
 * The analysis of a release's waves: each run with its verdict and a chart of one series per cluster (each
 * cluster's own value, marked with the pooled measurement's phase); refreshed while any run is running.
 */
export function WaveAnalysis({ runs, reload }: { runs: readonly FleetAnalysisRun[]; reload: () => void }) {
  // Measurements arrive without a change of the release, and the API has no subscription for them.
  useInterval(
    reload,
    RUNNING_REFRESH_MS,
    runs.some((run) => isActivePhase(run.phase)),
  );
  if (runs.length === 0) return null;
  return (
    <section className="card" aria-labelledby="wave-analysis-title">
      <h2 id="wave-analysis-title">Wave analysis</h2>
      {runs.map((run) => (
        <article key={run.id} className="analysis-run" aria-labelledby={`wave-run-${run.id}`} data-analysis-run={run.name}>
          <header className="run-header">
            <h3 id={`wave-run-${run.id}`}>{run.name}</h3>
            <PhaseBadge phase={run.phase} />
            <span className="muted">
              wave {waveOfRun(run) ?? '?'} · {run.cluster === null ? `pooled over ${run.clusters.join(', ')}` : `in ${run.cluster}`} ·
              started {formatTime(run.startedAt)}
              {run.finishedAt ? ` · finished ${formatTime(run.finishedAt)}` : ''}
            </span>
          </header>
          {run.message ? <p>{run.message}</p> : null}
          {run.cluster === null ? (
            <ul className="conditions">
              {metricConditionsOf(run.spec).map((metric) => (
                <li key={metric.metricName}>
                  {metric.metricName} over every cluster:{' '}
                  <code>{metric.successCondition ?? metric.failureCondition ?? 'no condition'}</code>
                </li>
              ))}
            </ul>
          ) : null}
          {/* A pooled run's conditions read the whole list: no per-series threshold to draw. */}
          <MeasurementChartOnDemand
            measurements={pooledSeries(run)}
            metrics={run.cluster === null ? [] : metricConditionsOf(run.spec)}
            title={run.name}
          />
        </article>
      ))}
    </section>
  );
}

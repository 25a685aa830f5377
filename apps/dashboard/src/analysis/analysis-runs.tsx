import { useEffect } from 'react';
import { ANALYSIS_RUNS, type AnalysisRun, type RolloutRef } from '../api/documents.js';
import { useGraphqlQuery, useInterval } from '../api/use-graphql.js';
import { PhaseBadge } from '../shared/phase-badge.js';
import { isActivePhase } from '../shared/phase.js';
import { RequestError } from '../shared/request-error.js';
import { formatTime } from '../shared/time.js';
import { conditionThreshold, metricConditionsOf, type MetricConditions } from './condition-thresholds.js';
import { MeasurementChart } from './measurement-chart.js';
import { analysisRunAnchor } from './run-anchor.js';

const RUNNING_REFRESH_MS = 2_000;

/**
 * The analysis runs a rollout lists (within its run history limits), newest first, each with its measurement chart;
 * refreshed while any is running.
 */
export function AnalysisRuns({ rollout, changeCount }: { rollout: RolloutRef; changeCount: number }) {
  const query = useGraphqlQuery(ANALYSIS_RUNS, {
    cluster: rollout.cluster,
    namespace: rollout.namespace,
    name: rollout.name,
  });
  const { reload } = query;
  const runs = query.data?.rollout.analysisRuns ?? [];
  useEffect(() => {
    if (changeCount > 0) reload();
  }, [changeCount, reload]);
  // Measurements arrive without a rollout change, and the API has no subscription for them.
  useInterval(
    reload,
    RUNNING_REFRESH_MS,
    runs.some((run) => isActivePhase(run.phase)),
  );

  return (
    <section className="card" aria-labelledby="analysis-title">
      <h2 id="analysis-title">Analysis</h2>
      <RequestError error={query.error} what="the analysis runs" />
      {query.data && runs.length === 0 ? <p className="muted">No analysis has run for this rollout.</p> : null}
      {runs.map((run) => (
        <AnalysisRunView key={run.id} run={run} />
      ))}
    </section>
  );
}

function AnalysisRunView({ run }: { run: AnalysisRun }) {
  const metrics = metricConditionsOf(run.spec);
  return (
    <article className="analysis-run" aria-labelledby={analysisRunAnchor(run.id)} data-analysis-run={run.name}>
      <header className="run-header">
        <h3 id={analysisRunAnchor(run.id)}>{run.name}</h3>
        <PhaseBadge phase={run.phase} />
        <span className="muted">
          {run.kind} analysis{run.revision !== null ? ` of revision ${run.revision}` : ''} · started {formatTime(run.startedAt)}
          {run.finishedAt ? ` · finished ${formatTime(run.finishedAt)}` : ''}
        </span>
      </header>
      {run.message ? <p>{run.message}</p> : null}
      <ConditionList metrics={metrics} />
      <MeasurementChart measurements={run.measurements} metrics={metrics} title={run.name} />
      <details>
        <summary>Measurements as a table ({run.measurements.length})</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col">#</th>
              <th scope="col">Phase</th>
              <th scope="col">Value</th>
              <th scope="col">Finished</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {run.measurements.map((measurement) => (
              <tr key={`${measurement.metricName}#${measurement.index}`}>
                <td>{measurement.metricName}</td>
                <td>{measurement.index}</td>
                <td>
                  <PhaseBadge phase={measurement.phase} />
                </td>
                <td>
                  <code>{measurement.value ?? '—'}</code>
                </td>
                <td>{measurement.finishedAt ? formatTime(measurement.finishedAt) : '—'}</td>
                <td>{measurement.message ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </article>
  );
}

function ConditionList({ metrics }: { metrics: MetricConditions[] }) {
  if (metrics.length === 0) return null;
  const describe = (condition: string | undefined) => {
    if (condition === undefined) return <span className="muted">none</span>;
    return (
      <>
        <code>{condition}</code>
        {conditionThreshold(condition) ? null : <span className="muted"> (not a simple comparison: not drawn)</span>}
      </>
    );
  };
  return (
    <dl className="conditions">
      {metrics.map((metric) => (
        <div key={metric.metricName}>
          <dt>{metric.metricName}</dt>
          <dd>success: {describe(metric.successCondition)}</dd>
          <dd>failure: {describe(metric.failureCondition)}</dd>
        </div>
      ))}
    </dl>
  );
}

import type { AnalysisRun } from '../api/documents.js';
import { Link } from '../routing/router.js';
import type { NamespacedRef } from '../routing/routes.js';
import { PhaseBadge } from '../shared/phase-badge.js';
import { formatTime } from '../shared/time.js';
import { conditionThreshold, metricConditionsOf, type MetricConditions } from './condition-thresholds.js';
import { MeasurementChartOnDemand } from './measurement-chart-on-demand.js';
import { ColumnHeads } from '../shared/column-heads.js';

/**
 * One analysis run: its conditions, the chart of its measurements and the measurements as a table; its heading links
 * to the run's own page when `page` names it.
 */
export function AnalysisRunView({
  run,
  page,
  measurementsOpen = false,
}: {
  run: AnalysisRun;
  page?: NamespacedRef;
  measurementsOpen?: boolean;
}) {
  const metrics = metricConditionsOf(run.spec);
  const headingId = `run-${run.id}`;
  return (
    <article className="analysis-run" aria-labelledby={headingId} data-analysis-run={run.name}>
      <header className="run-header">
        <h3 id={headingId}>{page ? <Link to={{ page: 'analysis-run', run: page }}>{run.name}</Link> : run.name}</h3>
        <PhaseBadge phase={run.phase} />
        <span className="muted">
          {run.kind} analysis{run.revision !== null ? ` of revision ${run.revision}` : ''} · started {formatTime(run.startedAt)}
          {run.finishedAt ? ` · finished ${formatTime(run.finishedAt)}` : ''}
        </span>
      </header>
      {run.message ? <p>{run.message}</p> : null}
      <ConditionList metrics={metrics} />
      <MeasurementChartOnDemand measurements={run.measurements} metrics={metrics} title={run.name} />
      <details open={measurementsOpen}>
        <summary>Measurements as a table ({run.measurements.length})</summary>
        <table>
          <ColumnHeads names={['Metric', '#', 'Phase', 'Value', 'Started', 'Finished', 'Message']} />
          <tbody>
            {run.measurements.map((measurement) => (
              <tr
                key={`${measurement.metricName}#${measurement.index}`}
                data-measurement-row={`${measurement.metricName}#${measurement.index}`}
              >
                <td>{measurement.metricName}</td>
                <td>{measurement.index}</td>
                <td>
                  <PhaseBadge phase={measurement.phase} />
                </td>
                <td>
                  <code>{measurement.value ?? '—'}</code>
                </td>
                <td>{formatTime(measurement.startedAt)}</td>
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

import type { Measurement } from '../api/documents.js';
import { linearScale, niceTicks, valueDomain } from './chart-scale.js';
import { conditionThreshold, type MetricConditions, type Threshold } from './condition-thresholds.js';
import { measurementNumber } from './measurement-values.js';

const WIDTH = 720;
const HEIGHT = 260;
const MARGIN = { top: 16, right: 24, bottom: 40, left: 60 };
const SERIES_COLOURS = ['#1d4ed8', '#7e22ce', '#0e7490', '#c2410c', '#4d7c0f'];
const SERIES_DASHES = [undefined, '8 4', '2 4', '12 4 2 4'];
const OPERATOR_TEXT: Record<Threshold['operator'], string> = { '>=': '≥', '>': '>', '<=': '≤', '<': '<' };

interface PlacedPoint {
  measurement: Measurement;
  time: number;
  value: number;
}

interface Series {
  metricName: string;
  colour: string;
  dash: string | undefined;
  points: PlacedPoint[];
  success: Threshold | undefined;
  failure: Threshold | undefined;
}

function seriesOf(measurements: readonly Measurement[], metrics: readonly MetricConditions[]): Series[] {
  const names = [...new Set([...metrics.map((metric) => metric.metricName), ...measurements.map((measurement) => measurement.metricName)])];
  return names.map((metricName, index) => {
    const conditions = metrics.find((metric) => metric.metricName === metricName);
    const points = measurements
      .filter((measurement) => measurement.metricName === metricName)
      .flatMap((measurement) => {
        const value = measurementNumber(measurement.value);
        return value === undefined
          ? []
          : [{ measurement, value, time: new Date(measurement.finishedAt ?? measurement.startedAt).getTime() }];
      })
      .sort((a, b) => a.time - b.time);
    return {
      metricName,
      colour: SERIES_COLOURS[index % SERIES_COLOURS.length] ?? '#1d4ed8',
      dash: SERIES_DASHES[index % SERIES_DASHES.length],
      points,
      success: conditionThreshold(conditions?.successCondition),
      failure: conditionThreshold(conditions?.failureCondition),
    };
  });
}

/** Tick times whose clock texts differ, since a short run would print the same second several times. */
function distinctLabels(ticks: number[]): number[] {
  const seen = new Set<string>();
  return ticks.filter((tick) => !seen.has(clock(tick)) && seen.add(clock(tick)));
}

const clock = (time: number): string =>
  new Date(time).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const formatValue = (value: number): string =>
  Math.abs(value) >= 1000 || value === Math.round(value) ? String(value) : String(Number(value.toPrecision(4)));

/** The mark of a measurement: its phase decides colour and shape, so the shape alone tells the phase too. */
function PhaseMark({ phase, x, y }: { phase: string; x: number; y: number }) {
  switch (phase) {
    case 'Successful':
      return <circle cx={x} cy={y} r={5} className="mark mark-good" />;
    case 'Failed':
      return <path d={`M${x - 5},${y - 5}L${x + 5},${y + 5}M${x - 5},${y + 5}L${x + 5},${y - 5}`} className="mark mark-bad" />;
    case 'Error':
      return <path d={`M${x},${y - 6}L${x + 6},${y + 5}L${x - 6},${y + 5}Z`} className="mark mark-error" />;
    case 'Inconclusive':
      return <path d={`M${x},${y - 6}L${x + 6},${y}L${x},${y + 6}L${x - 6},${y}Z`} className="mark mark-warn" />;
    default:
      return <circle cx={x} cy={y} r={4} className="mark mark-idle" />;
  }
}

function ThresholdLine({
  threshold,
  kind,
  series,
  y,
  x0,
  x1,
}: {
  threshold: Threshold;
  kind: 'success' | 'failure';
  series: Series;
  y: number;
  x0: number;
  x1: number;
}) {
  const text = `${series.metricName} ${kind} ${OPERATOR_TEXT[threshold.operator]} ${formatValue(threshold.value)}`;
  return (
    <g className={`threshold threshold-${kind}`} data-threshold={`${series.metricName}:${kind}:${threshold.value}`}>
      <line x1={x0} x2={x1} y1={y} y2={y} />
      <text x={x0 + 6} y={kind === 'success' ? y + 15 : y - 6} textAnchor="start">
        {text}
      </text>
    </g>
  );
}

/**
 * The measurements of one analysis run over time: a line per metric, a mark per measurement coloured and shaped by
 * its phase, and the success and failure thresholds of conditions that compare the value with a number.
 */
export function MeasurementChart({
  measurements,
  metrics,
  title,
}: {
  measurements: readonly Measurement[];
  metrics: readonly MetricConditions[];
  title: string;
}) {
  const series = seriesOf(measurements, metrics);
  const points = series.flatMap((line) => line.points);
  const thresholds = series
    .flatMap((line) => [line.success, line.failure])
    .filter((threshold): threshold is Threshold => threshold !== undefined);
  const times = points.map((point) => point.time);
  const firstTime = times.length > 0 ? Math.min(...times) : 0;
  const lastTime = times.length > 0 ? Math.max(...times) : 0;
  const timePadding = lastTime === firstTime ? 30_000 : (lastTime - firstTime) * 0.04;
  const x = linearScale([firstTime - timePadding, lastTime + timePadding], [MARGIN.left, WIDTH - MARGIN.right]);
  const yDomain = valueDomain(
    points.map((point) => point.value),
    thresholds.map((threshold) => threshold.value),
  );
  const y = linearScale(yDomain, [HEIGHT - MARGIN.bottom, MARGIN.top]);
  const yTicks = niceTicks(yDomain[0], yDomain[1], 5).filter((tick) => tick >= yDomain[0] && tick <= yDomain[1]);
  const xTicks =
    times.length === 0
      ? []
      : distinctLabels([0.05, 0.35, 0.65, 0.95].map((share) => firstTime - timePadding + share * (lastTime - firstTime + 2 * timePadding)));
  const unplaced = measurements.filter((measurement) => measurementNumber(measurement.value) === undefined);
  const descriptionId = `chart-desc-${title.replace(/\W+/g, '-')}`;

  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby={`${descriptionId}-title`}
        aria-describedby={descriptionId}
        data-chart={title}
      >
        <title id={`${descriptionId}-title`}>Measurements of {title}</title>
        <desc id={descriptionId}>
          {series
            .map(
              (line) =>
                `${line.metricName}: ${line.points.length} values${line.points.length ? ` from ${formatValue(Math.min(...line.points.map((p) => p.value)))} to ${formatValue(Math.max(...line.points.map((p) => p.value)))}` : ''}${line.success ? `, success ${OPERATOR_TEXT[line.success.operator]} ${line.success.value}` : ''}${line.failure ? `, failure ${OPERATOR_TEXT[line.failure.operator]} ${line.failure.value}` : ''}`,
            )
            .join('; ')}
        </desc>
        <g className="axis">
          {yTicks.map((tick) => (
            <g key={`y${tick}`}>
              <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(tick)} y2={y(tick)} className="grid" />
              <text x={MARGIN.left - 8} y={y(tick) + 4} textAnchor="end">
                {formatValue(tick)}
              </text>
            </g>
          ))}
          {xTicks.map((tick) => (
            <text key={`x${tick}`} x={x(tick)} y={HEIGHT - MARGIN.bottom + 20} textAnchor="middle">
              {clock(tick)}
            </text>
          ))}
          <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={HEIGHT - MARGIN.bottom} y2={HEIGHT - MARGIN.bottom} className="frame" />
          <line x1={MARGIN.left} x2={MARGIN.left} y1={MARGIN.top} y2={HEIGHT - MARGIN.bottom} className="frame" />
        </g>
        {series.map((line) => (
          <g key={`thresholds-${line.metricName}`}>
            {line.success ? (
              <ThresholdLine
                threshold={line.success}
                kind="success"
                series={line}
                y={y(line.success.value)}
                x0={MARGIN.left}
                x1={WIDTH - MARGIN.right}
              />
            ) : null}
            {line.failure ? (
              <ThresholdLine
                threshold={line.failure}
                kind="failure"
                series={line}
                y={y(line.failure.value)}
                x0={MARGIN.left}
                x1={WIDTH - MARGIN.right}
              />
            ) : null}
          </g>
        ))}
        {series.map((line) => (
          <g key={line.metricName} data-series={line.metricName}>
            <polyline
              points={line.points.map((point) => `${x(point.time)},${y(point.value)}`).join(' ')}
              fill="none"
              stroke={line.colour}
              strokeWidth={2}
              strokeDasharray={line.dash}
            />
            {line.points.map((point) => (
              <g
                key={point.measurement.index}
                data-measurement={`${line.metricName}#${point.measurement.index}`}
                data-phase={point.measurement.phase}
              >
                <title>{`${line.metricName} #${point.measurement.index}: ${point.measurement.value ?? '—'} (${point.measurement.phase}) at ${clock(point.time)}`}</title>
                <PhaseMark phase={point.measurement.phase} x={x(point.time)} y={y(point.value)} />
              </g>
            ))}
          </g>
        ))}
        {points.length === 0 ? (
          <text x={WIDTH / 2} y={HEIGHT / 2} textAnchor="middle" className="empty">
            No numeric measurement yet
          </text>
        ) : null}
      </svg>
      <figcaption className="chart-legend">
        {series.map((line) => (
          <span key={line.metricName} className="legend-item">
            <svg width="28" height="10" aria-hidden="true">
              <line x1="0" x2="28" y1="5" y2="5" stroke={line.colour} strokeWidth="2" strokeDasharray={line.dash} />
            </svg>
            {line.metricName}
          </span>
        ))}
        <span className="legend-item">
          <svg width="12" height="12" aria-hidden="true">
            <PhaseMark phase="Successful" x={6} y={6} />
          </svg>
          Successful
        </span>
        <span className="legend-item">
          <svg width="12" height="12" aria-hidden="true">
            <PhaseMark phase="Failed" x={6} y={6} />
          </svg>
          Failed
        </span>
        <span className="legend-item">
          <svg width="14" height="12" aria-hidden="true">
            <PhaseMark phase="Error" x={7} y={6} />
          </svg>
          Error
        </span>
        <span className="legend-item">
          <svg width="14" height="14" aria-hidden="true">
            <PhaseMark phase="Inconclusive" x={7} y={7} />
          </svg>
          Inconclusive
        </span>
        <span className="legend-item">
          <svg width="28" height="10" aria-hidden="true">
            <line x1="0" x2="28" y1="5" y2="5" className="legend-threshold-success" />
          </svg>
          success threshold
        </span>
        <span className="legend-item">
          <svg width="28" height="10" aria-hidden="true">
            <line x1="0" x2="28" y1="5" y2="5" className="legend-threshold-failure" />
          </svg>
          failure threshold
        </span>
        {unplaced.length > 0 ? (
          <span className="muted">{unplaced.length} measurement(s) without a number are listed below only.</span>
        ) : null}
      </figcaption>
    </figure>
  );
}

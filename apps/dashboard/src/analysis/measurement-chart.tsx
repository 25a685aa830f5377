import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Measurement } from '../api/documents.js';
import { drawThresholdsAndMarks, formatValue, OPERATOR_TEXT, thresholdText } from './chart-drawing.js';
import { valueDomain } from './chart-scale.js';
import { chartData, thresholdsOf, valuesOf, type ChartData } from './chart-series.js';
import type { MetricConditions } from './condition-thresholds.js';
import { measurementNumber } from './measurement-values.js';
import { PhaseMark } from './phase-mark.js';

const HEIGHT = 260;
const MIN_WIDTH = 280;
/** Room left and right of a run's first and last measurement, and around a single one. */
const TIME_PADDING_SHARE = 0.04;
const SINGLE_TIME_PADDING_SECONDS = 30;

const clock = (seconds: number): string =>
  new Date(seconds * 1000).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

function chartOptions(data: ChartData, width: number): uPlot.Options {
  const yDomain = valueDomain(
    valuesOf(data),
    thresholdsOf(data).map((threshold) => threshold.value),
  );
  return {
    width,
    height: HEIGHT,
    cursor: { drag: { x: true, y: false }, points: { size: 9 } },
    scales: {
      x: {
        time: true,
        range: (_chart, min, max) => {
          const padding = max === min ? SINGLE_TIME_PADDING_SECONDS : (max - min) * TIME_PADDING_SHARE;
          return [min - padding, max + padding];
        },
      },
      // Zooming narrows time only: the values and thresholds stay in view.
      y: { range: () => yDomain },
    },
    axes: [{}, { size: 60, values: (_chart, ticks) => ticks.map(formatValue) }],
    legend: { live: true },
    series: [
      { label: 'Time', value: (_chart, seconds) => (seconds === null ? '—' : clock(seconds)) },
      ...data.series.map((line): uPlot.Series => ({
        label: line.metricName,
        stroke: line.colour,
        width: 2,
        dash: line.dash,
        spanGaps: true,
        points: { show: false },
        value: (_chart, value) => (value === null ? '—' : formatValue(value)),
      })),
    ],
    hooks: { draw: [(chart) => drawThresholdsAndMarks(chart, data)] },
  };
}

/** uPlot drawing `data` into a div as wide as the div's container, redrawn when either changes. */
function UPlotCanvas({ data, title }: { data: ChartData; title: string }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    const widthOf = (): number => Math.max(MIN_WIDTH, Math.floor(element.clientWidth));
    const chart = new uPlot(chartOptions(data, widthOf()), [data.times, ...data.series.map((line) => line.values)], element);
    const resize = new ResizeObserver(() => {
      if (widthOf() !== chart.width) chart.setSize({ width: widthOf(), height: HEIGHT });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [data]);
  return <div ref={container} className="uplot-host" role="img" aria-label={`Measurements of ${title}`} />;
}

/** The measurements and thresholds in words, for screen readers, since a canvas tells them nothing. */
function ChartInWords({ data }: { data: ChartData }) {
  return (
    <ul className="visually-hidden">
      {data.series.flatMap((line) =>
        line.measurements.map((measurement, index) =>
          measurement === null ? null : (
            <li
              key={`${line.metricName}#${measurement.index}`}
              data-measurement={`${line.metricName}#${measurement.index}`}
              data-phase={measurement.phase}
            >{`${line.metricName} #${measurement.index}: ${measurement.value ?? '—'} (${measurement.phase}) at ${clock(data.times[index] ?? 0)}`}</li>
          ),
        ),
      )}
    </ul>
  );
}

const LEGEND_MARKS = ['Successful', 'Failed', 'Error', 'Inconclusive'] as const;

/**
 * The measurements of one analysis run over time, drawn by uPlot: a line per metric (a pooled run's: per metric and
 * cluster), a mark per measurement coloured and shaped by its phase, and the success and failure thresholds of
 * conditions that compare the value with a number. Hovering shows each series' value at that time; dragging across
 * zooms into that time, a double click zooms back out.
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
  const computed = chartData(measurements, metrics);
  // A reload brings equal measurements in new objects: the chart (and the zoom someone chose) stays while they are equal.
  const contentKey = JSON.stringify(computed);
  const data = useMemo(() => computed, [contentKey]);
  const unplaced = measurements.filter((measurement) => measurementNumber(measurement.value) === undefined);
  return (
    <figure className="chart" data-chart={title}>
      {data.times.length === 0 ? <p className="muted">No numeric measurement yet.</p> : <UPlotCanvas data={data} title={title} />}
      <ChartInWords data={data} />
      <figcaption className="chart-legend">
        {LEGEND_MARKS.map((phase) => (
          <span key={phase} className="legend-item">
            <svg width="14" height="14" aria-hidden="true">
              <PhaseMark phase={phase} x={7} y={7} />
            </svg>
            {phase}
          </span>
        ))}
        {data.series.flatMap((line) =>
          (['success', 'failure'] as const).map((kind) => {
            const threshold = line[kind];
            return threshold === undefined ? null : (
              <span
                key={`${line.metricName}:${kind}`}
                className={`legend-item threshold-${kind}`}
                data-threshold={`${line.metricName}:${kind}:${threshold.value}`}
                title={`${kind} when the value is ${OPERATOR_TEXT[threshold.operator]} ${formatValue(threshold.value)}`}
              >
                <svg width="28" height="10" aria-hidden="true">
                  <line x1="0" x2="28" y1="5" y2="5" className={`legend-threshold-${kind}`} />
                </svg>
                {thresholdText(line.metricName, kind, threshold)}
              </span>
            );
          }),
        )}
        {unplaced.length > 0 ? (
          <span className="muted">{unplaced.length} measurement(s) without a number are listed below only.</span>
        ) : null}
      </figcaption>
    </figure>
  );
}

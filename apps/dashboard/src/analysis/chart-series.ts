import type { Measurement } from '../api/documents.js';
import { conditionThreshold, type MetricConditions, type Threshold } from './condition-thresholds.js';
import { measurementNumber } from './measurement-values.js';

const SERIES_COLOURS = ['#1d4ed8', '#7e22ce', '#0e7490', '#c2410c', '#4d7c0f'];
const SERIES_DASHES: (number[] | undefined)[] = [undefined, [8, 4], [2, 4], [12, 4, 2, 4]];

/** One line of a chart: a metric (or a metric in one cluster), its value at each of the chart's times, and its thresholds. */
export interface ChartSeries {
  metricName: string;
  colour: string;
  dash: number[] | undefined;
  /** Its value at each time of the chart; null where it has no numeric measurement then. */
  values: (number | null)[];
  /** The measurement behind each value; null where `values` is null. */
  measurements: (Measurement | null)[];
  success: Threshold | undefined;
  failure: Threshold | undefined;
}

/** What a chart draws: the times (seconds since the epoch, ascending) shared by every series, and the series. */
export interface ChartData {
  times: number[];
  series: ChartSeries[];
}

/** When a measurement happened, in seconds: when it finished, or started if it has not. */
const secondsOf = (measurement: Measurement): number => new Date(measurement.finishedAt ?? measurement.startedAt).getTime() / 1000;

/**
 * The measurements of a run laid out for a chart of one line per metric (the metrics of the spec first, in their
 * order, then any other that was measured): every series shares one ascending list of times, a series having null
 * at the times it was not measured, and each has the thresholds of its metric's conditions that compare with a number.
 * Measurements whose value is no number are left out.
 * @example chartData([error-rate #0 '[0.1]' at 10 s, latency #0 '[250]' at 12 s], [])
 * // { times: [10, 12], series: [{ metricName: 'error-rate', values: [0.1, null], … }, { metricName: 'latency', values: [null, 250], … }] }
 */
export function chartData(measurements: readonly Measurement[], metrics: readonly MetricConditions[]): ChartData {
  const placed = measurements.flatMap((measurement) => {
    const value = measurementNumber(measurement.value);
    return value === undefined ? [] : [{ measurement, value, time: secondsOf(measurement) }];
  });
  const times = [...new Set(placed.map((point) => point.time))].sort((a, b) => a - b);
  const names = [...new Set([...metrics.map((metric) => metric.metricName), ...measurements.map((measurement) => measurement.metricName)])];
  const series = names.map((metricName, index): ChartSeries => {
    const conditions = metrics.find((metric) => metric.metricName === metricName);
    const byTime = new Map(placed.filter((point) => point.measurement.metricName === metricName).map((point) => [point.time, point]));
    return {
      metricName,
      colour: SERIES_COLOURS[index % SERIES_COLOURS.length] ?? '#1d4ed8',
      dash: SERIES_DASHES[index % SERIES_DASHES.length],
      values: times.map((time) => byTime.get(time)?.value ?? null),
      measurements: times.map((time) => byTime.get(time)?.measurement ?? null),
      success: conditionThreshold(conditions?.successCondition),
      failure: conditionThreshold(conditions?.failureCondition),
    };
  });
  return { times, series };
}

/** Every threshold of the chart's series. */
export const thresholdsOf = (data: ChartData): Threshold[] =>
  data.series.flatMap((line) => [line.success, line.failure]).filter((threshold): threshold is Threshold => threshold !== undefined);

/** Every value the chart places. */
export const valuesOf = (data: ChartData): number[] =>
  data.series.flatMap((line) => line.values).filter((value): value is number => value !== null);

import type { Measurement, MetricResult } from '@flotilla/analysis';

/** What a run keeps between measurements: the analysis library's results and when each metric is next due. */
export interface RunState {
  results: MetricResult[];
  /** ISO time the next measurement of each metric is due; null while one is in flight or the metric is done. */
  nextAt: Record<string, string | null>;
}

type StoredMeasurement = Omit<Measurement, 'startedAt' | 'finishedAt' | 'resumeAt'> & {
  startedAt?: string;
  finishedAt?: string;
  resumeAt?: string;
};
type StoredResult = Omit<MetricResult, 'measurements'> & { measurements: StoredMeasurement[] };

const toDate = (text: string | undefined): Date | undefined => (text === undefined ? undefined : new Date(text));
const toText = (date: Date | undefined): string | undefined => date?.toISOString();

/** Reads the JSON column back into the types the analysis library works with. */
export function loadRunState(stored: unknown): RunState {
  const state = (stored ?? { results: [], nextAt: {} }) as { results: StoredResult[]; nextAt: Record<string, string | null> };
  return {
    nextAt: state.nextAt,
    results: state.results.map((result) => ({
      ...result,
      measurements: result.measurements.map((measurement) => ({
        ...measurement,
        startedAt: toDate(measurement.startedAt),
        finishedAt: toDate(measurement.finishedAt),
        resumeAt: toDate(measurement.resumeAt),
      })),
    })),
  };
}

export function storeRunState(state: RunState): object {
  return {
    nextAt: state.nextAt,
    results: state.results.map((result) => ({
      ...result,
      measurements: result.measurements.map((measurement) => ({
        ...measurement,
        startedAt: toText(measurement.startedAt),
        finishedAt: toText(measurement.finishedAt),
        resumeAt: toText(measurement.resumeAt),
      })),
    })),
  };
}

/** The earliest due time of any metric, which the sweep uses to find overdue runs. */
export function earliestDue(state: RunState): Date | null {
  const due = Object.values(state.nextAt)
    .filter((time): time is string => time !== null)
    .map((time) => new Date(time).getTime());
  return due.length === 0 ? null : new Date(Math.min(...due));
}

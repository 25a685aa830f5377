import type { Measurement, MetricResult } from '@flotilla/analysis';
import { z } from 'zod';
import type { Prisma } from '../generated/prisma/client.js';
import { objectColumn, type JsonColumn } from '../scope/json-column.js';
import { isJsonObject } from './analysis-run-columns.js';

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
interface StoredRunState {
  results: StoredResult[];
  nextAt: Record<string, string | null>;
}

/**
 * The full check of a stored state. A metric result is the analysis library's large type: its name and measurements
 * are checked, the counters it carries are taken as they are.
 */
const storedRunStateSchema: z.ZodType<StoredRunState> = z.object({
  results: z.array(
    z.custom<StoredResult>(
      (result) => isJsonObject(result) && typeof result.name === 'string' && Array.isArray(result.measurements),
      'a metric result with a name and measurements',
    ),
  ),
  nextAt: z.record(z.string(), z.string().nullable()),
});

const toDate = (text: string | undefined): Date | undefined => (text === undefined ? undefined : new Date(text));
const toText = (date: Date | undefined): string | undefined => date?.toISOString();

function fromStored(state: StoredRunState): RunState {
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

function toStored(state: RunState): StoredRunState {
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

const storedRunStateColumn = objectColumn<StoredRunState>('AnalysisRun.metricResults', ['results', 'nextAt'], storedRunStateSchema);

/** `AnalysisRun.metricResults`: the run's state, its times kept as ISO strings. */
export const runStateColumn: JsonColumn<RunState> = {
  column: storedRunStateColumn.column,
  encode: (state) => storedRunStateColumn.encode(toStored(state)),
  decode: (json) => fromStored(storedRunStateColumn.decode(json)),
  validate: (json) => fromStored(storedRunStateColumn.validate(json)),
};

/** A run not started yet has no state: no results, nothing due. */
export const decodeRunState = (json: Prisma.JsonValue | null): RunState =>
  json === null ? { results: [], nextAt: {} } : runStateColumn.decode(json);

/** The earliest due time of any metric, which the sweep uses to find overdue runs. */
export function earliestDue(state: RunState): Date | null {
  const due = Object.values(state.nextAt)
    .filter((time): time is string => time !== null)
    .map((time) => new Date(time).getTime());
  return due.length === 0 ? null : new Date(Math.min(...due));
}

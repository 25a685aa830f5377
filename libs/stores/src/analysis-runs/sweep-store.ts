import type { PreparedStatement, SqlSession } from '../database/sql.js';
import type { MeasuredBy } from './run-resolution.js';

/** What the sweep reads to re-derive queued analysis work from Postgres alone. */

/** A run with measurements due: when each metric is due, and the index it is due with. */
export interface DueRun {
  id: string;
  nextAt: Record<string, string | null>;
  nextIndex: Record<string, number>;
}

export interface OverdueMeasurement {
  analysisRunId: string;
  metricName: string;
  index: number;
  takenBy: MeasuredBy;
}

const PENDING_RUNS: PreparedStatement = {
  name: 'analysis-sweep-pending-runs',
  text: `SELECT id FROM "AnalysisRun" WHERE phase = 'Pending' AND "finishedAt" IS NULL LIMIT $1::integer`,
};

const DUE_RUNS: PreparedStatement = {
  name: 'analysis-sweep-due-runs',
  text: `SELECT id, "metricResults" -> 'nextAt' AS "nextAt",
              (SELECT jsonb_object_agg(result ->> 'name', (result ->> 'count')::integer + (result ->> 'error')::integer)
                 FROM jsonb_array_elements("metricResults" -> 'results') AS result) AS "nextIndex"
         FROM "AnalysisRun" WHERE phase = 'Running' AND "nextMeasurementAt" <= $1::timestamp LIMIT $2::integer`,
};

const OVERDUE_MEASUREMENTS: PreparedStatement = {
  name: 'analysis-sweep-overdue-measurements',
  text: `SELECT "analysisRunId", "metricName", index, "takenBy" FROM "Measurement" WHERE phase = 'Running' AND "startedAt" < $1::timestamp LIMIT $2::integer`,
};

export async function findPendingRuns(session: SqlSession, limit: number): Promise<string[]> {
  const rows = await session.query<{ id: string }>(PENDING_RUNS, [limit]);
  return rows.map((row) => row.id);
}

/** Running runs with a metric due at `dueBy` or earlier. */
export async function findDueRuns(session: SqlSession, dueBy: Date, limit: number): Promise<DueRun[]> {
  const rows = await session.query<{ id: string; nextAt: Record<string, string | null> | null; nextIndex: Record<string, number> | null }>(
    DUE_RUNS,
    [dueBy, limit],
  );
  return rows.map((row) => ({ id: row.id, nextAt: row.nextAt ?? {}, nextIndex: row.nextIndex ?? {} }));
}

/** Measurements in flight since before `startedBefore`. */
export function findOverdueMeasurements(session: SqlSession, startedBefore: Date, limit: number): Promise<OverdueMeasurement[]> {
  return session.query<OverdueMeasurement>(OVERDUE_MEASUREMENTS, [startedBefore, limit]);
}

import type { AnalysisPhase } from '@flotilla/analysis';
import { uuidV7, type PreparedStatement, type SqlSession } from '../database/sql.js';
import type { MeasuredBy, ResolvedRun } from './run-resolution.js';
import { earliestDue, loadRunState, storeRunState, type RunState } from './run-state.js';

/**
 * Hand-written SQL for taking and recording measurements, the analysis hot path: one prepared statement per
 * step, measurements of a run written in one statement.
 */

/** A run's phase and state as read at one moment. */
export interface RunProgress {
  phase: string;
  startedAt: Date;
  state: RunState;
}

/**
 * A run as a measurement finds it: what it is, whether it and its cluster's agent can be measured now, and its
 * state with the row version it was read at (Postgres' `xmin`, which every update of the row changes).
 */
export interface RunSnapshot extends RunProgress {
  id: string;
  name: string;
  namespace: string;
  organizationId: string;
  clusterId: string;
  rolloutId: string | null;
  experimentId: string | null;
  finishedAt: Date | null;
  agentConnected: boolean;
  resolved: ResolvedRun;
  version: string;
}

export interface NewMeasurement {
  metricName: string;
  index: number;
  phase: string;
  value: string | null;
  message: string | null;
  requestId: string;
}

/** Measurements of one run taken from one place over the same span (`finishedAt` null while in flight). */
export interface MeasurementBatch {
  runId: string;
  takenBy: MeasuredBy;
  startedAt: Date;
  finishedAt: Date | null;
  measurements: readonly NewMeasurement[];
}

/** Measurements of a run that an agent answered, each completed at the time its answer arrived. */
export interface MeasurementCompletion {
  metricName: string;
  index: number;
  phase: AnalysisPhase;
  value: string | null;
  message: string | null;
  finishedAt: Date;
}

export interface RunAssessmentWrite {
  phase: AnalysisPhase;
  message: string;
  state: RunState;
  /** Set when the assessment ended the run. */
  finishedAt: Date | undefined;
}

const RUN_SNAPSHOT: PreparedStatement = {
  name: 'analysis-run-snapshot',
  text: `SELECT r.phase, r."startedAt", r."finishedAt", c."connectionState" = 'Connected' AS "agentConnected", r.name, r.namespace, r."organizationId", r."clusterId",
              r."rolloutId", r."experimentId", r."metricResults", r.xmin::text AS version, CASE WHEN $2::boolean THEN r.spec -> 'resolved' END AS resolved
         FROM "AnalysisRun" r JOIN "Cluster" c ON c.id = r."clusterId" WHERE r.id = $1::uuid`,
};

const LOCK_RUN: PreparedStatement = {
  name: 'analysis-lock-run',
  text: `SELECT phase, "startedAt", "metricResults" FROM "AnalysisRun" WHERE id = $1::uuid FOR UPDATE`,
};

/** Parameters $1 to $11 are a `MeasurementBatch`, as `batchParameters` lists them. */
const INSERT_BATCH = `INSERT INTO "Measurement" (id, "analysisRunId", "metricName", index, phase, value, message, "takenBy", "requestId", "startedAt", "finishedAt")
  SELECT m.id, $1::uuid, m."metricName", m.index, m.phase, m.value, m.message, $2::text, m."requestId", $3::timestamp, $4::timestamp
    FROM unnest($5::uuid[], $6::text[], $7::integer[], $8::text[], $9::text[], $10::text[], $11::text[]) AS m(id, "metricName", index, phase, value, message, "requestId")`;

const INSERT_MEASUREMENTS: PreparedStatement = {
  name: 'analysis-insert-measurements',
  text: `${INSERT_BATCH} ON CONFLICT ("analysisRunId", "metricName", index) DO NOTHING RETURNING "metricName"`,
};

/**
 * Stores a batch together with an update of its run (`assignments`, parameters from $12, the run's version
 * last), provided the run is still Running at the version the update was made from and none of the batch's
 * measurements is stored yet; otherwise writes nothing and answers no rows.
 */
function insertIfUnchanged(name: string, assignments: string, versionParameter: number): PreparedStatement {
  return {
    name,
    text: `WITH run AS (
    UPDATE "AnalysisRun" SET ${assignments}
     WHERE id = $1::uuid AND xmin = $${versionParameter}::xid AND phase = 'Running'
       AND NOT EXISTS (SELECT 1 FROM "Measurement" stored JOIN unnest($6::text[], $7::integer[]) AS batch("metricName", index)
                         ON stored."metricName" = batch."metricName" AND stored.index = batch.index WHERE stored."analysisRunId" = $1::uuid)
    RETURNING id)
  ${INSERT_BATCH.replace('FROM unnest', 'FROM run, unnest')} RETURNING "metricName"`,
  };
}

const RECORD_IF_UNCHANGED = insertIfUnchanged(
  'analysis-record-if-unchanged',
  `phase = $12::text, message = $13::text, "metricResults" = $14::jsonb, "nextMeasurementAt" = $15::timestamp, "finishedAt" = COALESCE($16::timestamp, "finishedAt")`,
  17,
);

const BEGIN_IF_UNCHANGED = insertIfUnchanged(
  'analysis-begin-if-unchanged',
  `"metricResults" = $12::jsonb, "nextMeasurementAt" = $13::timestamp`,
  14,
);

const WRITE_RUN_PROGRESS: PreparedStatement = {
  name: 'analysis-write-run-progress',
  text: `UPDATE "AnalysisRun" SET "metricResults" = $2::jsonb, "nextMeasurementAt" = $3::timestamp WHERE id = $1::uuid`,
};

const WRITE_RUN_ASSESSMENT: PreparedStatement = {
  name: 'analysis-write-run-assessment',
  text: `UPDATE "AnalysisRun" SET phase = $2::text, message = $3::text, "metricResults" = $4::jsonb, "nextMeasurementAt" = $5::timestamp, "finishedAt" = COALESCE($6::timestamp, "finishedAt")
  WHERE id = $1::uuid`,
};

/** Parameters $1 to $6: the run, then a `MeasurementCompletions` as `completionParameters` lists it. */
const COMPLETIONS = `unnest($2::text[], $3::integer[], $4::text[], $5::text[], $6::text[], $7::timestamp[]) AS done("metricName", index, phase, value, message, "finishedAt")`;

const COMPLETE_IN_FLIGHT = `UPDATE "Measurement" stored SET phase = done.phase, value = done.value, message = done.message, "finishedAt" = done."finishedAt"
    FROM ${COMPLETIONS}
   WHERE stored."analysisRunId" = $1::uuid AND stored."metricName" = done."metricName" AND stored.index = done.index AND stored.phase = 'Running'`;

/**
 * Completes in-flight measurements together with an update of their run (the assessment, parameters from $8,
 * the run's version last), provided the run is still Running at the version the assessment was made from and
 * every one of the measurements is still in flight; otherwise writes nothing and answers no rows.
 */
const COMPLETE_IF_UNCHANGED: PreparedStatement = {
  name: 'analysis-complete-if-unchanged',
  text: `WITH run AS (
    UPDATE "AnalysisRun" SET phase = $8::text, message = $9::text, "metricResults" = $10::jsonb, "nextMeasurementAt" = $11::timestamp, "finishedAt" = COALESCE($12::timestamp, "finishedAt")
     WHERE id = $1::uuid AND xmin = $13::xid AND phase = 'Running'
       AND (SELECT count(*) FROM "Measurement" stored JOIN unnest($2::text[], $3::integer[]) AS done("metricName", index)
              ON stored."metricName" = done."metricName" AND stored.index = done.index
             WHERE stored."analysisRunId" = $1::uuid AND stored.phase = 'Running') = cardinality($2::text[])
    RETURNING id)
  ${COMPLETE_IN_FLIGHT.replace('FROM unnest', 'FROM run, unnest')} RETURNING stored."metricName"`,
};

const COMPLETE_MEASUREMENTS: PreparedStatement = {
  name: 'analysis-complete-measurements',
  text: `${COMPLETE_IN_FLIGHT} RETURNING stored."metricName", stored."startedAt"`,
};

interface SnapshotRow extends Omit<RunSnapshot, 'id' | 'resolved' | 'state'> {
  resolved: ResolvedRun | null;
  metricResults: unknown;
}

/**
 * The run as it is now; `undefined` when it does not exist or has not started. A started run's resolved spec
 * never changes: a caller that has it passes it as `known`, and it is not read again.
 */
export async function loadRunSnapshot(
  session: SqlSession,
  runId: string,
  known: ResolvedRun | undefined,
): Promise<RunSnapshot | undefined> {
  const [row] = await session.query<SnapshotRow>(RUN_SNAPSHOT, [runId, known === undefined]);
  const resolved = known ?? row?.resolved;
  if (!row || !resolved) return undefined;
  const { metricResults, ...snapshot } = row;
  return { ...snapshot, id: runId, resolved, state: loadRunState(metricResults) };
}

/** Reads the run's progress and locks its row for the rest of the transaction. */
export async function lockRun(session: SqlSession, runId: string): Promise<RunProgress | undefined> {
  const [row] = await session.query<{ phase: string; startedAt: Date; metricResults: unknown }>(LOCK_RUN, [runId]);
  return row ? { phase: row.phase, startedAt: row.startedAt, state: loadRunState(row.metricResults) } : undefined;
}

/** Stores the batch's measurements; answers the metrics of those that were new (a repeat keeps the first). */
export async function insertMeasurements(session: SqlSession, batch: MeasurementBatch): Promise<Set<string>> {
  const rows = await session.query<{ metricName: string }>(INSERT_MEASUREMENTS, batchParameters(batch));
  return new Set(rows.map((row) => row.metricName));
}

/**
 * Stores completed measurements with the run's assessment made from `run` as read, without a lock: false, and
 * nothing written, when the run changed since it was read or one of the measurements is stored already.
 */
export async function recordIfUnchanged(
  session: SqlSession,
  run: Pick<RunSnapshot, 'id' | 'version'>,
  batch: MeasurementBatch,
  write: RunAssessmentWrite,
): Promise<boolean> {
  const rows = await session.query(RECORD_IF_UNCHANGED, [...batchParameters(batch), ...assessmentParameters(write), run.version]);
  return rows.length > 0;
}

/** Stores in-flight measurements with the run's progress made from `run` as read, without a lock, as `recordIfUnchanged` does. */
export async function beginIfUnchanged(
  session: SqlSession,
  run: Pick<RunSnapshot, 'id' | 'version'>,
  batch: MeasurementBatch,
  state: RunState,
): Promise<boolean> {
  const rows = await session.query(BEGIN_IF_UNCHANGED, [...batchParameters(batch), ...progressParameters(state), run.version]);
  return rows.length > 0;
}

/** One array per field, for `unnest`: the statements take rows as parallel columns. */
function columnsOf<Row>(rows: readonly Row[], fields: readonly (keyof Row)[]): unknown[][] {
  return fields.map((field) => rows.map((row) => row[field]));
}

function batchParameters(batch: MeasurementBatch): unknown[] {
  const { measurements } = batch;
  return [
    batch.runId,
    batch.takenBy,
    batch.startedAt,
    batch.finishedAt,
    measurements.map(() => uuidV7()),
    ...columnsOf(measurements, ['metricName', 'index', 'phase', 'value', 'message', 'requestId']),
  ];
}

/** `phase`, `message`, `metricResults`, `nextMeasurementAt` and `finishedAt` of an assessment, in that order. */
function assessmentParameters(write: RunAssessmentWrite): unknown[] {
  const nextMeasurementAt = write.finishedAt ? null : earliestDue(write.state);
  return [write.phase, write.message, JSON.stringify(storeRunState(write.state)), nextMeasurementAt, write.finishedAt ?? null];
}

/** Writes measurements started but not finished: the run's phase stays, its state and next due time move. */
export async function writeRunProgress(session: SqlSession, runId: string, state: RunState): Promise<void> {
  await session.query(WRITE_RUN_PROGRESS, [runId, ...progressParameters(state)]);
}

/** `metricResults` and `nextMeasurementAt` of a run's state, in that order. */
function progressParameters(state: RunState): unknown[] {
  return [JSON.stringify(storeRunState(state)), earliestDue(state)];
}

export async function writeRunAssessment(session: SqlSession, runId: string, write: RunAssessmentWrite): Promise<void> {
  await session.query(WRITE_RUN_ASSESSMENT, [runId, ...assessmentParameters(write)]);
}

function completionParameters(runId: string, completions: readonly MeasurementCompletion[]): unknown[] {
  return [runId, ...columnsOf(completions, ['metricName', 'index', 'phase', 'value', 'message', 'finishedAt'])];
}

/**
 * Completes in-flight measurements with the run's assessment made from `run` as read, without a lock: false, and
 * nothing written, when the run changed since it was read or one of the measurements is no longer in flight.
 */
export async function completeIfUnchanged(
  session: SqlSession,
  run: Pick<RunSnapshot, 'id' | 'version'>,
  completions: readonly MeasurementCompletion[],
  write: RunAssessmentWrite,
): Promise<boolean> {
  const rows = await session.query(COMPLETE_IF_UNCHANGED, [
    ...completionParameters(run.id, completions),
    ...assessmentParameters(write),
    run.version,
  ]);
  return rows.length > 0;
}

/** Completes those of the measurements still in flight; answers when each of them started. */
export async function completeMeasurements(
  session: SqlSession,
  runId: string,
  completions: readonly MeasurementCompletion[],
): Promise<Map<string, Date>> {
  const rows = await session.query<{ metricName: string; startedAt: Date }>(
    COMPLETE_MEASUREMENTS,
    completionParameters(runId, completions),
  );
  return new Map(rows.map((row) => [row.metricName, row.startedAt]));
}

import type { AnalysisPhase } from '@flotilla/analysis';
import { ACTIVE_RELEASE_PHASES } from '@flotilla/fleet-engine';
import type { AnalysisTemplateRef } from '@flotilla/argo-spec';
import type { DatabaseClient } from '../database/database.js';
import { uuidV7, type PreparedStatement, type SqlPool, type SqlSession } from '../database/sql.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { SystemScope } from '../scope/scope.js';
import { recordNotifications, type QueuedDelivery, type ReconcileNotifications } from '../notifications/notification-delivery-store.js';
import {
  resolvedRunColumn,
  runSpecColumn,
  templateAnnotationsColumn,
  templateSpecColumn,
  type RunSpecDocument,
  pooledClustersColumn,
} from './analysis-run-columns.js';
import type { MeasuredBy, ResolvedRun, StoredTemplate } from './run-resolution.js';
import { decodeRunState, earliestDue, runStateColumn, type RunState } from './run-state.js';

// Starting runs, taking and recording measurements and the analysis sweep are hand-written SQL, one named prepared
// statement per step and the measurements of a run written in one statement: `npm run bench:analysis` keeps
// 1,000 runs × 5 metrics measured every 10 s (500 measurements a second) and takes an agent's backlog at 1,433 a second.

/** A cluster a pooled run measures in. */
export interface PooledCluster {
  id: string;
  name: string;
}

/** A run waiting to start, with what resolving it needs. */
export interface PendingRun {
  id: string;
  organizationId: string;
  /** Null for a pooled run. */
  clusterId: string | null;
  /** The fleet release whose wave runs it, if any. */
  fleetReleaseId: string | null;
  namespace: string;
  name: string;
  rolloutId: string | null;
  experimentId: string | null;
  /** The Rollout it analyses: its own, or the one a fleet release releases (for `fieldRef: metadata.name`). */
  rolloutName: string | null;
  podTemplateHash: string | null;
  spec: RunSpecDocument;
}

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
  /** Null for a pooled run. */
  clusterId: string | null;
  rolloutId: string | null;
  experimentId: string | null;
  fleetReleaseId: string | null;
  finishedAt: Date | null;
  /** The cluster's agent; false for a pooled run, whose clusters are each asked whatever their connection. */
  agentConnected: boolean;
  /** A pooled run's clusters, in name order; null for a single-cluster run. */
  pooledClusters: PooledCluster[] | null;
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

/** A run with measurements due: when each metric is due, and the index it is due with. */
export interface DueRun {
  id: string;
  nextAt: Record<string, string | null>;
  nextIndex: Record<string, number>;
}

/** A measurement ended in flight because its run stopped, with the request its agent was sent. */
export interface EndedMeasurement {
  metricName: string;
  index: number;
  /** The cluster of a pooled run's part; null otherwise. */
  cluster: string | null;
  requestId: string | null;
}

export interface OverdueMeasurement {
  analysisRunId: string;
  metricName: string;
  index: number;
  takenBy: MeasuredBy;
  /** The cluster of a pooled run's measurement; null otherwise. */
  cluster: string | null;
}

/** A pooled run's measurements requested of its clusters: one in-flight row per metric, index and cluster. */
export interface ClusterRequestBatch {
  runId: string;
  startedAt: Date;
  requests: readonly { metricName: string; index: number; cluster: string; requestId: string }[];
}

/** One cluster's answer to its part of a pooled measurement. */
export interface ClusterCompletion {
  metricName: string;
  index: number;
  cluster: string;
  phase: AnalysisPhase;
  /** The value exactly as the provider shaped it, as JSON. */
  value: string | null;
  message: string | null;
  finishedAt: Date;
}

/** A stored part of a pooled measurement. */
export interface ClusterMeasurementRow {
  metricName: string;
  index: number;
  cluster: string;
  phase: string;
  value: string | null;
  message: string | null;
  startedAt: Date;
}

/** An analysis run a fleet release's wave asks for. */
export interface NewFleetRun {
  organizationId: string;
  fleetReleaseId: string;
  name: string;
  /** The cluster of a run of its own; null for a pooled run. */
  clusterId: string | null;
  /** A pooled run's clusters, in name order. */
  pooledClusters: PooledCluster[] | null;
  namespace: string;
  spec: RunSpecDocument;
}

/** A fleet release's analysis run, as its next decision reads it. */
export interface FleetRunRecord {
  id: string;
  name: string;
  phase: string;
  message: string;
  spec: RunSpecDocument;
}

export const PENDING_RUN: PreparedStatement = {
  name: 'analysis-pending-run',
  text: `SELECT r.id, r."organizationId", r."clusterId", r."fleetReleaseId", r.namespace, r.name, r."rolloutId", r."experimentId",
              coalesce(ro.name, fr.spec -> 'rollout' ->> 'name') AS "rolloutName", r."podTemplateHash", r.spec
         FROM "AnalysisRun" r LEFT JOIN "Rollout" ro ON ro.id = r."rolloutId" LEFT JOIN "FleetRelease" fr ON fr.id = r."fleetReleaseId"
        WHERE r.id = $1::uuid AND r.phase = 'Pending'`,
};

export const NAMESPACED_TEMPLATE: PreparedStatement = {
  name: 'analysis-namespaced-template',
  text: `SELECT name, version, annotations, spec FROM "AnalysisTemplate" WHERE "clusterId" = $1::uuid AND namespace = $2::text AND name = $3::text`,
};

export const CLUSTER_TEMPLATE: PreparedStatement = {
  name: 'analysis-cluster-template',
  text: `SELECT name, version, annotations, spec FROM "ClusterAnalysisTemplate" WHERE "organizationId" = $1::uuid AND name = $2::text`,
};

export const MARK_RUNNING: PreparedStatement = {
  name: 'analysis-mark-running',
  text: `UPDATE "AnalysisRun" SET spec = $2::jsonb, phase = 'Running', message = '', "startedAt" = $3::timestamp, "metricResults" = $4::jsonb, "nextMeasurementAt" = $5::timestamp
  WHERE id = $1::uuid AND phase = 'Pending' RETURNING id`,
};

export const FINISH_RUN: PreparedStatement = {
  name: 'analysis-finish-run',
  text: `UPDATE "AnalysisRun" SET phase = $2::text, message = $3::text, "finishedAt" = $4::timestamp, "nextMeasurementAt" = NULL WHERE id = $1::uuid AND "finishedAt" IS NULL RETURNING id`,
};

export const ROLLOUT_VERSION: PreparedStatement = {
  name: 'analysis-rollout-version',
  text: `SELECT version FROM "Rollout" WHERE id = $1::uuid`,
};

export const STANDALONE_EXPERIMENT_VERSION: PreparedStatement = {
  name: 'analysis-experiment-version',
  text: `SELECT version FROM "Experiment" WHERE id = $1::uuid AND "stepIndex" IS NULL`,
};

export const RUN_SNAPSHOT: PreparedStatement = {
  name: 'analysis-run-snapshot',
  text: `SELECT r.phase, r."startedAt", r."finishedAt", coalesce(c."connectionState" = 'Connected', false) AS "agentConnected", r.name, r.namespace, r."organizationId", r."clusterId",
              r."rolloutId", r."experimentId", r."fleetReleaseId", r."pooledClusters", r."metricResults", r.xmin::text AS version, CASE WHEN $2::boolean THEN r.spec -> 'resolved' END AS resolved
         FROM "AnalysisRun" r LEFT JOIN "Cluster" c ON c.id = r."clusterId" WHERE r.id = $1::uuid`,
};

export const LOCK_RUN: PreparedStatement = {
  name: 'analysis-lock-run',
  text: `SELECT phase, "startedAt", "metricResults" FROM "AnalysisRun" WHERE id = $1::uuid FOR UPDATE`,
};

/** Parameters $1 to $11 are a `MeasurementBatch`, as `batchParameters` lists them. */
const INSERT_BATCH = `INSERT INTO "Measurement" (id, "analysisRunId", "metricName", index, phase, value, message, "takenBy", "requestId", "startedAt", "finishedAt")
  SELECT m.id, $1::uuid, m."metricName", m.index, m.phase, m.value, m.message, $2::text, m."requestId", $3::timestamp, $4::timestamp
    FROM unnest($5::uuid[], $6::text[], $7::integer[], $8::text[], $9::text[], $10::text[], $11::text[]) AS m(id, "metricName", index, phase, value, message, "requestId")`;

export const INSERT_MEASUREMENTS: PreparedStatement = {
  name: 'analysis-insert-measurements',
  text: `${INSERT_BATCH} ON CONFLICT ("analysisRunId", "metricName", index, cluster) DO NOTHING RETURNING "metricName"`,
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

export const RECORD_IF_UNCHANGED = insertIfUnchanged(
  'analysis-record-if-unchanged',
  `phase = $12::text, message = $13::text, "metricResults" = $14::jsonb, "nextMeasurementAt" = $15::timestamp, "finishedAt" = COALESCE($16::timestamp, "finishedAt")`,
  17,
);

export const BEGIN_IF_UNCHANGED = insertIfUnchanged(
  'analysis-begin-if-unchanged',
  `"metricResults" = $12::jsonb, "nextMeasurementAt" = $13::timestamp`,
  14,
);

export const WRITE_RUN_PROGRESS: PreparedStatement = {
  name: 'analysis-write-run-progress',
  text: `UPDATE "AnalysisRun" SET "metricResults" = $2::jsonb, "nextMeasurementAt" = $3::timestamp WHERE id = $1::uuid`,
};

export const WRITE_RUN_ASSESSMENT: PreparedStatement = {
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
export const COMPLETE_IF_UNCHANGED: PreparedStatement = {
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

export const COMPLETE_MEASUREMENTS: PreparedStatement = {
  name: 'analysis-complete-measurements',
  text: `${COMPLETE_IN_FLIGHT} RETURNING stored."metricName", stored."startedAt"`,
};

export const PENDING_RUNS: PreparedStatement = {
  name: 'analysis-sweep-pending-runs',
  text: `SELECT id FROM "AnalysisRun" WHERE phase = 'Pending' AND "finishedAt" IS NULL LIMIT $1::integer`,
};

/**
 * The runs longest due first, so that a batch always moves on. A run of a cluster whose agent is away is left out:
 * its agent's measurements wait for the agent, and would otherwise fill every batch, oldest as they are, until it is back.
 */
export const DUE_RUNS: PreparedStatement = {
  name: 'analysis-sweep-due-runs',
  text: `SELECT r.id, r."metricResults" -> 'nextAt' AS "nextAt",
              (SELECT jsonb_object_agg(result ->> 'name', (result ->> 'count')::integer + (result ->> 'error')::integer)
                 FROM jsonb_array_elements(r."metricResults" -> 'results') AS result) AS "nextIndex"
         FROM "AnalysisRun" r LEFT JOIN "Cluster" c ON c.id = r."clusterId"
        WHERE r.phase = 'Running' AND r."nextMeasurementAt" <= $1::timestamp AND (r."clusterId" IS NULL OR c."connectionState" = 'Connected')
        ORDER BY r."nextMeasurementAt", r.id LIMIT $2::integer`,
};

/**
 * Ends the runs under way whose owner is done with them: those of a fleet release no longer active (whose worker
 * ends them only after the release's commit, which a worker stopped in between, or the API's abort or supersede,
 * skips), and a rollout's runs (any but a fleet wave's) whose rollout is gone and which no standalone experiment owns.
 */
export const END_ABANDONED_RUNS: PreparedStatement = {
  name: 'analysis-sweep-end-abandoned-runs',
  text: `UPDATE "AnalysisRun" r SET phase = 'Successful', "finishedAt" = $1::timestamp, "nextMeasurementAt" = NULL,
              message = CASE WHEN r."fleetReleaseId" IS NULL THEN $3::text
                             ELSE $4::text || (SELECT f.phase FROM "FleetRelease" f WHERE f.id = r."fleetReleaseId") END
        WHERE r.phase IN ('Pending', 'Running') AND r."finishedAt" IS NULL
          AND CASE WHEN r."fleetReleaseId" IS NULL
                   THEN r.kind <> 'fleetWave' AND r."rolloutId" IS NULL
                        AND NOT EXISTS (SELECT 1 FROM "Experiment" e WHERE e.id = r."experimentId" AND e."stepIndex" IS NULL)
                   ELSE EXISTS (SELECT 1 FROM "FleetRelease" f WHERE f.id = r."fleetReleaseId" AND f.phase <> ALL($2::text[])) END
        RETURNING r.id`,
};

export const OVERDUE_MEASUREMENTS: PreparedStatement = {
  name: 'analysis-sweep-overdue-measurements',
  text: `SELECT m."analysisRunId", m."metricName", m.index, m."takenBy", m.cluster FROM "Measurement" m JOIN "AnalysisRun" r ON r.id = m."analysisRunId"
        WHERE m.phase = 'Running' AND m."startedAt" < $1::timestamp AND r.phase = 'Running' LIMIT $2::integer`,
};

export const STOPPED_RUNS_IN_FLIGHT: PreparedStatement = {
  name: 'analysis-sweep-stopped-runs-in-flight',
  text: `SELECT DISTINCT m."analysisRunId" AS id FROM "Measurement" m JOIN "AnalysisRun" r ON r.id = m."analysisRunId"
        WHERE m.phase = 'Running' AND r.phase NOT IN ('Pending', 'Running') LIMIT $1::integer`,
};

export const END_IN_FLIGHT: PreparedStatement = {
  name: 'analysis-end-in-flight',
  text: `UPDATE "Measurement" SET phase = $2::text, message = $3::text, "finishedAt" = $4::timestamp
        WHERE "analysisRunId" = $1::uuid AND phase = 'Running' RETURNING "metricName", index, cluster, "requestId"`,
};

// A pooled run's statements: its measurements are one in-flight row per cluster, then the pooled row (cluster null).

export const INSERT_CLUSTER_REQUESTS: PreparedStatement = {
  name: 'analysis-insert-cluster-requests',
  text: `INSERT INTO "Measurement" (id, "analysisRunId", "metricName", index, cluster, phase, "takenBy", "requestId", "startedAt")
  SELECT m.id, $1::uuid, m."metricName", m.index, m.cluster, 'Running', 'agent', m."requestId", $2::timestamp
    FROM unnest($3::uuid[], $4::text[], $5::integer[], $6::text[], $7::text[]) AS m(id, "metricName", index, cluster, "requestId")
  ON CONFLICT ("analysisRunId", "metricName", index, cluster) DO NOTHING RETURNING "metricName"`,
};

export const COMPLETE_CLUSTER_MEASUREMENTS: PreparedStatement = {
  name: 'analysis-complete-cluster-measurements',
  text: `UPDATE "Measurement" stored SET phase = done.phase, value = done.value, message = done.message, "finishedAt" = done."finishedAt"
    FROM unnest($2::text[], $3::integer[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamp[]) AS done("metricName", index, cluster, phase, value, message, "finishedAt")
   WHERE stored."analysisRunId" = $1::uuid AND stored."metricName" = done."metricName" AND stored.index = done.index
     AND stored.cluster = done.cluster AND stored.phase = 'Running'
  RETURNING stored."metricName", stored.index`,
};

export const CLUSTER_MEASUREMENTS: PreparedStatement = {
  name: 'analysis-cluster-measurements',
  text: `SELECT stored."metricName", stored.index, stored.cluster, stored.phase, stored.value, stored.message, stored."startedAt"
    FROM "Measurement" stored JOIN unnest($2::text[], $3::integer[]) AS wanted("metricName", index)
      ON stored."metricName" = wanted."metricName" AND stored.index = wanted.index
   WHERE stored."analysisRunId" = $1::uuid AND stored.cluster IS NOT NULL`,
};

export const INSERT_FLEET_RUN: PreparedStatement = {
  name: 'analysis-insert-fleet-run',
  text: `INSERT INTO "AnalysisRun" (id, "organizationId", "clusterId", "fleetReleaseId", "pooledClusters", namespace, name, kind, spec)
  VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::jsonb, $6::text, $7::text, 'fleetWave', $8::jsonb)
  ON CONFLICT ("fleetReleaseId", name) DO NOTHING RETURNING id`,
};

export const FLEET_RUNS: PreparedStatement = {
  name: 'analysis-fleet-runs',
  text: `SELECT id, name, phase, message, spec - 'resolved' AS spec FROM "AnalysisRun" WHERE "fleetReleaseId" = $1::uuid`,
};

export const FLEET_RELEASE_VERSION: PreparedStatement = {
  name: 'analysis-fleet-release-version',
  text: `SELECT version FROM "FleetRelease" WHERE id = $1::uuid`,
};

interface TemplateRow {
  name: string;
  version: number;
  annotations: Prisma.JsonValue;
  spec: Prisma.JsonValue;
}

interface SnapshotRow extends Omit<RunSnapshot, 'id' | 'resolved' | 'state' | 'pooledClusters'> {
  resolved: Prisma.JsonValue | null;
  metricResults: Prisma.JsonValue | null;
  pooledClusters: Prisma.JsonValue | null;
}

const DAY_MS = 86_400_000;

/** The message of a run its fleet release ended, before the release's phase. */
const FLEET_RELEASE_ENDED = 'terminated: the fleet release is ';
/** The message of a run ended because its rollout was deleted. */
export const DELETED_ROLLOUT_RUN_MESSAGE = 'terminated: the rollout was deleted';

/**
 * Analysis runs and their measurements as the worker starts, measures, records and sweeps them, by id across
 * organizations. A run's spec and state are decoded here, once per read; the measurements' hot path reads a run's
 * resolved spec only the first time (callers keep it and pass it back as `known`).
 */
export class AnalysisRunStore {
  constructor(
    private readonly sql: SqlPool,
    private readonly database: DatabaseClient,
  ) {}

  // ------------------------------------------------------------------------------------------------ starting

  async pendingRun(_scope: SystemScope, runId: string): Promise<PendingRun | undefined> {
    const [row] = await this.sql.query<Omit<PendingRun, 'spec'> & { spec: Prisma.JsonValue }>(PENDING_RUN, [runId]);
    return row ? { ...row, spec: runSpecColumn.decode(row.spec) } : undefined;
  }

  /** The template a run refers to, as stored now; `undefined` when there is none by that name. */
  async template(_scope: SystemScope, run: PendingRun, reference: AnalysisTemplateRef): Promise<StoredTemplate | undefined> {
    const [row] = reference.clusterScope
      ? await this.sql.query<TemplateRow>(CLUSTER_TEMPLATE, [run.organizationId, reference.templateName])
      : await this.sql.query<TemplateRow>(NAMESPACED_TEMPLATE, [run.clusterId, run.namespace, reference.templateName]);
    return row
      ? {
          name: row.name,
          clusterScope: reference.clusterScope === true,
          version: row.version,
          annotations: templateAnnotationsColumn.decode(row.annotations),
          spec: templateSpecColumn.decode(row.spec),
        }
      : undefined;
  }

  /**
   * Moves a Pending run to Running with its resolved spec and first state, and stores the notifications of the
   * change in the same transaction; the deliveries to queue, or undefined when the run was not Pending any more.
   */
  async markRunning(
    _scope: SystemScope,
    run: PendingRun,
    resolved: ResolvedRun,
    state: RunState,
    startedAt: Date,
    notifications?: ReconcileNotifications,
  ): Promise<QueuedDelivery[] | undefined> {
    const parameters = [
      run.id,
      JSON.stringify(runSpecColumn.encode({ ...run.spec, resolved })),
      startedAt,
      JSON.stringify(runStateColumn.encode(state)),
      earliestDue(state),
    ];
    return this.changePhase(MARK_RUNNING, parameters, notifications);
  }

  /** Ends a run that has not ended yet, with the notifications of the change, as `markRunning`; undefined when it had. */
  async finishRun(
    _scope: SystemScope,
    runId: string,
    phase: string,
    message: string,
    finishedAt: Date,
    notifications?: ReconcileNotifications,
  ): Promise<QueuedDelivery[] | undefined> {
    return this.changePhase(FINISH_RUN, [runId, phase, message, finishedAt], notifications);
  }

  /** One statement that changes a run's phase (or none, when its guard fails), with the change's notifications. */
  private async changePhase(
    statement: PreparedStatement,
    parameters: unknown[],
    notifications: ReconcileNotifications | undefined,
  ): Promise<QueuedDelivery[] | undefined> {
    if (!notifications) return (await this.sql.query(statement, parameters)).length > 0 ? [] : undefined;
    return this.sql.transaction(async (session) =>
      (await session.query(statement, parameters)).length > 0 ? recordNotifications(session, notifications) : undefined,
    );
  }

  /** The version of a rollout, which a reconcile of it is asked for with. */
  async rolloutVersion(_scope: SystemScope, rolloutId: string): Promise<number | undefined> {
    const [row] = await this.sql.query<{ version: number }>(ROLLOUT_VERSION, [rolloutId]);
    return row?.version;
  }

  /** The version of a standalone experiment; undefined for an experiment of a rollout, which its rollout reconciles. */
  async standaloneExperimentVersion(_scope: SystemScope, experimentId: string): Promise<number | undefined> {
    const [row] = await this.sql.query<{ version: number }>(STANDALONE_EXPERIMENT_VERSION, [experimentId]);
    return row?.version;
  }

  // ------------------------------------------------------------------------------------------------ measuring

  /**
   * The run as it is now; `undefined` when it does not exist or has not started. A started run's resolved spec
   * never changes: a caller that has it passes it as `known`, and it is not read again.
   */
  async snapshot(_scope: SystemScope, runId: string, known: ResolvedRun | undefined): Promise<RunSnapshot | undefined> {
    const [row] = await this.sql.query<SnapshotRow>(RUN_SNAPSHOT, [runId, known === undefined]);
    if (!row) return undefined;
    const { metricResults, resolved: storedResolved, pooledClusters, ...snapshot } = row;
    const resolved = known ?? (storedResolved === null ? undefined : resolvedRunColumn.decode(storedResolved));
    if (!resolved) return undefined;
    return {
      ...snapshot,
      id: runId,
      resolved,
      state: decodeRunState(metricResults),
      pooledClusters: pooledClusters === null ? null : pooledClustersColumn.decode(pooledClusters),
    };
  }

  /** Reads the run's progress and locks its row for the rest of the caller's transaction. */
  async lockRun(_scope: SystemScope, session: SqlSession, runId: string): Promise<RunProgress | undefined> {
    const [row] = await session.query<{ phase: string; startedAt: Date; metricResults: Prisma.JsonValue | null }>(LOCK_RUN, [runId]);
    return row ? { phase: row.phase, startedAt: row.startedAt, state: decodeRunState(row.metricResults) } : undefined;
  }

  /** Stores the batch's measurements; answers the metrics of those that were new (a repeat keeps the first). */
  async insertMeasurements(_scope: SystemScope, session: SqlSession, batch: MeasurementBatch): Promise<Set<string>> {
    const rows = await session.query<{ metricName: string }>(INSERT_MEASUREMENTS, batchParameters(batch));
    return new Set(rows.map((row) => row.metricName));
  }

  /**
   * Stores completed measurements with the run's assessment made from `run` as read, without a lock: false, and
   * nothing written, when the run changed since it was read or one of the measurements is stored already.
   */
  async recordIfUnchanged(
    _scope: SystemScope,
    run: Pick<RunSnapshot, 'id' | 'version'>,
    batch: MeasurementBatch,
    write: RunAssessmentWrite,
  ): Promise<boolean> {
    const rows = await this.sql.query(RECORD_IF_UNCHANGED, [...batchParameters(batch), ...assessmentParameters(write), run.version]);
    return rows.length > 0;
  }

  /** Stores in-flight measurements with the run's progress made from `run` as read, without a lock, as `recordIfUnchanged` does. */
  async beginIfUnchanged(
    _scope: SystemScope,
    run: Pick<RunSnapshot, 'id' | 'version'>,
    batch: MeasurementBatch,
    state: RunState,
  ): Promise<boolean> {
    const rows = await this.sql.query(BEGIN_IF_UNCHANGED, [...batchParameters(batch), ...progressParameters(state), run.version]);
    return rows.length > 0;
  }

  /** Writes measurements started but not finished: the run's phase stays, its state and next due time move. */
  async writeRunProgress(_scope: SystemScope, session: SqlSession, runId: string, state: RunState): Promise<void> {
    await session.query(WRITE_RUN_PROGRESS, [runId, ...progressParameters(state)]);
  }

  /** Writes the run's assessment, with the notifications of its phase change; the deliveries to queue after the commit. */
  async writeRunAssessment(
    _scope: SystemScope,
    session: SqlSession,
    runId: string,
    write: RunAssessmentWrite,
    notifications?: ReconcileNotifications,
  ): Promise<QueuedDelivery[]> {
    await session.query(WRITE_RUN_ASSESSMENT, [runId, ...assessmentParameters(write)]);
    return notifications ? recordNotifications(session, notifications) : [];
  }

  /**
   * Completes in-flight measurements with the run's assessment made from `run` as read, without a lock: false, and
   * nothing written, when the run changed since it was read or one of the measurements is no longer in flight.
   */
  async completeIfUnchanged(
    _scope: SystemScope,
    run: Pick<RunSnapshot, 'id' | 'version'>,
    completions: readonly MeasurementCompletion[],
    write: RunAssessmentWrite,
  ): Promise<boolean> {
    const rows = await this.sql.query(COMPLETE_IF_UNCHANGED, [
      ...completionParameters(run.id, completions),
      ...assessmentParameters(write),
      run.version,
    ]);
    return rows.length > 0;
  }

  /** Completes those of the measurements still in flight; answers when each of them started. */
  async completeMeasurements(
    _scope: SystemScope,
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

  // ------------------------------------------------------------------------------------------------ pooled runs

  /** Stores a pooled run's requests as in flight, one row per cluster; answers the metrics of those that were new. */
  async insertClusterRequests(_scope: SystemScope, session: SqlSession, batch: ClusterRequestBatch): Promise<Set<string>> {
    const { requests } = batch;
    const rows = await session.query<{ metricName: string }>(INSERT_CLUSTER_REQUESTS, [
      batch.runId,
      batch.startedAt,
      requests.map(() => uuidV7()),
      ...columnsOf(requests, ['metricName', 'index', 'cluster', 'requestId']),
    ]);
    return new Set(rows.map((row) => row.metricName));
  }

  /** Completes those of the clusters' parts still in flight; answers the metric and index of each one completed. */
  async completeClusterMeasurements(
    _scope: SystemScope,
    session: SqlSession,
    runId: string,
    completions: readonly ClusterCompletion[],
  ): Promise<{ metricName: string; index: number }[]> {
    return session.query<{ metricName: string; index: number }>(COMPLETE_CLUSTER_MEASUREMENTS, [
      runId,
      ...columnsOf(completions, ['metricName', 'index', 'cluster', 'phase', 'value', 'message', 'finishedAt']),
    ]);
  }

  /** The clusters' parts of these measurements of a pooled run, as stored. */
  clusterMeasurements(
    _scope: SystemScope,
    session: SqlSession,
    runId: string,
    measurements: readonly { metricName: string; index: number }[],
  ): Promise<ClusterMeasurementRow[]> {
    return session.query<ClusterMeasurementRow>(CLUSTER_MEASUREMENTS, [runId, ...columnsOf(measurements, ['metricName', 'index'])]);
  }

  /** Creates a fleet wave's run unless one of its name exists for the release; answers its id when it is new. */
  async createFleetRun(_scope: SystemScope, run: NewFleetRun): Promise<string | undefined> {
    const [row] = await this.sql.query<{ id: string }>(INSERT_FLEET_RUN, [
      uuidV7(),
      run.organizationId,
      run.clusterId,
      run.fleetReleaseId,
      run.pooledClusters === null ? null : JSON.stringify(pooledClustersColumn.encode(run.pooledClusters)),
      run.namespace,
      run.name,
      JSON.stringify(runSpecColumn.encode(run.spec)),
    ]);
    return row?.id;
  }

  /** A fleet release's analysis runs. */
  async fleetRuns(_scope: SystemScope, fleetReleaseId: string): Promise<FleetRunRecord[]> {
    const rows = await this.sql.query<Omit<FleetRunRecord, 'spec'> & { spec: Prisma.JsonValue }>(FLEET_RUNS, [fleetReleaseId]);
    return rows.map((row) => ({ ...row, spec: runSpecColumn.decode(row.spec) }));
  }

  /** Ends the runs of a fleet release that have not ended (it ended in `phase`, or was superseded): they measure no more. */
  async endFleetRuns(_scope: SystemScope, fleetReleaseId: string, phase: string, now: Date): Promise<number> {
    const { count } = await this.database.analysisRun.updateMany({
      where: { fleetReleaseId, finishedAt: null },
      data: { phase: 'Successful', message: `${FLEET_RELEASE_ENDED}${phase}`, finishedAt: now, nextMeasurementAt: null },
    });
    return count;
  }

  /** The version of a fleet release, which a decision on it is asked for with. */
  async fleetReleaseVersion(_scope: SystemScope, fleetReleaseId: string): Promise<number | undefined> {
    const [row] = await this.sql.query<{ version: number }>(FLEET_RELEASE_VERSION, [fleetReleaseId]);
    return row?.version;
  }

  // ------------------------------------------------------------------------------------------------ sweeping

  async pendingRunIds(_scope: SystemScope, limit: number): Promise<string[]> {
    const rows = await this.sql.query<{ id: string }>(PENDING_RUNS, [limit]);
    return rows.map((row) => row.id);
  }

  /** Running runs with a metric due at `dueBy` or earlier. */
  async dueRuns(_scope: SystemScope, dueBy: Date, limit: number): Promise<DueRun[]> {
    const rows = await this.sql.query<{
      id: string;
      nextAt: Record<string, string | null> | null;
      nextIndex: Record<string, number> | null;
    }>(DUE_RUNS, [dueBy, limit]);
    return rows.map((row) => ({ id: row.id, nextAt: row.nextAt ?? {}, nextIndex: row.nextIndex ?? {} }));
  }

  /** See `END_ABANDONED_RUNS`: ends the runs whose owner is done with them; answers how many it ended. */
  async endAbandonedRuns(_scope: SystemScope, now: Date): Promise<number> {
    const rows = await this.sql.query(END_ABANDONED_RUNS, [now, ACTIVE_RELEASE_PHASES, DELETED_ROLLOUT_RUN_MESSAGE, FLEET_RELEASE_ENDED]);
    return rows.length;
  }

  /** Runs that stopped (their owner ended them, or a metric did) with measurements still in flight. */
  async stoppedRunsInFlight(_scope: SystemScope, limit: number): Promise<string[]> {
    const rows = await this.sql.query<{ id: string }>(STOPPED_RUNS_IN_FLIGHT, [limit]);
    return rows.map((row) => row.id);
  }

  /** Ends every measurement of the run still in flight with this phase and message; answers those it ended. */
  endInFlight(
    _scope: SystemScope,
    session: SqlSession,
    runId: string,
    ended: { phase: AnalysisPhase; message: string; finishedAt: Date },
  ): Promise<EndedMeasurement[]> {
    return session.query<EndedMeasurement>(END_IN_FLIGHT, [runId, ended.phase, ended.message, ended.finishedAt]);
  }

  /** Measurements in flight since before `startedBefore`, of runs still Running. */
  overdueMeasurements(_scope: SystemScope, startedBefore: Date, limit: number): Promise<OverdueMeasurement[]> {
    return this.sql.query<OverdueMeasurement>(OVERDUE_MEASUREMENTS, [startedBefore, limit]);
  }

  /**
   * Analysis history is kept after a rollout moves on, so that a release can be explained later; it is pruned only
   * once finished runs are older than the configured retention (0 keeps everything). Answers how many runs went.
   */
  async pruneHistory(_scope: SystemScope, retentionDays: number, now = new Date()): Promise<number> {
    if (retentionDays <= 0) return 0;
    const { count } = await this.database.analysisRun.deleteMany({
      where: { finishedAt: { lt: new Date(now.getTime() - retentionDays * DAY_MS) } },
    });
    return count;
  }
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
  return [write.phase, write.message, JSON.stringify(runStateColumn.encode(write.state)), nextMeasurementAt, write.finishedAt ?? null];
}

/** `metricResults` and `nextMeasurementAt` of a run's state, in that order. */
function progressParameters(state: RunState): unknown[] {
  return [JSON.stringify(runStateColumn.encode(state)), earliestDue(state)];
}

function completionParameters(runId: string, completions: readonly MeasurementCompletion[]): unknown[] {
  return [runId, ...columnsOf(completions, ['metricName', 'index', 'phase', 'value', 'message', 'finishedAt'])];
}

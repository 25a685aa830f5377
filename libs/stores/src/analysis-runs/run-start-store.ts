import type { AnalysisTemplateSpec, RolloutAnalysis, AnalysisTemplateRef } from '@flotilla/argo-spec';
import type { PreparedStatement, SqlSession } from '../database/sql.js';
import type { ResolvedRun, StoredTemplate } from './run-resolution.js';
import { earliestDue, storeRunState, type RunState } from './run-state.js';

/** Hand-written SQL for starting and ending runs: a fleet starts hundreds of runs a second. */

/** What the reconciler stored when it asked for the run, and what starting it adds. */
export interface RunSpecDocument {
  analysis: RolloutAnalysis;
  stablePodTemplateHash: string | null;
  resolved?: ResolvedRun;
}

/** A run waiting to start, with what resolving it needs. */
export interface PendingRun {
  id: string;
  organizationId: string;
  clusterId: string;
  namespace: string;
  name: string;
  rolloutId: string | null;
  experimentId: string | null;
  rolloutName: string | null;
  podTemplateHash: string | null;
  spec: RunSpecDocument;
}

const PENDING_RUN: PreparedStatement = {
  name: 'analysis-pending-run',
  text: `SELECT r.id, r."organizationId", r."clusterId", r.namespace, r.name, r."rolloutId", r."experimentId", ro.name AS "rolloutName", r."podTemplateHash", r.spec
         FROM "AnalysisRun" r LEFT JOIN "Rollout" ro ON ro.id = r."rolloutId" WHERE r.id = $1::uuid AND r.phase = 'Pending'`,
};

const NAMESPACED_TEMPLATE: PreparedStatement = {
  name: 'analysis-namespaced-template',
  text: `SELECT name, version, annotations, spec FROM "AnalysisTemplate" WHERE "clusterId" = $1::uuid AND namespace = $2::text AND name = $3::text`,
};

const CLUSTER_TEMPLATE: PreparedStatement = {
  name: 'analysis-cluster-template',
  text: `SELECT name, version, annotations, spec FROM "ClusterAnalysisTemplate" WHERE "organizationId" = $1::uuid AND name = $2::text`,
};

const MARK_RUNNING: PreparedStatement = {
  name: 'analysis-mark-running',
  text: `UPDATE "AnalysisRun" SET spec = $2::jsonb, phase = 'Running', message = '', "startedAt" = $3::timestamp, "metricResults" = $4::jsonb, "nextMeasurementAt" = $5::timestamp
  WHERE id = $1::uuid AND phase = 'Pending' RETURNING id`,
};

const FINISH_RUN: PreparedStatement = {
  name: 'analysis-finish-run',
  text: `UPDATE "AnalysisRun" SET phase = $2::text, message = $3::text, "finishedAt" = $4::timestamp, "nextMeasurementAt" = NULL WHERE id = $1::uuid AND "finishedAt" IS NULL RETURNING id`,
};

const ROLLOUT_VERSION: PreparedStatement = {
  name: 'analysis-rollout-version',
  text: `SELECT version FROM "Rollout" WHERE id = $1::uuid`,
};

const STANDALONE_EXPERIMENT_VERSION: PreparedStatement = {
  name: 'analysis-experiment-version',
  text: `SELECT version FROM "Experiment" WHERE id = $1::uuid AND "stepIndex" IS NULL`,
};

export async function loadPendingRun(session: SqlSession, runId: string): Promise<PendingRun | undefined> {
  const [row] = await session.query<PendingRun>(PENDING_RUN, [runId]);
  return row;
}

/** The template a run refers to, as stored now; `undefined` when there is none by that name. */
export async function loadTemplate(
  session: SqlSession,
  run: PendingRun,
  reference: AnalysisTemplateRef,
): Promise<StoredTemplate | undefined> {
  const [row] = reference.clusterScope
    ? await session.query<Omit<StoredTemplate, 'clusterScope'>>(CLUSTER_TEMPLATE, [run.organizationId, reference.templateName])
    : await session.query<Omit<StoredTemplate, 'clusterScope'>>(NAMESPACED_TEMPLATE, [
        run.clusterId,
        run.namespace,
        reference.templateName,
      ]);
  return row
    ? {
        name: row.name,
        clusterScope: reference.clusterScope === true,
        version: row.version,
        annotations: row.annotations,
        spec: row.spec as AnalysisTemplateSpec,
      }
    : undefined;
}

/** Moves a Pending run to Running with its resolved spec and first state; false when it was not Pending any more. */
export async function markRunning(
  session: SqlSession,
  run: PendingRun,
  resolved: ResolvedRun,
  state: RunState,
  startedAt: Date,
): Promise<boolean> {
  const spec: RunSpecDocument = { ...run.spec, resolved };
  const rows = await session.query(MARK_RUNNING, [
    run.id,
    JSON.stringify(spec),
    startedAt,
    JSON.stringify(storeRunState(state)),
    earliestDue(state),
  ]);
  return rows.length > 0;
}

/** Ends a run that has not ended yet; false when it had. */
export async function finishRun(session: SqlSession, runId: string, phase: string, message: string, finishedAt: Date): Promise<boolean> {
  const rows = await session.query(FINISH_RUN, [runId, phase, message, finishedAt]);
  return rows.length > 0;
}

export async function rolloutVersion(session: SqlSession, rolloutId: string): Promise<number | undefined> {
  const [row] = await session.query<{ version: number }>(ROLLOUT_VERSION, [rolloutId]);
  return row?.version;
}

/** The version of a standalone experiment; undefined for an experiment of a rollout, which its rollout reconciles. */
export async function standaloneExperimentVersion(session: SqlSession, experimentId: string): Promise<number | undefined> {
  const [row] = await session.query<{ version: number }>(STANDALONE_EXPERIMENT_VERSION, [experimentId]);
  return row?.version;
}

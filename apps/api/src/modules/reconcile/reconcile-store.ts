import type { Rollout } from '../../generated/prisma/client.js';
import { uuidV7, type PreparedStatement, type SqlPool, type SqlSession } from '../../infrastructure/sql.js';

/**
 * The reconciler's reads and writes in hand-written SQL: a reconcile is the worker's hottest path, and one
 * statement per step costs a fraction of the Prisma client's query planning.
 */

export interface PendingOperation {
  id: string;
  type: string;
  parameters: object;
  requestedBy: string;
}

export interface RolloutAnalysisRunState {
  name: string;
  kind: string;
  podTemplateHash: string | null;
  stepIndex: number | null;
  phase: string;
  message: string;
}

export interface RolloutExperimentState {
  name: string;
  podTemplateHash: string | null;
  stepIndex: number | null;
  phase: string;
  message: string;
}

export type LoadedRollout = Rollout & {
  cluster: { name: string; connectionState: string };
  operations: PendingOperation[];
  analysisRuns: RolloutAnalysisRunState[];
  experiments: RolloutExperimentState[];
};

type LoadedRow = Rollout & {
  clusterName: string;
  clusterConnectionState: string;
  operations: PendingOperation[];
  analysisRuns: RolloutAnalysisRunState[];
  experiments: RolloutExperimentState[];
};

/** The rollout, its cluster's connection, its pending operations in order, and the states of its runs and experiments. */
const LOAD_ROLLOUT: PreparedStatement = {
  name: 'reconcile-load-rollout',
  text: `SELECT r.*, c.name AS "clusterName", c."connectionState" AS "clusterConnectionState",
    COALESCE((SELECT jsonb_agg(jsonb_build_object('id', o.id, 'type', o.type, 'parameters', o.parameters, 'requestedBy', o."requestedBy") ORDER BY o."requestedAt", o.id)
      FROM "RolloutOperation" o WHERE o."rolloutId" = r.id AND o.state = 'Pending'), '[]') AS operations,
    COALESCE((SELECT jsonb_agg(jsonb_build_object('name', a.name, 'kind', a.kind, 'podTemplateHash', a."podTemplateHash", 'stepIndex', a."stepIndex", 'phase', a.phase, 'message', a.message))
      FROM "AnalysisRun" a WHERE a."rolloutId" = r.id), '[]') AS "analysisRuns",
    COALESCE((SELECT jsonb_agg(jsonb_build_object('name', e.name, 'podTemplateHash', e."podTemplateHash", 'stepIndex', e."stepIndex", 'phase', e.phase, 'message', e.message))
      FROM "Experiment" e WHERE e."rolloutId" = r.id), '[]') AS experiments
  FROM "Rollout" r JOIN "Cluster" c ON c.id = r."clusterId" WHERE r.id = $1::uuid`,
};

/** Writes the reconcile's result only if nobody else wrote the rollout since it was loaded. */
const UPDATE_ROLLOUT_AT_VERSION: PreparedStatement = {
  name: 'reconcile-update-rollout',
  text: `UPDATE "Rollout" SET spec = $3::jsonb, generation = $4::integer, "specChangedBy" = $5::text, status = $6::jsonb, phase = $7::text, message = $8::text,
    "observedGeneration" = $9::integer, "desiredState" = $10::jsonb, "desiredVersion" = $11::integer, "nextReconcileAt" = $12::timestamp, version = $13::integer, "updatedAt" = $14::timestamp
  WHERE id = $1::uuid AND version = $2::integer RETURNING version`,
};

const SETTLE_OPERATIONS: PreparedStatement = {
  name: 'reconcile-settle-operations',
  text: `UPDATE "RolloutOperation" o SET state = s.state, message = s.message, "completedAt" = $2::timestamp
  FROM jsonb_to_recordset($1::jsonb) AS s(id uuid, state text, message text) WHERE o.id = s.id`,
};

const START_REVISION: PreparedStatement = {
  name: 'reconcile-start-revision',
  text: `INSERT INTO "RolloutRevision" (id, "organizationId", "rolloutId", revision, "podTemplateHash", images, "specSnapshot", "startedBy", "startedAt")
  VALUES ($1::uuid, $2::uuid, $3::uuid, $4::integer, $5::text, $6::text[], $7::jsonb, $8::text, $9::timestamp) ON CONFLICT ("rolloutId", revision) DO NOTHING`,
};

const FINISH_REVISION: PreparedStatement = {
  name: 'reconcile-finish-revision',
  text: `UPDATE "RolloutRevision" SET outcome = $3::text, "finishedAt" = $4::timestamp WHERE "rolloutId" = $1::uuid AND revision = $2::integer AND "finishedAt" IS NULL`,
};

const FINISH_REVISION_OF_HASH: PreparedStatement = {
  name: 'reconcile-finish-revision-of-hash',
  text: `UPDATE "RolloutRevision" SET outcome = $3::text, "finishedAt" = $4::timestamp WHERE "rolloutId" = $1::uuid AND "podTemplateHash" = $2::text AND "finishedAt" IS NULL`,
};

const START_ANALYSIS_RUNS: PreparedStatement = {
  name: 'reconcile-start-analysis-runs',
  text: `INSERT INTO "AnalysisRun" (id, "organizationId", "clusterId", "rolloutId", namespace, name, kind, revision, "podTemplateHash", "stepIndex", spec, "startedAt")
  SELECT n.id, $2::uuid, $3::uuid, $4::uuid, $5::text, n.name, n.kind, n.revision, n."podTemplateHash", n."stepIndex", n.spec, $6::timestamp
  FROM jsonb_to_recordset($1::jsonb) AS n(id uuid, name text, kind text, revision integer, "podTemplateHash" text, "stepIndex" integer, spec jsonb)
  ON CONFLICT ("clusterId", namespace, name) DO NOTHING RETURNING id`,
};

const TERMINATE_ANALYSIS_RUNS: PreparedStatement = {
  name: 'reconcile-terminate-analysis-runs',
  text: `UPDATE "AnalysisRun" SET phase = 'Successful', message = 'terminated by the rollout', "finishedAt" = $3::timestamp
  WHERE "rolloutId" = $1::uuid AND name = ANY($2::text[]) AND "finishedAt" IS NULL`,
};

const START_EXPERIMENTS: PreparedStatement = {
  name: 'reconcile-start-experiments',
  text: `INSERT INTO "Experiment" (id, "organizationId", "clusterId", "rolloutId", namespace, name, spec, "podTemplateHash", "stepIndex", "updatedAt")
  SELECT n.id, $2::uuid, $3::uuid, $4::uuid, $5::text, n.name, n.spec, n."podTemplateHash", n."stepIndex", $6::timestamp
  FROM jsonb_to_recordset($1::jsonb) AS n(id uuid, name text, spec jsonb, "podTemplateHash" text, "stepIndex" integer)
  ON CONFLICT ("clusterId", namespace, name) DO NOTHING`,
};

const TERMINATE_EXPERIMENTS: PreparedStatement = {
  name: 'reconcile-terminate-experiments',
  text: `UPDATE "Experiment" SET phase = 'Successful', message = 'terminated by the rollout', "updatedAt" = $3::timestamp WHERE "rolloutId" = $1::uuid AND name = ANY($2::text[])`,
};

export interface RolloutWrite {
  spec: unknown;
  generation: number;
  specChangedBy: string;
  status: { phase: string; message: string; observedGeneration: number };
  desiredState: unknown;
  desiredVersion: number;
  nextReconcileAt: Date | null;
  version: number;
  updatedAt: Date;
}

export interface RevisionStart {
  revision: number;
  podTemplateHash: string;
  images: string[];
  specSnapshot: unknown;
  startedBy: string;
}

export interface AnalysisRunStart {
  name: string;
  kind: string;
  revision: number | null;
  podTemplateHash: string;
  stepIndex: number | null;
  spec: unknown;
}

export interface ExperimentStart {
  name: string;
  spec: unknown;
  podTemplateHash: string;
  stepIndex: number;
}

type Owner = Pick<Rollout, 'id' | 'organizationId' | 'clusterId' | 'namespace'>;

export async function loadRolloutForReconcile(sql: SqlPool, rolloutId: string): Promise<LoadedRollout | null> {
  const [row] = await sql.query<LoadedRow>(LOAD_ROLLOUT, [rolloutId]);
  if (!row) return null;
  const { clusterName, clusterConnectionState, ...rollout } = row;
  return { ...rollout, cluster: { name: clusterName, connectionState: clusterConnectionState } };
}

/** The statements of one reconcile's transaction, each sent only when the decision needs it. */
export class ReconcileWrite {
  constructor(
    private readonly session: SqlSession,
    private readonly rollout: Owner,
    private readonly now: Date,
  ) {}

  /** False when another writer changed the rollout after `expectedVersion` was read. */
  async updateRollout(expectedVersion: number, write: RolloutWrite): Promise<boolean> {
    const rows = await this.session.query<{ version: number }>(UPDATE_ROLLOUT_AT_VERSION, [
      this.rollout.id,
      expectedVersion,
      JSON.stringify(write.spec),
      write.generation,
      write.specChangedBy,
      JSON.stringify(write.status),
      write.status.phase,
      write.status.message,
      write.status.observedGeneration,
      JSON.stringify(write.desiredState),
      write.desiredVersion,
      write.nextReconcileAt,
      write.version,
      write.updatedAt,
    ]);
    return rows.length === 1;
  }

  async settleOperations(settled: readonly { id: string; state: string; message: string | null }[]): Promise<void> {
    if (settled.length > 0) await this.session.query(SETTLE_OPERATIONS, [JSON.stringify(settled), this.now]);
  }

  /** Starting a revision twice (a retried job) keeps the first record. */
  async startRevision(start: RevisionStart): Promise<void> {
    const { id, organizationId } = this.rollout;
    await this.session.query(START_REVISION, [uuidV7(this.now.getTime()), organizationId, id, start.revision, start.podTemplateHash, start.images, JSON.stringify(start.specSnapshot), start.startedBy, this.now]);
  }

  async finishRevision(revision: number, outcome: string): Promise<void> {
    await this.session.query(FINISH_REVISION, [this.rollout.id, revision, outcome, this.now]);
  }

  async finishRevisionOfHash(podTemplateHash: string, outcome: string): Promise<void> {
    await this.session.query(FINISH_REVISION_OF_HASH, [this.rollout.id, podTemplateHash, outcome, this.now]);
  }

  /** Run names are deterministic, so asking twice starts one run; returns the ids of the runs started now. */
  async startAnalysisRuns(runs: readonly AnalysisRunStart[]): Promise<string[]> {
    if (runs.length === 0) return [];
    const rows = runs.map((run) => ({ id: uuidV7(this.now.getTime()), ...run }));
    const { id, organizationId, clusterId, namespace } = this.rollout;
    const started = await this.session.query<{ id: string }>(START_ANALYSIS_RUNS, [JSON.stringify(rows), organizationId, clusterId, id, namespace, this.now]);
    return started.map((run) => run.id);
  }

  async terminateAnalysisRuns(names: readonly string[]): Promise<void> {
    if (names.length > 0) await this.session.query(TERMINATE_ANALYSIS_RUNS, [this.rollout.id, names, this.now]);
  }

  async startExperiments(experiments: readonly ExperimentStart[]): Promise<void> {
    if (experiments.length === 0) return;
    const rows = experiments.map((experiment) => ({ id: uuidV7(this.now.getTime()), ...experiment }));
    const { id, organizationId, clusterId, namespace } = this.rollout;
    await this.session.query(START_EXPERIMENTS, [JSON.stringify(rows), organizationId, clusterId, id, namespace, this.now]);
  }

  async terminateExperiments(names: readonly string[]): Promise<void> {
    if (names.length > 0) await this.session.query(TERMINATE_EXPERIMENTS, [this.rollout.id, names, this.now]);
  }
}

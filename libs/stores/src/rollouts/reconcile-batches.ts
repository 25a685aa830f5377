import type { ExperimentSpec, RolloutSpec } from '@flotilla/argo-spec';
import type { ExperimentStatus, RolloutOperation, RolloutStatus } from '@flotilla/rollout-engine';
import type { DesiredRolloutState } from '@flotilla/protocol';
import type { Prisma, Rollout } from '../generated/prisma/client.js';
import { BatchItemFailure, MicroBatcher } from '../database/micro-batcher.js';
import type { AfterCommit } from '../database/database.js';
import { uuidV7, type PipelinedSession, type PreparedStatement, type SqlPool } from '../database/sql.js';
import type { AuditEntry, AuditStore } from '../audit/audit-store.js';
import { systemScope } from '../scope/scope.js';
import type { RunSpecDocument } from '../analysis-runs/analysis-run-columns.js';
import { clusterLabelsColumn } from '../clusters/cluster-store.js';
import { experimentColumns } from '../experiments/experiment-columns.js';
import { recordNotifications, type QueuedDelivery, type ReconcileNotifications } from '../notifications/notification-delivery-store.js';
import type { StoredRunState } from './analysis-run-state.js';
import { operationColumn, rolloutColumns, rolloutRecordOf } from './rollout-columns.js';
import type { RolloutRecord } from './rollout-record.js';

/**
 * The reconciler's reads and writes, in hand-written SQL and batched: the reconciles a worker runs at the same
 * moment load their rollouts in one query and write their results in one transaction, each write still guarded
 * by its rollout's version. Hand-written, as the Prisma client's per-query planning costs more than these queries:
 * `npm run bench:engine` measures the reconcile rate this path sustains (docs/benchmarks.md).
 */

export interface PendingOperation {
  id: string;
  operation: RolloutOperation;
  requestedBy: string;
}

export interface RolloutExperimentState {
  id: string;
  name: string;
  podTemplateHash: string | null;
  stepIndex: number | null;
  phase: string;
  message: string;
  /** Spec and status are loaded only while the experiment has something in the cluster. */
  spec: ExperimentSpec | null;
  status: ExperimentStatus | null;
  released: boolean;
}

export type LoadedRollout = RolloutRecord & {
  cluster: { name: string; connectionState: string; labels: Record<string, string> };
  /** Its observation changed since a reconcile last read it: a reconcile that writes nothing still says it has. */
  observationPending: boolean;
  operations: PendingOperation[];
  analysisRuns: StoredRunState[];
  experiments: RolloutExperimentState[];
};

/** A row of LOAD_ROLLOUTS as Postgres answers it, its JSON not yet decoded. */
type LoadedRow = Rollout & {
  clusterName: string;
  clusterConnectionState: string;
  clusterLabels: Prisma.JsonValue;
  operations: { id: string; type: string; parameters: Prisma.JsonObject; requestedBy: string }[];
  analysisRuns: StoredRunState[];
  experiments: (Omit<RolloutExperimentState, 'spec' | 'status'> & { spec: Prisma.JsonValue; status: Prisma.JsonValue })[];
};

/**
 * The rollouts, their clusters' connections, their pending operations in order, the states of their runs, and their
 * experiments that are live or of the current revision, oldest first (a later one wins a Service name they share).
 */
export const LOAD_ROLLOUTS: PreparedStatement = {
  name: 'reconcile-load-rollouts',
  text: `SELECT r.*, c.name AS "clusterName", c."connectionState" AS "clusterConnectionState", c.labels AS "clusterLabels",
    COALESCE((SELECT jsonb_agg(jsonb_build_object('id', o.id, 'type', o.type, 'parameters', o.parameters, 'requestedBy', o."requestedBy") ORDER BY o."requestedAt", o.id)
      FROM "RolloutOperation" o WHERE o."rolloutId" = r.id AND o.state = 'Pending'), '[]') AS operations,
    COALESCE((SELECT jsonb_agg(jsonb_build_object('name', a.name, 'kind', a.kind, 'podTemplateHash', a."podTemplateHash", 'stepIndex', a."stepIndex", 'phase', a.phase, 'message', a.message))
      FROM "AnalysisRun" a WHERE a."rolloutId" = r.id), '[]') AS "analysisRuns",
    COALESCE((SELECT jsonb_agg(jsonb_build_object('id', e.id, 'name', e.name, 'podTemplateHash', e."podTemplateHash", 'stepIndex', e."stepIndex", 'phase', e.phase,
        'message', e.message, 'released', e."releasedAt" IS NOT NULL,
        'spec', CASE WHEN e."releasedAt" IS NULL THEN e.spec END, 'status', CASE WHEN e."releasedAt" IS NULL THEN e.status END) ORDER BY e.id)
      FROM "Experiment" e WHERE e."rolloutId" = r.id AND (e."releasedAt" IS NULL OR e."podTemplateHash" = r.status ->> 'currentPodHash')), '[]') AS experiments
  FROM "Rollout" r JOIN "Cluster" c ON c.id = r."clusterId" WHERE r.id = ANY($1::uuid[])`,
};

/**
 * Writes every rollout of the batch whose version is still the one its reconcile read, and, for those only, what
 * their reconciles asked for besides: operations settled, revisions started, the state of the current revision (the
 * newest one of its pod template hash, finished unless Progressing: a revision this statement starts is inserted in
 * that state, since no other part of one statement sees its rows), experiments started or moved on, analysis runs
 * started or ended. Answers the ids of the rollouts written and of the runs started.
 */
export const WRITE_RECONCILES: PreparedStatement = {
  name: 'reconcile-write-batch',
  text: `WITH w AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS w(id uuid, expected integer, spec jsonb, generation integer, "specChangedBy" text, status jsonb, phase text, message text,
      "observedGeneration" integer, "desiredState" jsonb, "desiredVersion" integer, "nextReconcileAt" timestamp, version integer, at timestamp)
  ), updated AS (
    UPDATE "Rollout" r SET spec = COALESCE(w.spec, r.spec), generation = w.generation, "specChangedBy" = w."specChangedBy", status = w.status, phase = w.phase, message = w.message,
      "observedGeneration" = w."observedGeneration", "desiredState" = COALESCE(w."desiredState", r."desiredState"), "desiredVersion" = w."desiredVersion", "nextReconcileAt" = w."nextReconcileAt",
      version = w.version, "observationPending" = false, "updatedAt" = w.at
    FROM w WHERE r.id = w.id AND r.version = w.expected RETURNING r.id
  ), settled AS (
    UPDATE "RolloutOperation" o SET state = s.state, message = s.message, "completedAt" = s.at
    FROM jsonb_to_recordset($2::jsonb) AS s(id uuid, "rolloutId" uuid, state text, message text, at timestamp)
    WHERE o.id = s.id AND s."rolloutId" IN (SELECT id FROM updated)
  ), current_states AS (
    SELECT * FROM jsonb_to_recordset($8::jsonb) AS c("rolloutId" uuid, "podTemplateHash" text, state text, at timestamp)
    WHERE c."rolloutId" IN (SELECT id FROM updated)
  ), revisions AS (
    INSERT INTO "RolloutRevision" (id, "organizationId", "rolloutId", revision, "podTemplateHash", images, "specSnapshot", "startedBy", "startedAt", outcome, "finishedAt")
    SELECT v.id, v."organizationId", v."rolloutId", v.revision, v."podTemplateHash", ARRAY(SELECT jsonb_array_elements_text(v.images)), v."specSnapshot", v."startedBy", v.at,
      COALESCE(c.state, 'Progressing'), CASE WHEN c.state <> 'Progressing' THEN c.at END
    FROM jsonb_to_recordset($3::jsonb) AS v(id uuid, "organizationId" uuid, "rolloutId" uuid, revision integer, "podTemplateHash" text, images jsonb, "specSnapshot" jsonb, "startedBy" text, at timestamp)
    LEFT JOIN current_states c ON c."rolloutId" = v."rolloutId" AND c."podTemplateHash" = v."podTemplateHash"
      AND NOT EXISTS (SELECT 1 FROM jsonb_to_recordset($3::jsonb) AS later("rolloutId" uuid, revision integer, "podTemplateHash" text)
        WHERE later."rolloutId" = v."rolloutId" AND later."podTemplateHash" = v."podTemplateHash" AND later.revision > v.revision)
    WHERE v."rolloutId" IN (SELECT id FROM updated)
    ON CONFLICT ("rolloutId", revision) DO NOTHING RETURNING "rolloutId", "podTemplateHash"
  ), current_revisions AS (
    UPDATE "RolloutRevision" rr SET outcome = c.state, "finishedAt" = CASE WHEN c.state = 'Progressing' THEN NULL ELSE c.at END
    FROM current_states c
    WHERE rr.outcome <> c.state AND rr.id = (
      SELECT newest.id FROM "RolloutRevision" newest
      WHERE newest."rolloutId" = c."rolloutId" AND newest."podTemplateHash" = c."podTemplateHash"
      ORDER BY newest.revision DESC LIMIT 1)
      AND NOT EXISTS (SELECT 1 FROM revisions n WHERE n."rolloutId" = c."rolloutId" AND n."podTemplateHash" = c."podTemplateHash")
  ), experiments AS (
    INSERT INTO "Experiment" (id, "organizationId", "clusterId", "rolloutId", namespace, name, spec, "podTemplateHash", "stepIndex", phase, message, status, "releasedAt", "updatedAt")
    SELECT n.id, n."organizationId", n."clusterId", n."rolloutId", n.namespace, n.name, n.spec, n."podTemplateHash", n."stepIndex", n.phase, n.message, n.status,
      CASE WHEN n.released THEN n.at END, n.at
    FROM jsonb_to_recordset($6::jsonb) AS n(id uuid, "organizationId" uuid, "clusterId" uuid, "rolloutId" uuid, namespace text, name text, spec jsonb,
      "podTemplateHash" text, "stepIndex" integer, phase text, message text, status jsonb, released boolean, at timestamp)
    WHERE n."rolloutId" IN (SELECT id FROM updated)
    ON CONFLICT ("clusterId", namespace, name) DO NOTHING RETURNING id, "clusterId", namespace, name
  ), experiment_updates AS (
    UPDATE "Experiment" x SET phase = u.phase, message = u.message, status = u.status, "releasedAt" = CASE WHEN u.released THEN u.at END,
      version = x.version + 1, "updatedAt" = u.at
    FROM jsonb_to_recordset($7::jsonb) AS u("rolloutId" uuid, name text, phase text, message text, status jsonb, released boolean, at timestamp)
    WHERE x."rolloutId" = u."rolloutId" AND x.name = u.name AND u."rolloutId" IN (SELECT id FROM updated)
  ), runs AS (
    INSERT INTO "AnalysisRun" (id, "organizationId", "clusterId", "rolloutId", "experimentId", namespace, name, kind, revision, "podTemplateHash", "stepIndex", spec, "startedAt")
    SELECT n.id, n."organizationId", n."clusterId", n."rolloutId",
      COALESCE((SELECT x.id FROM experiments x WHERE x."clusterId" = n."clusterId" AND x.namespace = n.namespace AND x.name = n."experimentName"),
        (SELECT x.id FROM "Experiment" x WHERE x."clusterId" = n."clusterId" AND x.namespace = n.namespace AND x.name = n."experimentName")),
      n.namespace, n.name, n.kind, n.revision, n."podTemplateHash", n."stepIndex", n.spec, n.at
    FROM jsonb_to_recordset($4::jsonb) AS n(id uuid, "organizationId" uuid, "clusterId" uuid, "rolloutId" uuid, namespace text, name text, kind text, revision integer,
      "podTemplateHash" text, "stepIndex" integer, spec jsonb, "experimentName" text, at timestamp)
    WHERE n."rolloutId" IN (SELECT id FROM updated)
    ON CONFLICT ("clusterId", namespace, name) DO NOTHING RETURNING id
  ), ended_runs AS (
    UPDATE "AnalysisRun" a SET phase = 'Successful', message = 'terminated by the rollout', "finishedAt" = t.at
    FROM jsonb_to_recordset($5::jsonb) AS t("rolloutId" uuid, name text, at timestamp)
    WHERE a."rolloutId" = t."rolloutId" AND a.name = t.name AND a."finishedAt" IS NULL AND t."rolloutId" IN (SELECT id FROM updated)
  )
  SELECT (SELECT COALESCE(jsonb_agg(id), '[]') FROM updated) AS written, (SELECT COALESCE(jsonb_agg(id), '[]') FROM runs) AS "startedRuns"`,
};

/** A separate statement: a revision started by the first one is visible to it, as a revision can start and finish at once. */
export const FINISH_REVISIONS: PreparedStatement = {
  name: 'reconcile-finish-revisions',
  text: `UPDATE "RolloutRevision" rr SET outcome = f.outcome, "finishedAt" = f.at
  FROM jsonb_to_recordset($1::jsonb) AS f("rolloutId" uuid, revision integer, outcome text, at timestamp)
  WHERE rr."rolloutId" = f."rolloutId" AND rr."finishedAt" IS NULL AND rr.revision = f.revision`,
};

/** A reconcile that wrote nothing read the observation as of `version`: the sweep need not ask for it again. */
export const OBSERVATION_RECONCILED: PreparedStatement = {
  name: 'reconcile-observation-reconciled',
  text: `UPDATE "Rollout" SET "observationPending" = false WHERE id = $1::uuid AND version = $2::integer AND "observationPending"`,
};

/** `spec` and `desiredState` are `undefined` when the reconcile left them as stored: the row keeps its own, unsent. */
export interface RolloutWrite {
  spec: RolloutSpec | undefined;
  generation: number;
  specChangedBy: string;
  status: RolloutStatus;
  desiredState: DesiredRolloutState | undefined;
  desiredVersion: number;
  nextReconcileAt: Date | null;
  version: number;
}

export interface RevisionStart {
  revision: number;
  podTemplateHash: string;
  images: string[];
  specSnapshot: RolloutSpec;
  startedBy: string;
}

/** Closes the open record of a revision that is no longer the current one. */
export interface RevisionFinish {
  revision: number;
  outcome: string;
}

/** Where the current revision (the newest one of its pod template hash) stands now: reopened when `Progressing`. */
export interface CurrentRevisionState {
  podTemplateHash: string;
  state: string;
}

export interface AnalysisRunStart {
  name: string;
  kind: string;
  revision: number | null;
  podTemplateHash: string;
  stepIndex: number | null;
  spec: RunSpecDocument;
  experimentName: string | null;
}

/** An experiment's state as its controller left it. */
export interface ExperimentState {
  name: string;
  phase: string;
  message: string;
  status: ExperimentStatus;
  released: boolean;
}

export interface ExperimentStart extends ExperimentState {
  spec: ExperimentSpec;
  podTemplateHash: string;
  stepIndex: number;
}

/** Everything one reconcile writes, applied only if the rollout is still at `expectedVersion`. */
export interface ReconcileWritePlan {
  rollout: Pick<RolloutRecord, 'id' | 'organizationId' | 'clusterId' | 'namespace'>;
  expectedVersion: number;
  update: RolloutWrite;
  settledOperations: { id: string; state: string; message: string | null }[];
  revisionStarts: RevisionStart[];
  revisionFinishes: RevisionFinish[];
  /** Undefined when the status says nothing new of the current revision. */
  currentRevision: CurrentRevisionState | undefined;
  analysisRunStarts: AnalysisRunStart[];
  analysisRunsToEnd: string[];
  experimentStarts: ExperimentStart[];
  experimentUpdates: ExperimentState[];
  audit: AuditEntry[];
  /** The notifications the change decided and the subject's history change; absent when it decided none. */
  notifications?: ReconcileNotifications;
  now: Date;
}

/** `written` is false when another writer changed the rollout after its reconcile read it. */
export type WriteResult = { written: false } | { written: true; startedRunIds: string[] };

/** A rollout's write also answers the notification deliveries it stored, to queue after the commit. */
export type RolloutWriteResult = { written: false } | { written: true; startedRunIds: string[]; deliveries: QueuedDelivery[] };

/** The batched reconcile path of the rollout store. */
export class ReconcileBatches {
  private readonly loads = new MicroBatcher<string, LoadedRollout | null>((ids) => this.loadBatch(ids));
  /**
   * One batch written at a time: the reconciles that finish meanwhile go out together in the next, rather than as
   * small transactions that queue, commit by commit, on their organization's audit chain head.
   */
  private readonly writes = new MicroBatcher<ReconcileWritePlan, RolloutWriteResult>((plans) => this.writeBatchOrEach(plans), {
    maxInFlight: 1,
  });

  constructor(
    private readonly sql: SqlPool,
    private readonly audit: AuditStore,
  ) {}

  load(rolloutId: string): Promise<LoadedRollout | null> {
    return this.loads.submit(rolloutId);
  }

  /** Records that a reconcile read the rollout's observation at `version` and found nothing to write. */
  async observationReconciled(rolloutId: string, version: number): Promise<void> {
    await this.sql.query(OBSERVATION_RECONCILED, [rolloutId, version]);
  }

  /** Resolves once the write is committed (or known to have lost to another writer). */
  write(plan: ReconcileWritePlan): Promise<RolloutWriteResult> {
    return this.writes.submit(plan);
  }

  /** Each row is read on its own: one the stores cannot read fails the loads of its rollout only. */
  private async loadBatch(ids: readonly string[]): Promise<(LoadedRollout | null | BatchItemFailure)[]> {
    const rows = await this.sql.query<LoadedRow>(LOAD_ROLLOUTS, [[...new Set(ids)]]);
    const byId = new Map(rows.map((row) => [row.id, loadedRolloutOrFailure(row)]));
    // A rollout asked for twice in one batch is handed out as separate copies: callers build on what they load.
    const handedOut = new Set<string>();
    return ids.map((id) => {
      const rollout = byId.get(id);
      if (!rollout) return null;
      if (rollout instanceof BatchItemFailure || !handedOut.has(id)) {
        handedOut.add(id);
        return rollout;
      }
      return structuredClone(rollout);
    });
  }

  /** A batch that fails is written again one plan at a time, so that one bad plan fails only its own reconcile. */
  private async writeBatchOrEach(plans: readonly ReconcileWritePlan[]): Promise<(RolloutWriteResult | BatchItemFailure)[]> {
    try {
      return await this.writeInTransaction(plans);
    } catch (error) {
      if (plans.length === 1) throw error;
      const results: (RolloutWriteResult | BatchItemFailure)[] = [];
      for (const plan of plans)
        results.push(...(await this.writeInTransaction([plan]).catch((failure: unknown) => [new BatchItemFailure(failure)])));
      return results;
    }
  }

  private writeInTransaction(plans: readonly ReconcileWritePlan[]): Promise<RolloutWriteResult[]> {
    return this.sql.transaction((session, afterCommit) => this.writeBatch(session, afterCommit, plans));
  }

  private async writeBatch(
    session: PipelinedSession,
    afterCommit: AfterCommit,
    plans: readonly ReconcileWritePlan[],
  ): Promise<RolloutWriteResult[]> {
    // Two reconciles of one rollout in a batch read the same version: the first one wins, as it would in turn.
    const seen = new Set<string>();
    const contenders = plans.filter((plan) => !seen.has(plan.rollout.id) && seen.add(plan.rollout.id));
    const runIds = new Map(contenders.map((plan) => [plan, plan.analysisRunStarts.map(() => uuidV7(plan.now.getTime()))]));
    /** What the plans ask for of one kind, each row with its rollout's ids and its reconcile's time. */
    const rows = (ofPlan: (plan: ReconcileWritePlan) => readonly object[]): string =>
      JSON.stringify(contenders.flatMap((plan) => ofPlan(plan).map((row) => ({ ...row, ...owner(plan), at: plan.now }))));
    const named = (names: readonly string[]): object[] => names.map((name) => ({ name }));
    const writing = session.query<{ written: string[]; startedRuns: string[] }>(WRITE_RECONCILES, [
      rows(({ rollout, expectedVersion, update }) => [{ id: rollout.id, expected: expectedVersion, ...rolloutRow(update) }]),
      rows((plan) => plan.settledOperations),
      rows((plan) =>
        plan.revisionStarts.map((start) => ({
          ...start,
          specSnapshot: rolloutColumns.specSnapshot.encode(start.specSnapshot),
          id: uuidV7(plan.now.getTime()),
        })),
      ),
      rows((plan) => plan.analysisRunStarts.map((start, index) => ({ ...start, id: runIds.get(plan)?.[index] }))),
      rows((plan) => named(plan.analysisRunsToEnd)),
      rows((plan) =>
        plan.experimentStarts.map((start) => ({
          ...experimentRow(start),
          spec: experimentColumns.spec.encode(start.spec),
          podTemplateHash: start.podTemplateHash,
          stepIndex: start.stepIndex,
          id: uuidV7(plan.now.getTime()),
        })),
      ),
      rows((plan) => plan.experimentUpdates.map(experimentRow)),
      rows((plan) => (plan.currentRevision === undefined ? [] : [plan.currentRevision])),
    ]);
    // The chain heads of every organization a plan would append to are locked by a statement that goes out right
    // behind the write (the server runs it once the write is done), so that one round trip answers both; a plan that
    // loses to another writer leaves its organization's head locked for nothing until the commit.
    const locking = this.audit.lockChainHeads(
      session,
      contenders.filter((plan) => plan.audit.length > 0).map((plan) => plan.rollout.organizationId),
    );
    const [[outcome], heads] = await Promise.all([writing, locking]);
    const written = new Set(outcome?.written ?? []);
    const startedRuns = new Set(outcome?.startedRuns ?? []);
    const winners = contenders.filter((plan) => written.has(plan.rollout.id));
    const finishes = winners.flatMap((plan) => plan.revisionFinishes.map((finish) => ({ ...finish, ...owner(plan), at: plan.now })));
    if (finishes.length > 0) session.send(FINISH_REVISIONS, [JSON.stringify(finishes)]);
    const deliveries = new Map<ReconcileWritePlan, QueuedDelivery[]>();
    for (const plan of winners) if (plan.notifications) deliveries.set(plan, await recordNotifications(session, plan.notifications));
    // Sent with the commit.
    this.audit.appendToLockedChains(
      systemScope('worker'),
      session,
      afterCommit,
      heads,
      winners.map((plan) => ({ organizationId: plan.rollout.organizationId, entries: plan.audit, occurredAt: plan.now })),
    );
    const won = new Set(winners);
    return plans.map((plan): RolloutWriteResult =>
      won.has(plan)
        ? {
            written: true,
            startedRunIds: (runIds.get(plan) ?? []).filter((id) => startedRuns.has(id)),
            deliveries: deliveries.get(plan) ?? [],
          }
        : { written: false },
    );
  }
}

function owner({ rollout }: ReconcileWritePlan): { organizationId: string; clusterId: string; rolloutId: string; namespace: string } {
  return { organizationId: rollout.organizationId, clusterId: rollout.clusterId, rolloutId: rollout.id, namespace: rollout.namespace };
}

/** The columns of the rollout's row a reconcile writes, JSON encoded; `spec` and `desiredState` only when they changed. */
function rolloutRow(update: RolloutWrite): object {
  const { status, spec, desiredState } = update;
  return {
    ...update,
    spec: spec && rolloutColumns.spec.encode(spec),
    status: rolloutColumns.status.encode(status),
    phase: status.phase,
    message: status.message,
    observedGeneration: status.observedGeneration,
    desiredState: desiredState && rolloutColumns.desiredState.encode(desiredState),
  };
}

function experimentRow(state: ExperimentState): object {
  return { ...state, status: experimentColumns.status.encode(state.status) };
}

function loadedRolloutOrFailure(row: LoadedRow): LoadedRollout | BatchItemFailure {
  try {
    return loadedRolloutOf(row);
  } catch (error) {
    return new BatchItemFailure(error);
  }
}

function loadedRolloutOf({
  clusterName,
  clusterConnectionState,
  clusterLabels,
  operations,
  analysisRuns,
  experiments,
  ...row
}: LoadedRow): LoadedRollout {
  return {
    ...rolloutRecordOf(row),
    cluster: { name: clusterName, connectionState: clusterConnectionState, labels: clusterLabelsColumn.decode(clusterLabels) },
    observationPending: row.observationPending,
    operations: operations.map(({ id, type, parameters, requestedBy }) => ({
      id,
      operation: operationColumn.decode({ type, ...parameters }),
      requestedBy,
    })),
    analysisRuns,
    experiments: experiments.map((experiment) => ({
      ...experiment,
      spec: experiment.spec === null ? null : experimentColumns.spec.decode(experiment.spec),
      status: experiment.status === null ? null : experimentColumns.status.decode(experiment.status),
    })),
  };
}

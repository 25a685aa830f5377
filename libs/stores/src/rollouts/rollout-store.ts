import { jsonEqual, type PodTemplateSpec, type RolloutSpec } from '@flotilla/argo-spec';
import type { RolloutOperation } from '@flotilla/rollout-engine';
import type { ObservedRolloutState } from '@flotilla/protocol';
import { ErrorCode, FlotillaError } from '@flotilla/service-runtime';
import type { Prisma, Rollout, RolloutOperation as RolloutOperationRow } from '../generated/prisma/client.js';
import type { DatabaseClient, Transaction } from '../database/database.js';
import { prismaSession, uuidV7, type PreparedStatement, type SqlPool, type SqlSession } from '../database/sql.js';
import type { AuditStore } from '../audit/audit-store.js';
import { organizationFilter, type OrganizationScope, type Scope, type SystemScope } from '../scope/scope.js';
import { RECORD_AGENT_REPORT, RECORD_APPLIED_VERSION, ROLLOUT_BY_ID, ROLLOUTS_TO_OBSERVE_AGAIN } from './agent-reports.js';
import { REQUEST_OPERATION, ROLLOUT_BY_NAME, ROLLOUT_PAGE, ROLLOUT_WITH_CLUSTER_BY_ID } from './rollout-requests.js';
import { isRecordId } from '../scope/record-id.js';
import { DELETED_ROLLOUT_RUN_MESSAGE } from '../analysis-runs/analysis-run-store.js';
import { ReconcileBatches, type LoadedRollout, type ReconcileWritePlan, type RolloutWriteResult } from './reconcile-batches.js';
import { operationParametersColumn, operationRecordOf, revisionRecordOf, rolloutColumns, rolloutRecordOf } from './rollout-columns.js';
import type { RolloutOperationRecord, RolloutRecord, RolloutRevisionRecord, RolloutWithCluster } from './rollout-record.js';

/** A rollout by its cluster's id, as agents name it. */
export interface RolloutKey {
  clusterId: string;
  namespace: string;
  name: string;
}

/** A rollout by its cluster's name, as people name it. */
export interface RolloutName {
  cluster: string;
  namespace: string;
  name: string;
}

export interface RolloutListFilter {
  cluster?: string;
  namespace?: string;
  phase?: string;
  /** Label equalities, all of which must hold. */
  labels: { key: string; value: string }[];
}

/** A page of the list: up to `take` rollouts after the one of id `afterId`. */
export interface RolloutListPage {
  take: number;
  afterId: string | undefined;
}

/** A Rollout document as applied to a cluster's namespace. */
export interface RolloutManifest extends RolloutKey {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: RolloutSpec;
  appliedBy: string;
}

/** A rollout, or a standalone experiment (`kind`), whose current desired version its agent has not reported as applied. */
export interface LaggingDesiredState extends RolloutKey {
  id: string;
  organizationId: string;
  desiredVersion: number;
  kind?: 'Experiment';
}

/** What an agent reported of a rollout in full: the desired version it applied and its observation with its digest. */
export interface AgentReport {
  appliedDesiredVersion: number;
  observed: ObservedRolloutState;
  /** `observationDigest` of `observed`. */
  digest: string;
}

/** A rollout an agent's `observedDigests` lists: the digest of its observation and the desired version it applied. */
export interface ListedObservation {
  namespace: string;
  name: string;
  digest: string;
  appliedDesiredVersion: number;
}

/** A report of an agent that changed the row: its version now, and whether the observation was what changed. */
export interface AgentReportRecorded {
  id: string;
  version: number;
  observationChanged: boolean;
}

export type RolloutApplied =
  { action: 'Created' | 'Unchanged'; rollout: RolloutRecord } | { action: 'Updated'; rollout: RolloutRecord; previousSpec: RolloutSpec };

/**
 * Every write a reconcile must not overlook (a spec applied, an operation asked, an observation) moves the version
 * on, so that a reconcile that read the row before it writes nothing: the guard is in `WRITE_RECONCILES`.
 */
const NEXT_VERSION = { version: { increment: 1 } } satisfies Prisma.RolloutUpdateInput;

const WITH_CLUSTER_NAME = { cluster: { select: { name: true } } } as const;

export type RolloutWithAnalysisRuns = RolloutWithCluster & { analysisRuns: { name: string; phase: string; message: string }[] };

/**
 * The rollouts of connected clusters that are not settled, or whose observation changed since a reconcile last read
 * it (its trigger lost with Redis, or its reconcile held while the cluster counted as disconnected): the sweep
 * re-derives their reconcile jobs from these.
 */
export const UNSETTLED_ROLLOUTS: PreparedStatement = {
  name: 'sweep-unsettled-rollouts',
  text: `SELECT r.id, r.version FROM "Rollout" r JOIN "Cluster" c ON c.id = r."clusterId"
  WHERE c."connectionState" = 'Connected' AND (
    r.phase <> 'Healthy'
    OR r."observationPending"
    OR r."observedGeneration" <> r.generation
    OR (r."nextReconcileAt" IS NOT NULL AND r."nextReconcileAt" <= $1::timestamp)
    OR EXISTS (SELECT 1 FROM "RolloutOperation" o WHERE o."rolloutId" = r.id AND o.state = 'Pending')
    OR EXISTS (SELECT 1 FROM "Experiment" e WHERE e."rolloutId" = r.id AND e."releasedAt" IS NULL))`,
};

/** The wake-ups of rollouts of connected clusters that fall in a window. */
export const ROLLOUT_WAKE_UPS: PreparedStatement = {
  name: 'sweep-rollout-wake-ups',
  text: `SELECT r.id, r."nextReconcileAt" AS at FROM "Rollout" r JOIN "Cluster" c ON c.id = r."clusterId"
  WHERE c."connectionState" = 'Connected' AND r."nextReconcileAt" > $1::timestamp AND r."nextReconcileAt" <= $2::timestamp`,
};

/** Rollouts of connected clusters whose agent has not reported their current desired version as applied. */
export const LAGGING_DESIRED_STATES: PreparedStatement = {
  name: 'sweep-lagging-desired-states',
  text: `SELECT r.id, r."organizationId", r."clusterId", r.namespace, r.name, r."desiredVersion"
  FROM "Rollout" r JOIN "Cluster" c ON c.id = r."clusterId"
  WHERE c."connectionState" = 'Connected' AND r."appliedDesiredVersion" < r."desiredVersion"`,
};

/**
 * Deletions of rollouts of connected clusters their agent has not confirmed; `desiredVersion` 0 stands for the
 * deletion, which has no version of its own.
 */
export const LAGGING_DELETIONS: PreparedStatement = {
  name: 'sweep-lagging-deletions',
  text: `SELECT d."rolloutId" AS id, d."organizationId", d."clusterId", d.namespace, d.name, 0 AS "desiredVersion"
  FROM "RolloutDeletion" d JOIN "Cluster" c ON c.id = d."clusterId"
  WHERE c."connectionState" = 'Connected'`,
};

/**
 * Ends a deleted rollout's runs still under way (its experiments' runs carry its id too), as its reconcile ends runs
 * it no longer wants: nothing measures for a rollout that is gone. The analysis sweep then ends their measurements in flight.
 */
export const END_ROLLOUT_RUNS: PreparedStatement = {
  name: 'end-rollout-runs',
  text: `UPDATE "AnalysisRun" SET phase = 'Successful', message = $3::text, "finishedAt" = $4::timestamp, "nextMeasurementAt" = NULL
  WHERE "rolloutId" = $1::uuid AND "organizationId" = $2::uuid AND "finishedAt" IS NULL`,
};

/**
 * Keeps a deleted rollout's analysis runs and experiments as history under names of their own (`<name>~<suffix>`),
 * so that a rollout applied again under the same name starts runs and experiments of the same deterministic names
 * afresh. The agent removes what it ran for the rollout, so its experiments are released.
 */
export const RETIRE_ROLLOUT_RUNS: PreparedStatement = {
  name: 'retire-rollout-runs',
  text: `UPDATE "AnalysisRun" SET name = name || $3::text WHERE "rolloutId" = $1::uuid AND "organizationId" = $2::uuid`,
};

export const RETIRE_ROLLOUT_EXPERIMENTS: PreparedStatement = {
  name: 'retire-rollout-experiments',
  text: `UPDATE "Experiment" SET name = name || $3::text, "releasedAt" = COALESCE("releasedAt", now())
  WHERE "rolloutId" = $1::uuid AND "organizationId" = $2::uuid`,
};

/** A rollout's spec, locked until the transaction ends, so that a template change keeps every other field as it is. */
export const LOCK_ROLLOUT_SPEC: PreparedStatement = {
  name: 'lock-rollout-spec',
  text: `SELECT spec FROM "Rollout" WHERE id = $1::uuid FOR UPDATE`,
};

/**
 * Rollouts with their revisions and operations. Every write of a rollout goes through here: manifests applied,
 * operations asked, observations and applied versions reported by agents, and the reconciler's batched writes.
 */
export class RolloutStore {
  private readonly reconciles: ReconcileBatches | undefined;
  private readonly sql: SqlPool | undefined;

  /**
   * `sqlPaths` is what the hand-written paths need: the SQL pool for the agent gateway's reports, and the audit store
   * besides for the worker's reconciles. A store made without it serves everything else.
   */
  constructor(
    private readonly database: DatabaseClient,
    sqlPaths?: { sql: SqlPool; audit?: AuditStore },
  ) {
    this.sql = sqlPaths?.sql;
    this.reconciles = sqlPaths?.audit && new ReconcileBatches(sqlPaths.sql, sqlPaths.audit);
  }

  /** Rollouts in the order of their cluster, namespace and name, one more than a page asks for when there are more. */
  async list(scope: OrganizationScope, filter: RolloutListFilter, page: RolloutListPage): Promise<RolloutWithCluster[]> {
    // No rollout has an id that is no UUID, so none comes after one.
    if (page.afterId !== undefined && !isRecordId(page.afterId)) return [];
    const rows = await this.sqlPath().query<RolloutWithClusterRow>(ROLLOUT_PAGE, [
      scope.organizationId,
      filter.cluster || null,
      filter.namespace || null,
      filter.phase || null,
      JSON.stringify(filter.labels),
      page.afterId ?? null,
      page.take + 1,
    ]);
    return rows.map(withClusterNameColumn);
  }

  async find(scope: OrganizationScope, name: RolloutName): Promise<RolloutWithCluster | null> {
    const [row] = await this.sqlPath().query<RolloutWithClusterRow>(ROLLOUT_BY_NAME, [
      scope.organizationId,
      name.cluster,
      name.namespace,
      name.name,
    ]);
    return row ? withClusterNameColumn(row) : null;
  }

  /** A rollout of the organization by id with its cluster's name, as it is now; null when it has none such (deleted, or never). */
  async findWithCluster(scope: OrganizationScope, id: string): Promise<RolloutWithCluster | null> {
    if (!isRecordId(id)) return null;
    const [row] = await this.sqlPath().query<RolloutWithClusterRow>(ROLLOUT_WITH_CLUSTER_BY_ID, [scope.organizationId, id]);
    return row ? withClusterNameColumn(row) : null;
  }

  /** The release history, newest first; only the revisions numbered in `only` when it is given. */
  async revisions(scope: OrganizationScope, rolloutId: string, only?: readonly number[]): Promise<RolloutRevisionRecord[]> {
    const rows = await this.database.rolloutRevision.findMany({
      where: { ...organizationFilter(scope), rolloutId, ...(only === undefined ? {} : { revision: { in: [...only] } }) },
      orderBy: { revision: 'desc' },
    });
    return rows.map(revisionRecordOf);
  }

  async hasRevision(scope: OrganizationScope, rolloutId: string, revision: number): Promise<boolean> {
    return (await this.database.rolloutRevision.count({ where: { ...organizationFilter(scope), rolloutId, revision } })) > 0;
  }

  /** The latest `limit` operations, newest first. */
  async operations(scope: OrganizationScope, rolloutId: string, limit: number): Promise<RolloutOperationRecord[]> {
    const rows = await this.database.rolloutOperation.findMany({
      where: { ...organizationFilter(scope), rolloutId },
      orderBy: { requestedAt: 'desc' },
      take: limit,
    });
    return rows.map(operationRecordOf);
  }

  /** Records an operation for the engine to carry out, and answers the rollout's version it moved on to. */
  async requestOperation(
    scope: OrganizationScope,
    session: SqlSession,
    rolloutId: string,
    { type, ...parameters }: RolloutOperation,
    requestedBy: string,
  ): Promise<{ operation: RolloutOperationRecord; version: number }> {
    const [row] = await session.query<RolloutOperationRow & { rolloutVersion: number }>(REQUEST_OPERATION, [
      uuidV7(),
      scope.organizationId,
      rolloutId,
      type,
      JSON.stringify(operationParametersColumn.encode(parameters)),
      requestedBy,
      new Date(),
    ]);
    if (!row) throw new FlotillaError(ErrorCode.RolloutNotFound, `rollout ${rolloutId} not found`);
    return { operation: operationRecordOf(row), version: row.rolloutVersion };
  }

  /** Deletes a rollout, its revisions and operations; its analysis runs, ended, and its experiments stay as history. */
  async delete(scope: OrganizationScope, transaction: Transaction, rolloutId: string): Promise<void> {
    const session = prismaSession(transaction);
    const deletedAt = new Date();
    await session.query(END_ROLLOUT_RUNS, [rolloutId, scope.organizationId, DELETED_ROLLOUT_RUN_MESSAGE, deletedAt]);
    const retirement = [rolloutId, scope.organizationId, `~${rolloutId.slice(0, 8)}`];
    await session.query(RETIRE_ROLLOUT_RUNS, retirement);
    await session.query(RETIRE_ROLLOUT_EXPERIMENTS, retirement);
    const { clusterId, namespace, name } = await transaction.rollout.delete({
      where: { id: rolloutId, ...organizationFilter(scope) },
      select: { clusterId: true, namespace: true, name: true },
    });
    const deletion = { rolloutId, organizationId: scope.organizationId, deletedAt };
    await transaction.rolloutDeletion.upsert({
      where: { clusterId_namespace_name: { clusterId, namespace, name } },
      create: { ...deletion, clusterId, namespace, name },
      update: deletion,
    });
  }

  /** The agent removed what it held of a deleted rollout: its deletion need not be sent again. */
  async recordRemoved(_scope: SystemScope, key: RolloutKey): Promise<void> {
    await this.database.rolloutDeletion.deleteMany({ where: key });
  }

  /** Deletions of the cluster recorded before `sentAt`, when a snapshot sent then (which lists none of them) replaced them. */
  async forgetDeletionsBefore(_scope: SystemScope, clusterId: string, sentAt: Date): Promise<void> {
    await this.database.rolloutDeletion.deleteMany({ where: { clusterId, deletedAt: { lt: sentAt } } });
  }

  /** See `LAGGING_DELETIONS`; in the sweep's transaction. */
  laggingDeletions(_scope: SystemScope, transaction: Transaction): Promise<LaggingDesiredState[]> {
    return prismaSession(transaction).query(LAGGING_DELETIONS, []);
  }

  /** Creates or updates the rollout of a manifest; its generation grows only when its spec really changed. */
  async apply(scope: OrganizationScope, transaction: Transaction, manifest: RolloutManifest): Promise<RolloutApplied> {
    const { clusterId, namespace, name, labels, annotations, spec, appliedBy } = manifest;
    const columns = {
      labels: rolloutColumns.labels.encode(labels),
      annotations: rolloutColumns.annotations.encode(annotations),
      spec: rolloutColumns.spec.encode(spec),
    };
    const existingRow = await transaction.rollout.findUnique({
      where: { clusterId_namespace_name: { clusterId, namespace, name }, ...organizationFilter(scope) },
    });
    if (!existingRow) {
      // A deletion of an earlier rollout of this name must not be sent again now that the name is taken anew.
      await transaction.rolloutDeletion.deleteMany({ where: { clusterId, namespace, name } });
      const created = await transaction.rollout.create({
        data: { organizationId: scope.organizationId, clusterId, namespace, name, ...columns, specChangedBy: appliedBy },
      });
      return { action: 'Created', rollout: rolloutRecordOf(created) };
    }
    const existing = rolloutRecordOf(existingRow);
    const specChanged = !jsonEqual(existing.spec, spec);
    if (!specChanged && jsonEqual(existing.labels, labels) && jsonEqual(existing.annotations, annotations)) {
      return { action: 'Unchanged', rollout: existing };
    }
    const updated = await transaction.rollout.update({
      where: { id: existing.id },
      data: { ...columns, ...NEXT_VERSION, ...(specChanged ? { generation: { increment: 1 }, specChangedBy: appliedBy } : {}) },
    });
    return { action: 'Updated', rollout: rolloutRecordOf(updated), previousSpec: existing.spec };
  }

  /**
   * Sets the rollout's pod template for `changedBy` (a fleet release), keeping the rest of its spec: a new generation
   * and version, as an applied manifest would give it. Answers the template it replaced and the version it moved on
   * to, or null when the rollout is gone.
   */
  async changeTemplate(
    scope: Scope,
    transaction: Transaction,
    rolloutId: string,
    template: PodTemplateSpec,
    changedBy: string,
  ): Promise<{ before: PodTemplateSpec; version: number } | null> {
    const [locked] = await prismaSession(transaction).query<{ spec: Prisma.JsonValue }>(LOCK_ROLLOUT_SPEC, [rolloutId]);
    if (!locked) return null;
    const spec = rolloutColumns.spec.decode(locked.spec);
    const { version } = await transaction.rollout.update({
      where: { id: rolloutId, ...organizationFilter(scope) },
      data: {
        spec: rolloutColumns.spec.encode({ ...spec, template }),
        generation: { increment: 1 },
        specChangedBy: changedBy,
        ...NEXT_VERSION,
      },
      select: { version: true },
    });
    return { before: spec.template, version };
  }

  /** Makes the rollouts members of the fleet release, which owns their templates from now on. */
  async joinFleetRelease(scope: Scope, transaction: Transaction, releaseId: string, rolloutIds: readonly string[]): Promise<void> {
    if (rolloutIds.length === 0) return;
    await transaction.rollout.updateMany({
      where: { id: { in: [...rolloutIds] }, ...organizationFilter(scope) },
      data: { fleetReleaseId: releaseId },
    });
  }

  /** Frees the members of a fleet release that ended. */
  async leaveFleetRelease(scope: Scope, transaction: Transaction, releaseId: string): Promise<void> {
    await transaction.rollout.updateMany({
      where: { fleetReleaseId: releaseId, ...organizationFilter(scope) },
      data: { fleetReleaseId: null },
    });
  }

  /** The rollouts of a cluster, for its agent's snapshot. */
  async ofCluster(_scope: SystemScope, clusterId: string): Promise<RolloutRecord[]> {
    return (await this.database.rollout.findMany({ where: { clusterId } })).map(rolloutRecordOf);
  }

  async findById(_scope: SystemScope, id: string): Promise<RolloutRecord | null> {
    const row = await this.database.rollout.findUnique({ where: { id } });
    return row && rolloutRecordOf(row);
  }

  /**
   * A rollout with its cluster's name and its analysis runs, newest first: what the notifications of a run's phase
   * change are decided on. Read through Prisma, so that a caller holding a connection of the SQL pool never waits for another.
   */
  async withAnalysisRuns(_scope: SystemScope, id: string): Promise<RolloutWithAnalysisRuns | null> {
    const row = await this.database.rollout.findUnique({
      where: { id },
      include: { ...WITH_CLUSTER_NAME, analysisRuns: { select: { name: true, phase: true, message: true }, orderBy: { id: 'desc' } } },
    });
    if (!row) return null;
    const { analysisRuns, cluster, ...rollout } = row;
    return { ...rolloutRecordOf(rollout), cluster, analysisRuns };
  }

  /** A rollout by id through the hand-written path, for the agent gateway to send its desired state. */
  async findForAgent(_scope: SystemScope, id: string): Promise<RolloutRecord | null> {
    const [row] = await this.sqlPath().query<Rollout>(ROLLOUT_BY_ID, [id]);
    return row ? rolloutRecordOf(row) : null;
  }

  /** Records the desired version an agent applied, unless it already reported a later one. */
  async recordApplied(_scope: SystemScope, key: RolloutKey, desiredVersion: number, at: Date): Promise<void> {
    await this.sqlPath().query(RECORD_APPLIED_VERSION, [key.clusterId, key.namespace, key.name, desiredVersion, at]);
  }

  /**
   * Records an agent's report of a rollout in one statement (see `RECORD_AGENT_REPORT`): the desired version it
   * applied, and its observation with its digest when that changed anything but its time. Answers null when nothing
   * changed (or the cluster has no such rollout), which is what most reports are: older agents report every rollout
   * periodically in full.
   */
  async recordAgentReport(_scope: SystemScope, key: RolloutKey, report: AgentReport, at: Date): Promise<AgentReportRecorded | null> {
    const [row] = await this.sqlPath().query<AgentReportRecorded>(RECORD_AGENT_REPORT, [
      key.clusterId,
      key.namespace,
      key.name,
      JSON.stringify(rolloutColumns.observed.encode(report.observed)),
      report.appliedDesiredVersion,
      at,
      report.digest,
    ]);
    return row ?? null;
  }

  /** See `ROLLOUTS_TO_OBSERVE_AGAIN`: which of the digests an agent listed for its cluster do not match what is stored. */
  async toObserveAgain(
    _scope: SystemScope,
    clusterId: string,
    listed: readonly ListedObservation[],
  ): Promise<{ namespace: string; name: string }[]> {
    if (listed.length === 0) return [];
    return this.sqlPath().query<{ namespace: string; name: string }>(ROLLOUTS_TO_OBSERVE_AGAIN, [
      clusterId,
      listed.map((entry) => entry.namespace),
      listed.map((entry) => entry.name),
      listed.map((entry) => entry.digest),
      listed.map((entry) => entry.appliedDesiredVersion),
    ]);
  }

  /** See `UNSETTLED_ROLLOUTS`; in the sweep's transaction. */
  unsettled(_scope: SystemScope, transaction: Transaction, now: Date): Promise<{ id: string; version: number }[]> {
    return prismaSession(transaction).query(UNSETTLED_ROLLOUTS, [now]);
  }

  /** See `LAGGING_DESIRED_STATES`; in the sweep's transaction. */
  laggingDesiredStates(_scope: SystemScope, transaction: Transaction): Promise<LaggingDesiredState[]> {
    return prismaSession(transaction).query(LAGGING_DESIRED_STATES, []);
  }

  /** Rollouts of connected clusters to wake after `after` and by `until`; in the sweep's transaction. */
  wakeUps(_scope: SystemScope, transaction: Transaction, after: Date, until: Date): Promise<{ id: string; at: Date }[]> {
    return prismaSession(transaction).query(ROLLOUT_WAKE_UPS, [after, until]);
  }

  /** The pod template each revision of a rollout was applied with, by pod template hash (for `undo`). */
  async appliedTemplates(_scope: SystemScope, rolloutId: string): Promise<Map<string, PodTemplateSpec>> {
    const rows = await this.database.rolloutRevision.findMany({
      where: { rolloutId },
      select: { podTemplateHash: true, specSnapshot: true },
      orderBy: { revision: 'asc' },
    });
    return new Map(rows.map((row) => [row.podTemplateHash, rolloutColumns.specSnapshot.decode(row.specSnapshot).template]));
  }

  /** A rollout with everything its reconcile reads; the loads of one moment share one query. */
  loadForReconcile(_scope: SystemScope, rolloutId: string): Promise<LoadedRollout | null> {
    return this.reconcilePath().load(rolloutId);
  }

  /** Writes what a reconcile decided if the rollout is still at the version it read; resolves once committed. */
  writeReconcile(_scope: SystemScope, plan: ReconcileWritePlan): Promise<RolloutWriteResult> {
    return this.reconcilePath().write(plan);
  }

  /** Records that a reconcile that wrote nothing read the rollout's observation as of `version`. */
  observationReconciled(_scope: SystemScope, rolloutId: string, version: number): Promise<void> {
    return this.reconcilePath().observationReconciled(rolloutId, version);
  }

  private sqlPath(): SqlPool {
    if (!this.sql) throw new Error('this rollout store was made without the SQL pool agent reports are recorded with');
    return this.sql;
  }

  private reconcilePath(): ReconcileBatches {
    if (!this.reconciles) throw new Error('this rollout store was made without the SQL pool and audit store reconciles write with');
    return this.reconciles;
  }
}

/** A row of the hand-written statements that join the cluster's name. */
type RolloutWithClusterRow = Rollout & { clusterName: string };

function withClusterNameColumn(row: RolloutWithClusterRow): RolloutWithCluster {
  return { ...rolloutRecordOf(row), cluster: { name: row.clusterName } };
}

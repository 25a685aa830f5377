import type { ExperimentSpec } from '@flotilla/argo-spec';
import type { ExperimentOperationResult, ExperimentStatus } from '@flotilla/rollout-engine';
import type { DesiredRolloutState, ObservedRolloutState } from '@flotilla/protocol';
import { Prisma } from '../generated/prisma/client.js';
import { inTransaction, type DatabaseClient, type Transaction } from '../database/database.js';
import { prismaSession } from '../database/sql.js';
import type { AuditEntry, AuditStore } from '../audit/audit-store.js';
import { runSpecColumn, type RunSpecDocument } from '../analysis-runs/analysis-run-columns.js';
import type { StoredRunState } from '../rollouts/analysis-run-state.js';
import type { LaggingDesiredState, RolloutKey } from '../rollouts/rollout-store.js';
import type { WriteResult } from '../rollouts/reconcile-batches.js';
import { JsonColumnError } from '../scope/json-column.js';
import { organizationFilter, organizationScope, type OrganizationScope, type SystemScope } from '../scope/scope.js';
import { experimentColumns, experimentRecordOf } from './experiment-columns.js';
import type { ExperimentRecord } from './experiment-record.js';
import { LAGGING_EXPERIMENT_DESIRED_STATES, STANDALONE_LIVE_EXPERIMENT } from './standalone-experiments.js';

/** An Experiment document as applied to a cluster's namespace. */
export interface ExperimentManifest extends RolloutKey {
  spec: ExperimentSpec;
}

/** A standalone experiment with everything its reconcile reads. */
export type LoadedExperiment = ExperimentRecord & {
  cluster: { name: string; connectionState: string };
  analysisRuns: StoredRunState[];
};

/** Everything one reconcile of a standalone experiment writes, applied only if it is still at `expectedVersion`. */
export interface ExperimentWritePlan {
  experiment: Pick<ExperimentRecord, 'id' | 'organizationId' | 'clusterId' | 'namespace'>;
  expectedVersion: number;
  status: ExperimentStatus;
  released: boolean;
  desiredState: DesiredRolloutState;
  desiredVersion: number;
  nextReconcileAt: Date | null;
  /** Runs to create; a name already taken is left as it is. */
  analysisRunStarts: { name: string; kind: string; spec: RunSpecDocument }[];
  analysisRunsToEnd: string[];
  audit: AuditEntry[];
  now: Date;
}

/** An experiment of an organization by cluster name, namespace and name. */
export interface NamedExperimentKey {
  cluster: string;
  namespace: string;
  name: string;
}

/** What reconciles an experiment after a change: itself when standalone, else its rollout; each at its version now. */
export type ExperimentReconcileRequest =
  { kind: 'experiment'; id: string; version: number } | { kind: 'rollout'; id: string; version: number };

export type ExperimentSpecChange =
  | { kind: 'not_found' }
  | { kind: 'refused'; refusal: string }
  | { kind: 'changed'; experiment: ExperimentRecord; reconcile: ExperimentReconcileRequest };

const LOADED_WITH = {
  cluster: { select: { name: true, connectionState: true } },
  analysisRuns: { select: { name: true, kind: true, podTemplateHash: true, stepIndex: true, phase: true, message: true } },
} as const;

/**
 * Experiments: those applied on their own, which this store reads and writes whole, and those of rollout steps,
 * which the rollout store writes with their rollout.
 */
export class ExperimentStore {
  constructor(
    private readonly database: DatabaseClient,
    private readonly audit: AuditStore,
  ) {}

  async find(scope: OrganizationScope, transaction: Transaction, key: RolloutKey): Promise<ExperimentRecord | null> {
    const row = await transaction.experiment.findUnique({ where: { clusterId_namespace_name: key, ...organizationFilter(scope) } });
    return row && experimentRecordOf(row);
  }

  async create(scope: OrganizationScope, transaction: Transaction, manifest: ExperimentManifest): Promise<ExperimentRecord> {
    const { spec, ...key } = manifest;
    const row = await transaction.experiment.create({
      data: { organizationId: scope.organizationId, ...key, spec: experimentColumns.spec.encode(spec) },
    });
    return experimentRecordOf(row);
  }

  /** A new spec: a new generation, and a version a reconcile that read the old one cannot write over. */
  async updateSpec(scope: OrganizationScope, transaction: Transaction, id: string, spec: ExperimentSpec): Promise<ExperimentRecord> {
    const row = await transaction.experiment.update({
      where: { id, ...organizationFilter(scope) },
      data: { spec: experimentColumns.spec.encode(spec), generation: { increment: 1 }, version: { increment: 1 } },
    });
    return experimentRecordOf(row);
  }

  /**
   * Changes an experiment's spec as `decide` (a pure operation such as `terminateExperiment`) answers, clearing its
   * status too when it starts over (`retryExperiment`), in one
   * transaction with the audit entry `auditOf` makes, at the version it read (a reconcile that read the old spec
   * cannot write over it; a change crossing another is refused, to be tried again).
   */
  changeSpec(
    scope: OrganizationScope,
    key: NamedExperimentKey,
    decide: (experiment: ExperimentRecord) => ExperimentOperationResult,
    auditOf: (before: ExperimentRecord, spec: ExperimentSpec) => AuditEntry,
  ): Promise<ExperimentSpecChange> {
    return inTransaction(this.database, async (transaction, afterCommit): Promise<ExperimentSpecChange> => {
      const row = await transaction.experiment.findFirst({
        where: { ...organizationFilter(scope), cluster: { name: key.cluster }, namespace: key.namespace, name: key.name },
      });
      if (!row) return { kind: 'not_found' };
      const before = experimentRecordOf(row);
      const decision = decide(before);
      if (!decision.ok) return { kind: 'refused', refusal: decision.refusal };
      const { count } = await transaction.experiment.updateMany({
        where: { id: before.id, version: before.version },
        data: {
          spec: experimentColumns.spec.encode(decision.spec),
          generation: { increment: 1 },
          version: { increment: 1 },
          ...(decision.startOver ? { phase: 'Pending', message: '', status: Prisma.DbNull, releasedAt: null, nextReconcileAt: null } : {}),
        },
      });
      if (count === 0) return { kind: 'refused', refusal: 'the experiment changed meanwhile; try again' };
      await this.audit.append(scope, prismaSession(transaction), afterCommit, [auditOf(before, decision.spec)]);
      const experiment = { ...before, spec: decision.spec, generation: before.generation + 1, version: before.version + 1 };
      if (before.rolloutId === null)
        return { kind: 'changed', experiment, reconcile: { kind: 'experiment', id: before.id, version: experiment.version } };
      // A rollout's experiment is part of it: a reconcile that read the experiment before must not write what it decided.
      const rollout = await transaction.rollout.update({
        where: { id: before.rolloutId },
        data: { version: { increment: 1 } },
        select: { version: true },
      });
      return { kind: 'changed', experiment, reconcile: { kind: 'rollout', id: before.rolloutId, version: rollout.version } };
    });
  }

  /** The standalone experiments of a cluster that still have something in it, for its agent's snapshot. */
  async liveStandaloneOfCluster(_scope: SystemScope, clusterId: string): Promise<ExperimentRecord[]> {
    return (await this.database.experiment.findMany({ where: { clusterId, ...STANDALONE_LIVE_EXPERIMENT } })).map(experimentRecordOf);
  }

  async findById(_scope: SystemScope, id: string): Promise<ExperimentRecord | null> {
    const row = await this.database.experiment.findUnique({ where: { id } });
    return row && experimentRecordOf(row);
  }

  /**
   * What the agent last observed of an experiment and the desired version it last reported applied, with its id;
   * null when the cluster has no such experiment. A stored observation that cannot be read (one an earlier release
   * let through) is answered as none, so that the agent's next report replaces it.
   */
  async observedOf(
    _scope: SystemScope,
    key: RolloutKey,
  ): Promise<{ id: string; observed: ObservedRolloutState | null; appliedDesiredVersion: number } | null> {
    const row = await this.database.experiment.findUnique({
      where: { clusterId_namespace_name: key },
      select: { id: true, observed: true, appliedDesiredVersion: true },
    });
    return (
      row && {
        id: row.id,
        observed: row.observed === null ? null : readableObservation(row.observed),
        appliedDesiredVersion: row.appliedDesiredVersion,
      }
    );
  }

  /** Records the desired version an agent applied to a standalone experiment, unless it already reported a later one. */
  async recordApplied(_scope: SystemScope, key: RolloutKey, desiredVersion: number): Promise<void> {
    await this.database.experiment.updateMany({
      where: { ...key, stepIndex: null, appliedDesiredVersion: { lt: desiredVersion } },
      data: { appliedDesiredVersion: desiredVersion },
    });
  }

  /** See `LAGGING_EXPERIMENT_DESIRED_STATES`; in the sweep's transaction. */
  laggingDesiredStates(_scope: SystemScope, transaction: Transaction): Promise<LaggingDesiredState[]> {
    return prismaSession(transaction).query(LAGGING_EXPERIMENT_DESIRED_STATES, []);
  }

  /** Stores a new observation, and answers the version it moved the experiment on to. */
  async recordObserved(_scope: SystemScope, id: string, observed: ObservedRolloutState): Promise<number> {
    const { version } = await this.database.experiment.update({
      where: { id },
      data: { observed: experimentColumns.observed.encode(observed), version: { increment: 1 } },
      select: { version: true },
    });
    return version;
  }

  /** A standalone experiment still in its cluster, with its cluster's connection and its runs; null otherwise. */
  async loadForReconcile(_scope: SystemScope, id: string): Promise<LoadedExperiment | null> {
    const row = await this.database.experiment.findFirst({ where: { id, ...STANDALONE_LIVE_EXPERIMENT }, include: LOADED_WITH });
    if (!row) return null;
    const { cluster, analysisRuns, ...experiment } = row;
    return { ...experimentRecordOf(experiment), cluster, analysisRuns };
  }

  /**
   * Writes a standalone experiment's reconcile in one transaction, if it is still at the version the reconcile read:
   * its row, the runs it starts and ends, its audit events. Resolves once committed.
   */
  writeReconcile(_scope: SystemScope, plan: ExperimentWritePlan): Promise<WriteResult> {
    const { experiment, now } = plan;
    return inTransaction(this.database, async (transaction, afterCommit): Promise<WriteResult> => {
      const { count } = await transaction.experiment.updateMany({
        where: { id: experiment.id, version: plan.expectedVersion },
        data: {
          phase: plan.status.phase,
          message: plan.status.message,
          status: experimentColumns.status.encode(plan.status),
          releasedAt: plan.released ? now : null,
          desiredState: experimentColumns.desiredState.encode(plan.desiredState),
          desiredVersion: plan.desiredVersion,
          nextReconcileAt: plan.nextReconcileAt,
          version: plan.expectedVersion + 1,
        },
      });
      if (count === 0) return { written: false };
      const startedRunIds = await this.startRuns(transaction, plan);
      if (plan.analysisRunsToEnd.length > 0) {
        await transaction.analysisRun.updateMany({
          where: { experimentId: experiment.id, name: { in: plan.analysisRunsToEnd }, finishedAt: null },
          data: { phase: 'Successful', message: 'terminated by the experiment', finishedAt: now },
        });
      }
      await this.audit.append(organizationScope(experiment.organizationId), prismaSession(transaction), afterCommit, plan.audit);
      return { written: true, startedRunIds };
    });
  }

  /** Standalone experiments of connected clusters that run, or wait for a time that has come or for their release. */
  unsettled(_scope: SystemScope, transaction: Transaction, now: Date): Promise<{ id: string; version: number }[]> {
    return transaction.experiment.findMany({
      where: {
        ...STANDALONE_LIVE_EXPERIMENT,
        cluster: { connectionState: 'Connected' },
        OR: [{ phase: { in: ['Pending', 'Running'] } }, { nextReconcileAt: null }, { nextReconcileAt: { lte: now } }],
      },
      select: { id: true, version: true },
    });
  }

  /** Standalone experiments of connected clusters to wake after `after` and by `until`. */
  async wakeUps(_scope: SystemScope, transaction: Transaction, after: Date, until: Date): Promise<{ id: string; at: Date }[]> {
    const rows = await transaction.experiment.findMany({
      where: { ...STANDALONE_LIVE_EXPERIMENT, cluster: { connectionState: 'Connected' }, nextReconcileAt: { gt: after, lte: until } },
      select: { id: true, nextReconcileAt: true },
    });
    return rows.flatMap(({ id, nextReconcileAt }) => (nextReconcileAt ? [{ id, at: nextReconcileAt }] : []));
  }

  /** Creates the runs asked for (a name already taken is left as it is) and answers the ids of those created. */
  private async startRuns(transaction: Transaction, { experiment, analysisRunStarts, now }: ExperimentWritePlan): Promise<string[]> {
    if (analysisRunStarts.length === 0) return [];
    const created = await transaction.analysisRun.createManyAndReturn({
      data: analysisRunStarts.map((start) => ({
        organizationId: experiment.organizationId,
        clusterId: experiment.clusterId,
        experimentId: experiment.id,
        namespace: experiment.namespace,
        name: start.name,
        kind: start.kind,
        spec: runSpecColumn.encode(start.spec),
        startedAt: now,
      })),
      skipDuplicates: true,
      select: { id: true },
    });
    return created.map((run) => run.id);
  }
}

function readableObservation(json: Prisma.JsonValue): ObservedRolloutState | null {
  try {
    return experimentColumns.observed.decode(json);
  } catch (error) {
    if (error instanceof JsonColumnError) return null;
    throw error;
  }
}

import type { AnalysisPhase, RunTermination } from '@flotilla/analysis';
import type { AuditEntry, AuditStore } from '../audit/audit-store.js';
import { inTransaction, type DatabaseClient } from '../database/database.js';
import { prismaSession, type PreparedStatement } from '../database/sql.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { OrganizationScope } from '../scope/scope.js';
import { resolvedRunColumn } from './analysis-run-columns.js';
import type { ResolvedRun } from './run-resolution.js';
import { decodeRunState, runStateColumn, type RunState } from './run-state.js';

/** A run of an organization by cluster name, namespace and name. */
export interface NamedRunKey {
  cluster: string;
  namespace: string;
  name: string;
}

/** A run as its termination is decided: locked for the rest of the transaction. */
export interface LockedRun {
  id: string;
  phase: AnalysisPhase;
  state: RunState;
  /** Absent while the run has not started. */
  resolved: ResolvedRun | undefined;
}

/** What owns a run, to reconcile once it ended: its rollout, its standalone experiment or its fleet release, at its version. */
export type RunOwner =
  | { kind: 'rollout'; id: string; version: number }
  | { kind: 'experiment'; id: string; version: number }
  | { kind: 'fleetRelease'; id: string; version: number }
  | { kind: 'none' };

export type RunTerminationOutcome =
  | { kind: 'not_found' }
  | { kind: 'refused'; refusal: string }
  | { kind: 'terminated'; runId: string; phase: AnalysisPhase; message: string; owner: RunOwner };

const LOCK_NAMED_RUN: PreparedStatement = {
  name: 'analysis-lock-named-run',
  text: `SELECT r.id, r.phase, r."metricResults", r.spec -> 'resolved' AS resolved, r."rolloutId", r."experimentId", r."fleetReleaseId",
                ro.version AS "rolloutVersion", e.version AS "experimentVersion", e."rolloutId" IS NULL AS "experimentStandalone", f.version AS "fleetReleaseVersion"
           FROM "AnalysisRun" r JOIN "Cluster" c ON c.id = r."clusterId"
           LEFT JOIN "Rollout" ro ON ro.id = r."rolloutId" LEFT JOIN "Experiment" e ON e.id = r."experimentId" LEFT JOIN "FleetRelease" f ON f.id = r."fleetReleaseId"
          WHERE r."organizationId" = $1::uuid AND c.name = $2::text AND r.namespace = $3::text AND r.name = $4::text
            FOR UPDATE OF r`,
};

/** Ends the run only while it has not ended: the row lock and this guard keep a measurement's write from crossing it. */
const WRITE_TERMINATION: PreparedStatement = {
  name: 'analysis-write-termination',
  text: `UPDATE "AnalysisRun" SET phase = $3::text, message = $4::text, "metricResults" = $5::jsonb, "nextMeasurementAt" = NULL, "finishedAt" = $6::timestamp
          WHERE id = $1::uuid AND "organizationId" = $2::uuid AND "finishedAt" IS NULL RETURNING id`,
};

interface LockedRow {
  id: string;
  phase: AnalysisPhase;
  metricResults: Prisma.JsonValue | null;
  resolved: Prisma.JsonValue | null;
  rolloutId: string | null;
  experimentId: string | null;
  fleetReleaseId: string | null;
  rolloutVersion: number | null;
  experimentVersion: number | null;
  experimentStandalone: boolean | null;
  fleetReleaseVersion: number | null;
}

function ownerOf(row: LockedRow): RunOwner {
  if (row.fleetReleaseId !== null && row.fleetReleaseVersion !== null)
    return { kind: 'fleetRelease', id: row.fleetReleaseId, version: row.fleetReleaseVersion };
  if (row.rolloutId !== null && row.rolloutVersion !== null) return { kind: 'rollout', id: row.rolloutId, version: row.rolloutVersion };
  if (row.experimentId !== null && row.experimentVersion !== null && row.experimentStandalone === true)
    return { kind: 'experiment', id: row.experimentId, version: row.experimentVersion };
  return { kind: 'none' };
}

/** Terminates analysis runs on request (Argo's `spec.terminate`), for one organization. */
export class RunTerminationStore {
  constructor(
    private readonly database: DatabaseClient,
    private readonly audit: AuditStore,
  ) {}

  /**
   * In one transaction: locks the named run, asks `decide` what it becomes, and when it is terminated writes that
   * (only while the run has not ended) with the audit entry `auditOf` makes. The measurements still in flight are
   * left for the worker's sweep of stopped runs, which ends them and tells their agents.
   */
  terminate(
    scope: OrganizationScope,
    key: NamedRunKey,
    decide: (run: LockedRun) => RunTermination,
    auditOf: (run: LockedRun, termination: Extract<RunTermination, { ok: true }>) => AuditEntry,
    now: Date,
  ): Promise<RunTerminationOutcome> {
    return inTransaction(this.database, async (transaction, afterCommit): Promise<RunTerminationOutcome> => {
      const session = prismaSession(transaction);
      const [row] = await session.query<LockedRow>(LOCK_NAMED_RUN, [scope.organizationId, key.cluster, key.namespace, key.name]);
      if (!row) return { kind: 'not_found' };
      const locked: LockedRun = {
        id: row.id,
        phase: row.phase,
        state: decodeRunState(row.metricResults),
        resolved: row.resolved === null ? undefined : resolvedRunColumn.decode(row.resolved),
      };
      const decision = decide(locked);
      if (!decision.ok) return { kind: 'refused', refusal: decision.refusal };
      const state: RunState = {
        results: decision.metricResults,
        nextAt: Object.fromEntries(Object.keys(locked.state.nextAt).map((metricName) => [metricName, null])),
      };
      const written = await session.query(WRITE_TERMINATION, [
        row.id,
        scope.organizationId,
        decision.phase,
        decision.message,
        JSON.stringify(runStateColumn.encode(state)),
        now,
      ]);
      if (written.length === 0) return { kind: 'refused', refusal: 'the analysis run ended meanwhile' };
      await this.audit.append(scope, session, afterCommit, [auditOf(locked, decision)]);
      return { kind: 'terminated', runId: row.id, phase: decision.phase, message: decision.message, owner: ownerOf(row) };
    });
  }
}

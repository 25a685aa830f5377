import type { RolloutSpec } from '@flotilla/argo-spec';
import { ACTIVE_RELEASE_PHASES, type FleetChange, type ReleaseDecision, type ReleaseStatus } from '@flotilla/fleet-engine';
import type { RolloutStatus } from '@flotilla/rollout-engine';
import type { Prisma } from '../generated/prisma/client.js';
import type { ConnectionState } from '../generated/prisma/enums.js';
import type { AfterCommit, DatabaseClient, Transaction } from '../database/database.js';
import { prismaSession, type PreparedStatement } from '../database/sql.js';
import type { AuditEntry, AuditStore } from '../audit/audit-store.js';
import { clusterLabelsColumn } from '../clusters/cluster-store.js';
import { recordNotifications, type QueuedDelivery, type ReconcileNotifications } from '../notifications/notification-delivery-store.js';
import { rolloutColumns } from '../rollouts/rollout-columns.js';
import { rolloutTargetName } from '../rollouts/rollout-record.js';
import type { RolloutStore } from '../rollouts/rollout-store.js';
import { organizationFilter, organizationScope, type OrganizationScope, type Scope, type SystemScope } from '../scope/scope.js';
import { fleetChangeColumn, fleetRolloutSpecColumn, releaseStatusColumn } from './fleet-columns.js';
import { fleetReleaseTargetName, type FleetReleaseRecord, type FleetRolloutRecord } from './fleet-records.js';

/** A member cluster of a release, and its Rollout there, as a fleet decision reads them. */
export interface FleetMemberRow {
  cluster: {
    id: string;
    name: string;
    labels: Record<string, string>;
    connectionState: ConnectionState;
    lastHeartbeatAt: Date | null;
    registeredAt: Date;
  } | null;
  rollout: {
    id: string;
    version: number;
    generation: number;
    spec: RolloutSpec;
    status: RolloutStatus | null;
    fleetReleaseId: string | null;
    /** A `retry` operation of it waits for its reconcile to carry it out. */
    retryAsked: boolean;
  } | null;
}

export interface LoadedRelease {
  release: FleetReleaseRecord;
  /** By cluster name: every cluster the release's waves name. */
  members: Record<string, FleetMemberRow>;
}

/** A release to create: the fleet engine's first status of it. */
export interface NewRelease {
  fleetRollout: FleetRolloutRecord;
  change: FleetChange;
  reason: string | null;
  startedBy: string;
  status: ReleaseStatus;
}

/** A decision to write, for `actor`, if the release is still at the version it was read at. */
export interface ReleaseWrite {
  release: FleetReleaseRecord;
  members: Readonly<Record<string, FleetMemberRow>>;
  decision: ReleaseDecision;
  actor: string;
  /** Why, for the audit: a person's reason for an operation. */
  reason?: string | null;
  requestId?: string | null;
  /** Set when a newer release superseded this one. */
  supersededBy?: FleetReleaseRecord;
  /** Audit entries of the act that led to the decision (an operation asked by a person), before the decision's own. */
  audit?: readonly AuditEntry[];
  /** The notifications the decision causes, stored with it; absent when it causes none. */
  notifications?: ReconcileNotifications;
}

export interface ReleaseWritten {
  record: FleetReleaseRecord;
  /** Member rollouts whose template changed or that got an operation, at the version they moved on to. */
  changedRollouts: { id: string; version: number }[];
  /** The notification deliveries stored with the decision, to queue after the commit. */
  deliveries: QueuedDelivery[];
}

const WITH_FLEET_ROLLOUT = { fleetRollout: { select: { name: true } } } as const;
type ReleaseRow = Prisma.FleetReleaseGetPayload<{ include: typeof WITH_FLEET_ROLLOUT }>;

export const LOCK_FLEET_ROLLOUT: PreparedStatement = {
  name: 'lock-fleet-rollout',
  text: `SELECT id FROM "FleetRollout" WHERE id = $1::uuid FOR UPDATE`,
};

const columns = {
  spec: fleetRolloutSpecColumn('FleetRelease.spec'),
  change: fleetChangeColumn,
  status: releaseStatusColumn,
};

const isFinal = (status: ReleaseStatus): boolean => !ACTIVE_RELEASE_PHASES.includes(status.phase);

function recordOf(row: ReleaseRow, supersededByNumber: number | null): FleetReleaseRecord {
  const status = columns.status.decode(row.status);
  return {
    id: row.id,
    organizationId: row.organizationId,
    fleetRolloutId: row.fleetRolloutId,
    fleetRolloutName: row.fleetRollout.name,
    number: row.number,
    spec: columns.spec.decode(row.spec),
    change: columns.change.decode(row.change),
    reason: row.reason,
    startedBy: row.startedBy,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    phase: status.phase,
    status,
    supersededByNumber,
    nextReconcileAt: row.nextReconcileAt,
    version: row.version,
  };
}

/** The audit entries of a decision: one per event of the release, and one per member template it changes. */
function decisionAudit(write: ReleaseWrite): AuditEntry[] {
  const { release, decision, actor, reason = null, requestId = null } = write;
  const targetName = fleetReleaseTargetName(release.fleetRolloutName, release.number);
  const { namespace, name } = release.spec.rollout;
  const events: AuditEntry[] = decision.events.map((event) => ({
    actor,
    action: `fleet_release.${event.type}`,
    targetType: 'FleetRelease',
    targetName,
    targetId: release.id,
    after: { ...event, phase: decision.status.phase },
    reason,
    requestId,
  }));
  const changes: AuditEntry[] = decision.memberChanges.map((change) => ({
    actor,
    action: change.purpose === 'release' ? 'rollout.fleet_template_changed' : 'rollout.fleet_template_restored',
    targetType: 'Rollout',
    targetName: rolloutTargetName(change.cluster, namespace, name),
    targetId: write.members[change.cluster]?.rollout?.id ?? null,
    after: { fleetRelease: targetName, images: change.template.spec.containers.map((container) => container.image) },
    reason,
    requestId,
  }));
  return [...(write.audit ?? []), ...events, ...changes];
}

/**
 * Fleet releases: their status as the fleet engine decides it, and the member rollouts they change. A decision is
 * written whole in the caller's transaction — the release's status, its members' templates and operations, the
 * membership of their rollouts and the audit events — and only at the release's version it was read at.
 */
export class FleetReleaseStore {
  constructor(
    private readonly database: DatabaseClient,
    private readonly rollouts: RolloutStore,
    private readonly audit: AuditStore,
  ) {}

  /** Releases of a FleetRollout, newest first, one more than a page asks for when there are more. */
  async list(
    scope: OrganizationScope,
    fleetRolloutId: string,
    page: { take: number; afterId: string | undefined },
  ): Promise<FleetReleaseRecord[]> {
    const rows = await this.database.fleetRelease.findMany({
      where: { ...organizationFilter(scope), fleetRolloutId },
      include: WITH_FLEET_ROLLOUT,
      orderBy: { number: 'desc' },
      take: page.take + 1,
      ...(page.afterId ? { cursor: { id: page.afterId }, skip: 1 } : {}),
    });
    return this.records(rows);
  }

  /** The release of that number, or without one the FleetRollout's active release, else its newest. */
  async find(scope: OrganizationScope, fleetRolloutName: string, number?: number): Promise<FleetReleaseRecord | null> {
    const where = { ...organizationFilter(scope), fleetRollout: { name: fleetRolloutName } };
    const row =
      number !== undefined
        ? await this.database.fleetRelease.findFirst({ where: { ...where, number }, include: WITH_FLEET_ROLLOUT })
        : ((await this.database.fleetRelease.findFirst({
            where: { ...where, phase: { in: [...ACTIVE_RELEASE_PHASES] } },
            include: WITH_FLEET_ROLLOUT,
            orderBy: { number: 'desc' },
          })) ?? (await this.database.fleetRelease.findFirst({ where, include: WITH_FLEET_ROLLOUT, orderBy: { number: 'desc' } })));
    return row && (await this.records([row]))[0]!;
  }

  async findById(scope: Scope, id: string, transaction: Transaction = this.database): Promise<FleetReleaseRecord | null> {
    const row = await transaction.fleetRelease.findFirst({ where: { id, ...organizationFilter(scope) }, include: WITH_FLEET_ROLLOUT });
    return row && (await this.records([row], transaction))[0]!;
  }

  /**
   * Locks the FleetRollout until the transaction ends, so that releases of it start one at a time, and answers its
   * active release as it is now.
   */
  async lockForRelease(scope: OrganizationScope, transaction: Transaction, fleetRolloutId: string): Promise<FleetReleaseRecord | null> {
    await prismaSession(transaction).query(LOCK_FLEET_ROLLOUT, [fleetRolloutId]);
    const row = await transaction.fleetRelease.findFirst({
      where: { ...organizationFilter(scope), fleetRolloutId, phase: { in: [...ACTIVE_RELEASE_PHASES] } },
      include: WITH_FLEET_ROLLOUT,
      orderBy: { number: 'desc' },
    });
    return row && (await this.records([row], transaction))[0]!;
  }

  /**
   * Creates a release in the caller's transaction (after `lockForRelease`), numbered after the FleetRollout's
   * newest, and makes the member rollouts present now its members.
   */
  async create(scope: OrganizationScope, transaction: Transaction, release: NewRelease): Promise<FleetReleaseRecord> {
    const newest = await transaction.fleetRelease.findFirst({
      where: { fleetRolloutId: release.fleetRollout.id },
      orderBy: { number: 'desc' },
      select: { number: true },
    });
    const row = await transaction.fleetRelease.create({
      data: {
        organizationId: scope.organizationId,
        fleetRolloutId: release.fleetRollout.id,
        number: (newest?.number ?? 0) + 1,
        spec: columns.spec.encode(release.fleetRollout.spec),
        change: columns.change.encode(release.change),
        reason: release.reason,
        startedBy: release.startedBy,
        startedAt: new Date(release.status.startedAt),
        phase: release.status.phase,
        status: columns.status.encode(release.status),
      },
      include: WITH_FLEET_ROLLOUT,
    });
    const record = recordOf(row, null);
    const members = await this.members(scope, transaction, record);
    await this.rollouts.joinFleetRelease(scope, transaction, record.id, memberRolloutIds(members));
    return record;
  }

  /** A release with its member clusters and rollouts, for a decision; null when it is gone. */
  async load(scope: Scope, releaseId: string, transaction: Transaction = this.database): Promise<LoadedRelease | null> {
    const release = await this.findById(scope, releaseId, transaction);
    if (!release) return null;
    return { release, members: await this.members(scope, transaction, release) };
  }

  /**
   * Writes a decision if the release is still at the version it was read at: its status and next wake-up, its
   * members' template changes and operations, membership (a release that ended frees its members), its
   * notifications and audit events. Null when another write came first: decide again on what it wrote.
   */
  async write(scope: Scope, transaction: Transaction, afterCommit: AfterCommit, write: ReleaseWrite): Promise<ReleaseWritten | null> {
    const { release, decision } = write;
    const organization = organizationScope(release.organizationId);
    const final = isFinal(decision.status);
    const { count } = await transaction.fleetRelease.updateMany({
      where: { id: release.id, version: release.version, ...organizationFilter(scope) },
      data: {
        status: columns.status.encode(decision.status),
        phase: decision.status.phase,
        finishedAt: decision.status.finishedAt === null ? null : new Date(decision.status.finishedAt),
        nextReconcileAt: final ? null : decision.wakeAt,
        ...(write.supersededBy ? { supersededById: write.supersededBy.id } : {}),
        version: { increment: 1 },
      },
    });
    if (count === 0) return null;
    const changed = new Map<string, number>();
    // Operations first: a rollback aborts a member, then sets its template back (see `ReleaseDecision`).
    for (const { cluster, operation } of decision.memberOperations) {
      const rollout = write.members[cluster]?.rollout;
      if (!rollout) continue;
      const { version } = await this.rollouts.requestOperation(
        organization,
        prismaSession(transaction),
        rollout.id,
        operation,
        write.actor,
      );
      changed.set(rollout.id, version);
    }
    for (const change of decision.memberChanges) {
      const rollout = write.members[change.cluster]?.rollout;
      if (!rollout) continue;
      const result = await this.rollouts.changeTemplate(organization, transaction, rollout.id, change.template, write.actor);
      if (result) changed.set(rollout.id, result.version);
    }
    if (final) await this.rollouts.leaveFleetRelease(organization, transaction, release.id);
    else {
      const joining = Object.values(write.members).flatMap(({ rollout }) =>
        rollout && rollout.fleetReleaseId !== release.id ? [rollout.id] : [],
      );
      await this.rollouts.joinFleetRelease(organization, transaction, release.id, joining);
    }
    const deliveries = write.notifications ? await recordNotifications(prismaSession(transaction), write.notifications) : [];
    await this.audit.append(organization, prismaSession(transaction), afterCommit, decisionAudit(write));
    const record = await this.findById(scope, release.id, transaction);
    if (!record) throw new Error(`fleet release ${release.id} vanished inside its own write`);
    return { record, changedRollouts: [...changed].map(([id, version]) => ({ id, version })), deliveries };
  }

  /** Every active release, for the sweep to decide again: ids, versions and wake-ups. */
  async active(_scope: SystemScope): Promise<{ id: string; version: number; nextReconcileAt: Date | null }[]> {
    return this.database.fleetRelease.findMany({
      where: { phase: { in: [...ACTIVE_RELEASE_PHASES] } },
      select: { id: true, version: true, nextReconcileAt: true },
      orderBy: { id: 'asc' },
    });
  }

  private async members(scope: Scope, transaction: Transaction, release: FleetReleaseRecord): Promise<Record<string, FleetMemberRow>> {
    const names = release.status.waves.flatMap((wave) => wave.members.map((member) => member.cluster));
    const clusters = await transaction.cluster.findMany({
      where: { organizationId: release.organizationId, name: { in: names }, ...organizationFilter(scope) },
      select: { id: true, name: true, labels: true, connectionState: true, lastHeartbeatAt: true, createdAt: true },
    });
    const rollouts = await transaction.rollout.findMany({
      where: {
        organizationId: release.organizationId,
        clusterId: { in: clusters.map((cluster) => cluster.id) },
        namespace: release.spec.rollout.namespace,
        name: release.spec.rollout.name,
      },
      select: { id: true, clusterId: true, version: true, generation: true, spec: true, status: true, fleetReleaseId: true },
    });
    const retries = await transaction.rolloutOperation.findMany({
      where: { rolloutId: { in: rollouts.map((rollout) => rollout.id) }, type: 'retry', state: 'Pending' },
      select: { rolloutId: true },
    });
    const retryAsked = new Set(retries.map((retry) => retry.rolloutId));
    const members: Record<string, FleetMemberRow> = {};
    for (const name of names) {
      const found = clusters.find((candidate) => candidate.name === name);
      const cluster = found
        ? {
            id: found.id,
            name: found.name,
            labels: clusterLabelsColumn.decode(found.labels),
            connectionState: found.connectionState,
            lastHeartbeatAt: found.lastHeartbeatAt,
            registeredAt: found.createdAt,
          }
        : null;
      const row = cluster && rollouts.find((candidate) => candidate.clusterId === cluster.id);
      members[name] = {
        cluster,
        rollout: row
          ? {
              id: row.id,
              version: row.version,
              generation: row.generation,
              spec: rolloutColumns.spec.decode(row.spec),
              status: row.status === null ? null : rolloutColumns.status.decode(row.status),
              fleetReleaseId: row.fleetReleaseId,
              retryAsked: retryAsked.has(row.id),
            }
          : null,
      };
    }
    return members;
  }

  /** Records with the numbers of the releases that superseded them. */
  private async records(rows: readonly ReleaseRow[], transaction: Transaction = this.database): Promise<FleetReleaseRecord[]> {
    const successorIds = rows.flatMap((row) => (row.supersededById ? [row.supersededById] : []));
    const successors =
      successorIds.length === 0
        ? []
        : await transaction.fleetRelease.findMany({ where: { id: { in: successorIds } }, select: { id: true, number: true } });
    return rows.map((row) => recordOf(row, successors.find((successor) => successor.id === row.supersededById)?.number ?? null));
  }
}

const memberRolloutIds = (members: Record<string, FleetMemberRow>): string[] =>
  Object.values(members).flatMap(({ rollout }) => (rollout ? [rollout.id] : []));

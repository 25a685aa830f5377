import { Inject, Injectable } from '@nestjs/common';
import {
  ACTIVE_RELEASE_PHASES,
  applyReleaseOperation,
  decideRelease,
  planWaves,
  startRelease,
  supersedeRelease,
  type FleetChange,
  type MemberObservation,
  type ReleaseDecision,
  type ReleaseOperation,
  type ReleaseOperationRefusalCode,
  type ReleaseStatus,
} from '@flotilla/fleet-engine';
import type { EventBus } from '@flotilla/events';
import { engineFreeze } from '@flotilla/freeze-windows';
import type { FleetReconcileQueue, NotificationQueue, ReconcileQueue } from '@flotilla/queues';
import { ErrorCode, FlotillaError, type FieldProblem } from '@flotilla/service-runtime';
import {
  BreakGlassStore,
  ClusterStore,
  fleetReleaseChange,
  fleetReleaseTargetName,
  FleetReleaseStore,
  FleetRolloutStore,
  frozenMembers,
  inTransaction,
  memberObservations,
  NotificationDecider,
  organizationScope,
  type AfterCommit,
  type AuditEntry,
  type DatabaseClient,
  type FleetReleaseRecord,
  type FleetRolloutRecord,
  type LoadedRelease,
  type MemberFreezeFinder,
  type OrganizationScope,
  type ReconcileNotifications,
  type ReleaseWritten,
  type Transaction,
} from '@flotilla/stores';
import { actorOf, type Principal } from '../../common/auth/principal.js';
import { assertReason } from '../../common/reason.js';
import { DATABASE, EVENT_BUS, FLEET_RECONCILE_QUEUE, NOTIFICATION_QUEUE, RECONCILE_QUEUE } from '../../infrastructure/tokens.js';
import { FreezeGate } from '../freezes/freeze-gate.js';
import { assertChangeFitsMembers, releaseChangeOf, type ReleaseChangeArguments } from './fleet-release-change.js';

/** `releaseFleet`'s arguments. */
export interface ReleaseFleetRequest extends ReleaseChangeArguments {
  fleetRollout: string;
  reason: string | null;
}

/** An operation on a FleetRollout's active release, as a person asks it (approveWave's approver is the caller). */
export type FleetReleaseOperationRequest =
  Exclude<ReleaseOperation, { type: 'approveWave' }> | { type: 'approveWave'; wave: string | null };

/** Who asked, why, and under which request id: what the audit keeps of a person's act. */
interface Act {
  scope: OrganizationScope;
  actor: string;
  reason: string | null;
  requestId: string;
  /** The break-glass override the act proceeds under, past a freeze; kept in its audit entry. */
  breakGlassOverride?: string | null;
}

/** Writes that lost to another writer of the same release are decided again on what it wrote, this many times. */
const WRITE_ATTEMPTS = 5;

/** Another writer (the worker, another person) changed the release between our read and our write. */
class ReleaseVersionConflict extends Error {}

/** The argument an engine refusal is about, so that clients can show it beside that field. */
const REFUSAL_PATH: Partial<Record<ReleaseOperationRefusalCode, string>> = {
  'fleet/unknown_wave': 'wave',
  'fleet/unknown_member': 'cluster',
  'fleet/member_not_failed': 'cluster',
  'fleet/member_finished': 'cluster',
};

const isActive = (release: FleetReleaseRecord): boolean => ACTIVE_RELEASE_PHASES.includes(release.phase);

/**
 * The member clusters an operation moves on, refused while a freeze covers any of them: promoteWave promotes the
 * wave under way; approveWave passes it and lets the next one start. Other operations are never refused by a freeze.
 */
function frozenMembersOf(status: ReleaseStatus, operation: ReleaseOperation['type']): string[] | null {
  const waves =
    operation === 'promoteWave'
      ? status.waves.slice(status.currentWave, status.currentWave + 1)
      : operation === 'approveWave'
        ? status.waves.slice(status.currentWave, status.currentWave + 2)
        : null;
  return waves && waves.flatMap((wave) => wave.members.map((member) => member.cluster));
}

/** A decision with nothing of its own: what superseding a release writes. */
const decisionOf = (status: ReleaseDecision['status'], events: ReleaseDecision['events']): ReleaseDecision => ({
  status,
  memberChanges: [],
  memberOperations: [],
  analysisRunsToStart: [],
  events,
  wakeAt: null,
});

/**
 * Fleet releases as people start and steer them. Every act is decided by the fleet engine on the release as loaded
 * and written whole, with its audit entry and the notifications its events cause, at the release's version it was
 * read at; member rollouts changed are reconciled, subscribers told, notifications queued and the release decided
 * again by the worker only once the transaction has committed.
 */
@Injectable()
export class FleetReleasesService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseClient,
    private readonly fleetRollouts: FleetRolloutStore,
    private readonly releases: FleetReleaseStore,
    private readonly clusters: ClusterStore,
    @Inject(EVENT_BUS) private readonly eventBus: EventBus,
    @Inject(RECONCILE_QUEUE) private readonly reconcileQueue: ReconcileQueue,
    @Inject(FLEET_RECONCILE_QUEUE) private readonly fleetQueue: FleetReconcileQueue,
    private readonly freezes: FreezeGate,
    private readonly overrides: BreakGlassStore,
    private readonly notifications: NotificationDecider,
    @Inject(NOTIFICATION_QUEUE) private readonly notificationQueue: NotificationQueue,
  ) {}

  /**
   * Starts a release of the FleetRollout over the organization's clusters, superseding its active release, and
   * changes the first batch of the first wave at once.
   */
  async release(principal: Principal, request: ReleaseFleetRequest, requestId: string): Promise<FleetReleaseRecord> {
    const change = releaseChangeOf(request);
    assertReason(request.reason);
    const unchecked = this.actOf(principal, request.reason, requestId);
    const fleetRollout = await this.findFleetRollout(unchecked.scope, request.fleetRollout);
    const act = { ...unchecked, breakGlassOverride: await this.assertFleetOpen(unchecked.scope, fleetRollout) };
    return this.untilWritten(async () => {
      const clusters = await this.clusters.list(act.scope);
      return inTransaction(this.database, (transaction, afterCommit) =>
        this.startInTransaction(act, fleetRollout, change, clusters, transaction, afterCommit),
      );
    });
  }

  /** Carries out a person's operation on the FleetRollout's active release, or refuses it as the fleet engine does. */
  async operate(
    principal: Principal,
    fleetRolloutName: string,
    request: FleetReleaseOperationRequest,
    reason: string | null,
    requestId: string,
  ): Promise<FleetReleaseRecord> {
    assertReason(reason);
    const act = this.actOf(principal, reason, requestId);
    const operation: ReleaseOperation = request.type === 'approveWave' ? { ...request, by: act.actor, reason } : request;
    return this.untilWritten(async () => {
      const now = new Date();
      const active = await this.releases.find(act.scope, fleetRolloutName);
      if (!active || !isActive(active)) {
        if (!active && !(await this.fleetRollouts.find(act.scope, fleetRolloutName))) throw fleetRolloutNotFound(fleetRolloutName);
        throw new FlotillaError(ErrorCode.FleetReleaseNotFound, `${fleetRolloutName} has no active release`, [
          { path: 'fleetRollout', message: 'has no active release' },
        ]);
      }
      const loaded = await this.releases.load(act.scope, active.id);
      if (!loaded) throw new ReleaseVersionConflict();
      const { release } = loaded;
      const movedOn = frozenMembersOf(release.status, operation.type);
      const breakGlassOverride =
        movedOn === null
          ? null
          : await this.freezes.assertOpen(
              act.scope,
              () => this.freezes.clusterTargets(act.scope, movedOn, release.spec.rollout.namespace),
              [release.id],
              now,
            );
      const observed = await this.observeMembers(act.scope, loaded, now);
      const result = applyReleaseOperation(
        { spec: release.spec, change: release.change, status: release.status, members: observed, now },
        operation,
      );
      if (!result.ok) throw operationRefused(result.refusal.code, result.refusal.message);
      const fleetRollout = await this.fleetRollouts.find(act.scope, fleetRolloutName);
      const notifications = fleetRollout ? await this.decideNotifications(fleetRollout, release, result.decision, now) : {};
      const { type, ...parameters } = operation;
      const audit = this.auditOf({ ...act, breakGlassOverride }, release, `fleet_release.${type}`, { operation: type, ...parameters });
      return inTransaction(this.database, async (transaction, afterCommit) => {
        const written = await this.releases.write(act.scope, transaction, afterCommit, {
          ...loaded,
          decision: result.decision,
          ...act,
          audit: [audit],
          ...notifications,
        });
        if (!written) throw new ReleaseVersionConflict();
        this.afterWrite(afterCommit, written);
        return written.record;
      });
    });
  }

  private async startInTransaction(
    act: Act,
    fleetRollout: FleetRolloutRecord,
    change: FleetChange,
    clusters: readonly { name: string; labels: Record<string, string> }[],
    transaction: Transaction,
    afterCommit: AfterCommit,
  ): Promise<FleetReleaseRecord> {
    const now = new Date();
    const active = await this.releases.lockForRelease(act.scope, transaction, fleetRollout.id);
    const started = startRelease({
      spec: fleetRollout.spec,
      clusters: clusters.map(({ name, labels }) => ({ name, labels })),
      ...(active ? { superseded: active.status } : {}),
      now,
    });
    const created = await this.releases.create(act.scope, transaction, {
      fleetRollout,
      change,
      reason: act.reason,
      startedBy: act.actor,
      status: started.status,
    });
    if (active) {
      const superseded = supersedeRelease(active.status, now);
      const decision = decisionOf(superseded.status, superseded.events);
      const written = await this.releases.write(act.scope, transaction, afterCommit, {
        release: active,
        members: {},
        decision,
        ...act,
        supersededBy: created,
        ...(await this.decideNotifications(fleetRollout, active, decision, now)),
      });
      if (!written) throw new ReleaseVersionConflict();
      this.afterWrite(afterCommit, written);
    }
    const loaded = await this.releases.load(act.scope, created.id, transaction);
    if (!loaded) throw new Error(`fleet release ${created.id} vanished inside the transaction that created it`);
    const { namespace, name } = fleetRollout.spec.rollout;
    assertChangeFitsMembers(change, loaded.members, `${namespace}/${name}`);
    const members = await this.observeMembers(act.scope, loaded, now);
    const first = decideRelease({ spec: created.spec, change, status: created.status, members, now });
    const decision = { ...first, events: [...started.events, ...first.events] };
    const startedEntry = this.auditOf(act, created, 'fleet_release.started', {
      change,
      number: created.number,
      supersedes: active?.number ?? null,
    });
    const written = await this.releases.write(act.scope, transaction, afterCommit, {
      ...loaded,
      decision,
      ...act,
      audit: [startedEntry],
      ...(await this.decideNotifications(fleetRollout, loaded.release, decision, now)),
    });
    if (!written) throw new ReleaseVersionConflict();
    this.afterWrite(afterCommit, written);
    return written.record;
  }

  /**
   * The notifications of a decision on the release, on its FleetRollout, decided as the worker's reconcile decides
   * them: identified by the release and the version the write makes, so that deciding the same change again stores
   * nothing twice. Read through the pool, not the transaction that will store them.
   */
  private async decideNotifications(
    fleetRollout: FleetRolloutRecord,
    release: FleetReleaseRecord,
    decision: ReleaseDecision,
    now: Date,
  ): Promise<{ notifications?: ReconcileNotifications }> {
    const notifications = await this.notifications.decide(
      fleetReleaseChange({ fleetRollout, release, status: decision.status, events: decision.events, version: release.version + 1, now }),
    );
    return notifications ? { notifications } : {};
  }

  /**
   * Member rollouts changed are reconciled, subscribers hear of the release, its notifications are queued (the sweep
   * sends any whose job is lost), and the worker decides on it again: at once (on one that ended, aborted or
   * superseded, by ending its waves' analysis runs), and at the wake-up the decision asked for, which the worker does
   * not queue again when its own decision asks for the same.
   */
  private afterWrite(afterCommit: AfterCommit, { record, changedRollouts, deliveries }: ReleaseWritten): void {
    for (const rollout of changedRollouts) afterCommit.add(() => this.reconcileQueue.request(rollout.id, rollout.version));
    for (const delivery of deliveries) afterCommit.add(() => this.notificationQueue.deliver(delivery.id, delivery.attempts));
    afterCommit.add(() => this.eventBus.publish('fleetReleaseChanged', { organizationId: record.organizationId, payload: record }));
    afterCommit.add(() => this.fleetQueue.request(record.id, record.version));
    const { nextReconcileAt } = record;
    if (isActive(record) && nextReconcileAt !== null) afterCommit.add(() => this.fleetQueue.wakeAt(record.id, nextReconcileAt));
  }

  /** The members as the fleet engine sees them, with the freezes holding them back found as the worker finds them. */
  private async observeMembers(scope: OrganizationScope, loaded: LoadedRelease, now: Date): Promise<Record<string, MemberObservation>> {
    return memberObservations(loaded.members, await frozenMembers(loaded, this.memberFreezes(scope), now));
  }

  /**
   * Finds a member's freeze as the worker's freeze checker does: the freeze the rollout engine would act on among the
   * periods covering it, unless a break-glass override of the release or of the rollout lifts it.
   */
  private memberFreezes(scope: OrganizationScope): MemberFreezeFinder {
    return {
      freezeFor: async (subject, now) => {
        const freeze = engineFreeze(await this.freezes.covering(scope, () => Promise.resolve([subject]), now));
        if (freeze === null) return null;
        return (await this.overrides.activeFor(scope, subject.overrideTargetIds, now)) === null ? freeze : null;
      },
    };
  }

  private async untilWritten<T>(attempt: () => Promise<T>): Promise<T> {
    for (let attempts = 1; ; attempts += 1) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof ReleaseVersionConflict)) throw error;
        if (attempts === WRITE_ATTEMPTS) {
          throw new FlotillaError(ErrorCode.Conflict, 'the fleet release kept changing while it was being written; try again');
        }
      }
    }
  }

  private actOf(principal: Principal, reason: string | null, requestId: string): Act {
    return { scope: organizationScope(principal.organizationId), actor: actorOf(principal), reason, requestId };
  }

  /**
   * Refuses a release of the FleetRollout while a freeze covers any cluster its waves select now, unless an override
   * of its active release (which the new one supersedes) lifts it; answers that override's id, or null.
   */
  private async assertFleetOpen(scope: OrganizationScope, fleetRollout: FleetRolloutRecord): Promise<string | null> {
    const active = await this.releases.find(scope, fleetRollout.name);
    return this.freezes.assertOpen(
      scope,
      async () => {
        const plan = planWaves(fleetRollout.spec, await this.clusters.list(scope));
        const members = plan.waves.flatMap((wave) => wave.clusters);
        return this.freezes.clusterTargets(scope, members, fleetRollout.spec.rollout.namespace);
      },
      [active && isActive(active) ? active.id : null],
      new Date(),
    );
  }

  private auditOf(act: Act, release: FleetReleaseRecord, action: string, after: Record<string, unknown>): AuditEntry {
    const { breakGlassOverride } = act;
    return {
      actor: act.actor,
      action,
      targetType: 'FleetRelease',
      targetName: fleetReleaseTargetName(release.fleetRolloutName, release.number),
      targetId: release.id,
      after: breakGlassOverride ? { ...after, breakGlassOverride } : after,
      reason: act.reason,
      requestId: act.requestId,
    };
  }

  private async findFleetRollout(scope: OrganizationScope, name: string): Promise<FleetRolloutRecord> {
    const fleetRollout = await this.fleetRollouts.find(scope, name);
    if (!fleetRollout) throw fleetRolloutNotFound(name);
    return fleetRollout;
  }
}

function fleetRolloutNotFound(name: string): FlotillaError {
  return new FlotillaError(ErrorCode.FleetNotFound, `FleetRollout ${name} was not found`, [
    { path: 'fleetRollout', message: 'no such FleetRollout' },
  ]);
}

function operationRefused(code: ReleaseOperationRefusalCode, message: string): FlotillaError {
  const path = REFUSAL_PATH[code];
  const problems: FieldProblem[] = path === undefined ? [] : [{ path, message }];
  return new FlotillaError(ErrorCode.FleetOperationRefused, message, problems);
}

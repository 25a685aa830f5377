import { Inject, Injectable } from '@nestjs/common';
import { ACTIVE_RELEASE_PHASES } from '@flotilla/fleet-engine';
import { freezesAt } from '@flotilla/freeze-windows';
import { ErrorCode, FlotillaError, notFound } from '@flotilla/service-runtime';
import {
  AuditStore,
  breakGlassState,
  BreakGlassStore,
  ClusterStore,
  fleetReleaseTargetName,
  FleetReleaseStore,
  FleetRolloutStore,
  isRecordId,
  FreezeWindowStore,
  inTransaction,
  OrganizationStore,
  organizationScope,
  prismaSession,
  rolloutTargetName,
  RolloutStore,
  type AuditEntry,
  type BreakGlassRecord,
  type DatabaseClient,
  type OrganizationScope,
  type Transaction,
} from '@flotilla/stores';
import { actorOf, type Principal } from '../../common/auth/principal.js';
import { isIdCursor, pageRequest, toPage, type PageInput } from '../../common/graphql/pagination.js';
import { assertReason } from '../../common/reason.js';
import { DATABASE } from '../../infrastructure/tokens.js';
import type { RolloutModel } from '../rollouts/rollout.model.js';
import { BreakGlassNotifier } from './break-glass-notifier.js';
import { FreezeGate } from './freeze-gate.js';
import { toBreakGlassModel, toFreezePeriodModel, toFreezeWindowModel } from './freezes.mapper.js';
import type {
  ActiveFreezesModel,
  BreakGlassOverrideModel,
  BreakGlassOverridePage,
  BreakGlassTarget,
  FreezePeriodModel,
  FreezeWindowModel,
  OrganizationSettingsModel,
} from './freezes.models.js';

/** Bounds of `breakGlass`'s `durationSeconds`: a minute to a day. */
export const MIN_BREAK_GLASS_SECONDS = 60;
export const MAX_BREAK_GLASS_SECONDS = 86_400;

/** What `breakGlass` overrides, once its target is found. */
interface ResolvedTarget {
  targetType: 'Rollout' | 'FleetRelease';
  targetId: string;
  targetName: string;
}

/** Who asked, and under which request id: what the audit keeps of an admin's act. */
interface Act {
  scope: OrganizationScope;
  actor: string;
  requestId: string;
}

/**
 * Freeze windows as they stand now, and break-glass overrides with the organization's setting that governs them.
 * Every change is written with its audit entry in one transaction; an override requested or confirmed, with the
 * notifications it causes.
 */
@Injectable()
export class FreezesService {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseClient,
    private readonly windows: FreezeWindowStore,
    private readonly overrides: BreakGlassStore,
    private readonly organizations: OrganizationStore,
    private readonly clusters: ClusterStore,
    private readonly rollouts: RolloutStore,
    private readonly fleetRollouts: FleetRolloutStore,
    private readonly fleetReleases: FleetReleaseStore,
    private readonly audit: AuditStore,
    private readonly gate: FreezeGate,
    private readonly notifier: BreakGlassNotifier,
  ) {}

  async list(principal: Principal): Promise<FreezeWindowModel[]> {
    const now = new Date();
    return (await this.windows.list(organizationScope(principal.organizationId))).map((record) => toFreezeWindowModel(record, now));
  }

  async find(principal: Principal, name: string): Promise<FreezeWindowModel | null> {
    const record = await this.windows.find(organizationScope(principal.organizationId), name);
    return record && toFreezeWindowModel(record, new Date());
  }

  /** The freezes of one namespace of one cluster now, ending last first, and the next to start. */
  async active(principal: Principal, clusterName: string, namespace: string): Promise<ActiveFreezesModel> {
    const scope = organizationScope(principal.organizationId);
    const cluster = await this.clusters.findByName(scope, clusterName);
    if (!cluster) throw notFound(ErrorCode.ClusterNotFound, `cluster ${clusterName}`);
    const windows = (await this.windows.list(scope)).map(({ name, spec }) => ({ name, spec }));
    const { active, next } = freezesAt(windows, { clusterName, clusterLabels: cluster.labels, namespace }, new Date());
    return { active: active.map(toFreezePeriodModel), next: next && toFreezePeriodModel(next) };
  }

  /** The freeze holding or refusing the rollout's releases now; null when none does, or an override lifts it. */
  async rolloutFreeze(principal: Principal, rollout: RolloutModel): Promise<FreezePeriodModel | null> {
    const scope = organizationScope(principal.organizationId);
    const { freeze, overrideId } = await this.gate.verdict(
      scope,
      async () => [
        { clusterName: rollout.cluster, clusterLabels: await this.clusterLabels(scope, rollout.cluster), namespace: rollout.namespace },
      ],
      [rollout.id, rollout.fleetReleaseId],
      new Date(),
    );
    return freeze === null || overrideId !== null ? null : toFreezePeriodModel(freeze);
  }

  /** Overrides of the organization: active first, then newest first. */
  async overridePage(principal: Principal, page: PageInput | undefined): Promise<BreakGlassOverridePage> {
    const { take, after } = pageRequest(page, isIdCursor);
    const now = new Date();
    // One more than the page, to learn whether another follows.
    const rows = await this.overrides.list(organizationScope(principal.organizationId), { limit: take + 1, afterId: after?.id }, now);
    const result = toPage(rows, take, (row) => ({ id: row.id }));
    return { nodes: result.nodes.map((row) => toBreakGlassModel(row, now)), pageInfo: result.pageInfo };
  }

  /**
   * Overrides freezes for one rollout or one fleet release, for `durationSeconds`: at once, or once a second admin
   * confirms it when the organization asks for one.
   */
  async breakGlass(
    principal: Principal,
    target: BreakGlassTarget,
    reason: string,
    durationSeconds: number,
    requestId: string,
  ): Promise<BreakGlassOverrideModel> {
    assertBreakGlassArguments(target, reason, durationSeconds);
    const act = this.actOf(principal, requestId);
    const resolved = await this.resolveTarget(act.scope, target);
    const { breakGlassNeedsSecondAdmin } = await this.organizations.settings(act.scope);
    return inTransaction(this.database, async (transaction, afterCommit) => {
      const now = new Date();
      const record = await this.overrides.request(act.scope, transaction, {
        ...resolved,
        reason,
        durationSeconds,
        requestedBy: act.actor,
        effectiveNow: !breakGlassNeedsSecondAdmin,
        now,
      });
      await this.audit.append(act.scope, prismaSession(transaction), afterCommit, [
        this.auditOf(act, record, 'break_glass.requested', reason, {
          durationSeconds,
          expiresAt: record.expiresAt?.toISOString() ?? null,
          needsConfirmation: breakGlassNeedsSecondAdmin,
        }),
      ]);
      await this.notifier.notify(act.scope, transaction, afterCommit, record, now);
      return toBreakGlassModel(record, now);
    });
  }

  /** A second admin's confirmation of a pending override: it takes effect now, for its duration. */
  async confirm(principal: Principal, id: string, requestId: string): Promise<BreakGlassOverrideModel> {
    const act = this.actOf(principal, requestId);
    const { breakGlassNeedsSecondAdmin } = await this.organizations.settings(act.scope);
    return inTransaction(this.database, async (transaction, afterCommit) => {
      const now = new Date();
      const existing = await this.findOverride(act.scope, id, transaction);
      const refusal = confirmationRefusal(existing, act.actor, breakGlassNeedsSecondAdmin, now);
      if (refusal !== null) throw confirmationRefused(id, refusal);
      const record = await this.overrides.confirm(act.scope, transaction, id, act.actor, now);
      if (!record) throw confirmationRefused(id, 'no longer waits for a confirmation');
      await this.audit.append(act.scope, prismaSession(transaction), afterCommit, [
        this.auditOf(act, record, 'break_glass.confirmed', null, { expiresAt: record.expiresAt?.toISOString() ?? null }),
      ]);
      await this.notifier.notify(act.scope, transaction, afterCommit, record, now);
      return toBreakGlassModel(record, now);
    });
  }

  /** Ends an override, pending or in effect, before its time. */
  async revoke(principal: Principal, id: string, reason: string | null, requestId: string): Promise<BreakGlassOverrideModel> {
    assertReason(reason);
    const act = this.actOf(principal, requestId);
    return inTransaction(this.database, async (transaction, afterCommit) => {
      const now = new Date();
      const existing = await this.findOverride(act.scope, id, transaction);
      const state = breakGlassState(existing, now);
      const record = state === 'Revoked' || state === 'Expired' ? null : await this.overrides.revoke(act.scope, transaction, id, now);
      if (!record) {
        throw new FlotillaError(ErrorCode.InputInvalid, `break-glass override ${id} has ended already (${state})`, [
          { path: 'id', message: `has ended already (${state})` },
        ]);
      }
      await this.audit.append(act.scope, prismaSession(transaction), afterCommit, [
        this.auditOf(act, record, 'break_glass.revoked', reason, { revokedAt: now.toISOString() }),
      ]);
      return toBreakGlassModel(record, now);
    });
  }

  async settings(principal: Principal): Promise<OrganizationSettingsModel> {
    return this.organizations.settings(organizationScope(principal.organizationId));
  }

  async updateSettings(principal: Principal, breakGlassNeedsSecondAdmin: boolean, requestId: string): Promise<OrganizationSettingsModel> {
    const act = this.actOf(principal, requestId);
    const organization = await this.organizations.get(act.scope);
    return inTransaction(this.database, async (transaction, afterCommit) => {
      const before = await this.organizations.settings(act.scope, transaction);
      const after = await this.organizations.updateSettings(act.scope, transaction, { breakGlassNeedsSecondAdmin });
      await this.audit.append(act.scope, prismaSession(transaction), afterCommit, [
        {
          actor: act.actor,
          action: 'organization.settings_updated',
          targetType: 'Organization',
          targetName: organization.name,
          targetId: organization.id,
          before,
          after,
          requestId: act.requestId,
        },
      ]);
      return after;
    });
  }

  private async resolveTarget(scope: OrganizationScope, target: BreakGlassTarget): Promise<ResolvedTarget> {
    if (target.rollout) {
      const { cluster, namespace, name } = target.rollout;
      const rollout = await this.rollouts.find(scope, target.rollout);
      if (!rollout) {
        throw new FlotillaError(ErrorCode.RolloutNotFound, `rollout ${rolloutTargetName(cluster, namespace, name)} was not found`, [
          { path: 'target.rollout', message: 'no such rollout' },
        ]);
      }
      return { targetType: 'Rollout', targetId: rollout.id, targetName: rolloutTargetName(cluster, namespace, name) };
    }
    const name = target.fleetRollout as string;
    if (!(await this.fleetRollouts.find(scope, name))) {
      throw new FlotillaError(ErrorCode.FleetNotFound, `FleetRollout ${name} was not found`, [
        { path: 'target.fleetRollout', message: 'no such FleetRollout' },
      ]);
    }
    const release = await this.fleetReleases.find(scope, name);
    if (!release || !ACTIVE_RELEASE_PHASES.includes(release.phase)) {
      throw new FlotillaError(ErrorCode.FleetReleaseNotFound, `${name} has no active release`, [
        { path: 'target.fleetRollout', message: 'has no active release' },
      ]);
    }
    return { targetType: 'FleetRelease', targetId: release.id, targetName: fleetReleaseTargetName(name, release.number) };
  }

  private async findOverride(scope: OrganizationScope, id: string, transaction: Transaction): Promise<BreakGlassRecord> {
    const record = isRecordId(id) ? await this.overrides.find(scope, id, transaction) : null;
    if (!record) {
      throw new FlotillaError(ErrorCode.BreakGlassNotFound, `break-glass override ${id} was not found`, [
        { path: 'id', message: 'no such break-glass override' },
      ]);
    }
    return record;
  }

  private async clusterLabels(scope: OrganizationScope, name: string): Promise<Record<string, string>> {
    return (await this.clusters.findByName(scope, name))?.labels ?? {};
  }

  private actOf(principal: Principal, requestId: string): Act {
    return { scope: organizationScope(principal.organizationId), actor: actorOf(principal), requestId };
  }

  /** An override's audit entry, under its target so that the target's timeline shows it. */
  private auditOf(act: Act, record: BreakGlassRecord, action: string, reason: string | null, after: Record<string, unknown>): AuditEntry {
    return {
      actor: act.actor,
      action,
      targetType: record.targetType,
      targetName: record.targetName,
      targetId: record.targetId,
      after: { breakGlassOverride: record.id, ...after },
      reason,
      requestId: act.requestId,
    };
  }
}

/** `breakGlass`'s arguments, each refused with its path: one target, a reason, a duration from a minute to a day. */
function assertBreakGlassArguments(target: BreakGlassTarget, reason: string, durationSeconds: number): void {
  const targets = [target.rollout, target.fleetRollout].filter((value) => value !== undefined && value !== null);
  if (targets.length !== 1) {
    throw new FlotillaError(ErrorCode.InputInvalid, 'target takes exactly one of rollout and fleetRollout', [
      { path: 'target', message: 'exactly one of rollout and fleetRollout' },
    ]);
  }
  if (reason.trim() === '') {
    throw new FlotillaError(ErrorCode.InputInvalid, 'reason is required: say why freezes are overridden', [
      { path: 'reason', message: 'is required' },
    ]);
  }
  assertReason(reason);
  if (!Number.isInteger(durationSeconds) || durationSeconds < MIN_BREAK_GLASS_SECONDS || durationSeconds > MAX_BREAK_GLASS_SECONDS) {
    const message = `must be between ${MIN_BREAK_GLASS_SECONDS} and ${MAX_BREAK_GLASS_SECONDS} seconds`;
    throw new FlotillaError(ErrorCode.InputInvalid, `durationSeconds ${message}`, [{ path: 'durationSeconds', message }]);
  }
}

/**
 * Why an admin may not confirm the override, or null when they may: only a pending override, only when the
 * organization asks for a second admin, and only by another admin than the one who asked for it.
 * @example
 * confirmationRefusal({ requestedBy: 'token:alice', expiresAt: null, revokedAt: null, ... }, 'token:alice', true, now)
 * // => 'was requested by token:alice: another admin must confirm it'
 */
export function confirmationRefusal(
  record: Pick<BreakGlassRecord, 'requestedBy' | 'expiresAt' | 'revokedAt' | 'confirmedAt'>,
  actor: string,
  needsSecondAdmin: boolean,
  now: Date,
): string | null {
  if (!needsSecondAdmin) return 'needs no confirmation: the organization does not ask for a second admin';
  if (record.revokedAt !== null) return 'was revoked';
  if (record.expiresAt !== null) return record.expiresAt <= now ? 'has expired' : 'is already in effect';
  if (record.requestedBy === actor) return `was requested by ${actor}: another admin must confirm it`;
  return null;
}

function confirmationRefused(id: string, refusal: string): FlotillaError {
  return new FlotillaError(ErrorCode.BreakGlassConfirmationRefused, `break-glass override ${id} ${refusal}`, [
    { path: 'id', message: refusal },
  ]);
}

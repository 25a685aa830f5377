import type { BreakGlassOverride } from '../generated/prisma/client.js';
import type { DatabaseClient, Transaction } from '../database/database.js';
import type { PageWindow } from '../database/page-window.js';
import { organizationFilter, type OrganizationScope, type Scope } from '../scope/scope.js';

export const BREAK_GLASS_TARGET_TYPES = ['Rollout', 'FleetRelease'] as const;
export type BreakGlassTargetType = (typeof BREAK_GLASS_TARGET_TYPES)[number];

export type BreakGlassState = 'PendingConfirmation' | 'Active' | 'Expired' | 'Revoked';

/** An admin's override of freezes for one rollout or one fleet release, for a bounded time. */
export interface BreakGlassRecord {
  id: string;
  organizationId: string;
  targetType: BreakGlassTargetType;
  targetId: string;
  /** `cluster/namespace/name` of a rollout, `fleet-rollout#number` of a fleet release. */
  targetName: string;
  reason: string;
  durationSeconds: number;
  requestedBy: string;
  requestedAt: Date;
  confirmedBy: string | null;
  confirmedAt: Date | null;
  /** Its duration from the moment it took effect; null while it waits for a second admin. */
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface BreakGlassRequest {
  targetType: BreakGlassTargetType;
  targetId: string;
  targetName: string;
  reason: string;
  durationSeconds: number;
  requestedBy: string;
  /** False when the organization asks a second admin to confirm it first. */
  effectiveNow: boolean;
  now: Date;
}

/**
 * The state of an override at `now`.
 * @example breakGlassState({ revokedAt: null, expiresAt: null, … }, now) === 'PendingConfirmation'
 */
export function breakGlassState(record: Pick<BreakGlassRecord, 'revokedAt' | 'expiresAt'>, now: Date): BreakGlassState {
  if (record.revokedAt !== null) return 'Revoked';
  if (record.expiresAt === null) return 'PendingConfirmation';
  return record.expiresAt > now ? 'Active' : 'Expired';
}

const recordOf = (row: BreakGlassOverride): BreakGlassRecord => ({
  ...row,
  // Written only by `request`, from BREAK_GLASS_TARGET_TYPES.
  targetType: row.targetType as BreakGlassTargetType,
});

const inEffect = (now: Date) => ({ revokedAt: null, expiresAt: { gt: now } });

/** Break-glass overrides of freezes. Audit entries about them are the caller's, in the same transaction. */
export class BreakGlassStore {
  constructor(private readonly database: DatabaseClient) {}

  /** Records an override; it takes effect now (expiring after its duration) unless a second admin must confirm it. */
  async request(scope: OrganizationScope, transaction: Transaction, request: BreakGlassRequest): Promise<BreakGlassRecord> {
    const { effectiveNow, now, ...fields } = request;
    const row = await transaction.breakGlassOverride.create({
      data: {
        organizationId: scope.organizationId,
        ...fields,
        requestedAt: now,
        expiresAt: effectiveNow ? new Date(now.getTime() + request.durationSeconds * 1000) : null,
      },
    });
    return recordOf(row);
  }

  async find(scope: OrganizationScope, id: string, transaction: Transaction = this.database): Promise<BreakGlassRecord | null> {
    const row = await transaction.breakGlassOverride.findFirst({ where: { id, organizationId: scope.organizationId } });
    return row && recordOf(row);
  }

  /**
   * A second admin's confirmation: the override takes effect now, for its duration. Null when there is no such
   * override or it no longer waits for a confirmation (confirmed, revoked, or effective from the start).
   */
  async confirm(scope: OrganizationScope, transaction: Transaction, id: string, by: string, now: Date): Promise<BreakGlassRecord | null> {
    const pending = await transaction.breakGlassOverride.findFirst({
      where: { id, organizationId: scope.organizationId, expiresAt: null, revokedAt: null },
    });
    if (!pending) return null;
    const { count } = await transaction.breakGlassOverride.updateMany({
      where: { id, expiresAt: null, revokedAt: null },
      data: { confirmedBy: by, confirmedAt: now, expiresAt: new Date(now.getTime() + pending.durationSeconds * 1000) },
    });
    return count === 0 ? null : this.find(scope, id, transaction);
  }

  /** Ends an override now, whatever its state; null when there is no such override or it was revoked already. */
  async revoke(scope: OrganizationScope, transaction: Transaction, id: string, now: Date): Promise<BreakGlassRecord | null> {
    const { count } = await transaction.breakGlassOverride.updateMany({
      where: { id, organizationId: scope.organizationId, revokedAt: null },
      data: { revokedAt: now },
    });
    return count === 0 ? null : this.find(scope, id, transaction);
  }

  /**
   * A page of the organization's overrides: those in effect at `now` first (expiring last first), then every other
   * one, newest first. `window.afterId` continues after that override.
   */
  async list(scope: OrganizationScope, window: PageWindow, now: Date): Promise<BreakGlassRecord[]> {
    const where = { organizationId: scope.organizationId };
    const active = (
      await this.database.breakGlassOverride.findMany({
        where: { ...where, ...inEffect(now) },
        orderBy: [{ expiresAt: 'desc' }, { id: 'desc' }],
      })
    ).map(recordOf);
    const activeIds = new Set(active.map((record) => record.id));
    const afterActive = window.afterId === undefined ? 0 : active.findIndex((record) => record.id === window.afterId) + 1;
    const page = window.afterId === undefined || afterActive > 0 ? active.slice(afterActive, afterActive + window.limit) : [];
    const remaining = window.limit - page.length;
    if (remaining <= 0) return page;
    // Continues after `afterId` only when it is one of the others; after the last active one, from the newest.
    const cursorId = window.afterId !== undefined && afterActive === 0 ? window.afterId : undefined;
    const others = await this.database.breakGlassOverride.findMany({
      where: { ...where, id: { notIn: [...activeIds], ...(cursorId ? { lt: cursorId } : {}) } },
      orderBy: { id: 'desc' },
      take: remaining,
    });
    return [...page, ...others.map(recordOf)];
  }

  /**
   * The override in effect at `now` for any of `targetIds` (a rollout's id and its fleet release's id): confirmed, or
   * needing no confirmation, neither expired nor revoked. The one expiring last, or null.
   */
  async activeFor(scope: Scope, targetIds: readonly string[], now: Date): Promise<BreakGlassRecord | null> {
    if (targetIds.length === 0) return null;
    const row = await this.database.breakGlassOverride.findFirst({
      where: { ...organizationFilter(scope), targetId: { in: [...targetIds] }, ...inEffect(now) },
      orderBy: { expiresAt: 'desc' },
    });
    return row && recordOf(row);
  }
}

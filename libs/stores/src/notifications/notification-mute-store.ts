import type { NotificationMute } from '../generated/prisma/client.js';
import type { DatabaseClient, Transaction } from '../database/database.js';
import type { OrganizationScope } from '../scope/scope.js';
import { isRecordId } from '../scope/record-id.js';

/** Notifications held back until `until`: of one subject, one trigger, one service, or what they have in common. */
export interface NotificationMuteRecord {
  id: string;
  organizationId: string;
  subjectId: string | null;
  subjectName: string | null;
  trigger: string | null;
  service: string | null;
  reason: string;
  until: Date;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface NotificationMuteRequest {
  subject: { id: string; name: string } | undefined;
  trigger: string | undefined;
  service: string | undefined;
  reason: string;
  until: Date;
  createdBy: string;
}

/**
 * Whether a notification of `subjectId`, `trigger` and `service` is muted at `now`: some mute in effect matches
 * every one of them it names.
 * @example isMuted([{ trigger: 'on-rollout-updated', subjectId: null, service: null, until: later, revokedAt: null }],
 *   { subjectId: 'r1', trigger: 'on-rollout-updated', service: 'slack' }, now) === true
 */
export function isMuted(
  mutes: readonly Pick<NotificationMuteRecord, 'subjectId' | 'trigger' | 'service' | 'until' | 'revokedAt'>[],
  notification: { subjectId: string; trigger: string; service: string },
  now: Date,
): boolean {
  return mutes.some(
    (mute) =>
      mute.revokedAt === null &&
      mute.until > now &&
      (mute.subjectId === null || mute.subjectId === notification.subjectId) &&
      (mute.trigger === null || mute.trigger === notification.trigger) &&
      (mute.service === null || mute.service === notification.service),
  );
}

const recordOf = (row: NotificationMute): NotificationMuteRecord => row;

/** The organization's mutes of notifications. Audit entries about them are the caller's, in the same transaction. */
export class NotificationMuteStore {
  constructor(private readonly database: DatabaseClient) {}

  async create(scope: OrganizationScope, transaction: Transaction, request: NotificationMuteRequest): Promise<NotificationMuteRecord> {
    const { subject, trigger, service, ...rest } = request;
    const row = await transaction.notificationMute.create({
      data: {
        organizationId: scope.organizationId,
        subjectId: subject?.id ?? null,
        subjectName: subject?.name ?? null,
        trigger: trigger ?? null,
        service: service ?? null,
        ...rest,
      },
    });
    return recordOf(row);
  }

  /** Ends a mute now; null when there is no such mute or it was ended already. */
  async revoke(scope: OrganizationScope, transaction: Transaction, id: string, now: Date): Promise<NotificationMuteRecord | null> {
    if (!isRecordId(id)) return null;
    const { count } = await transaction.notificationMute.updateMany({
      where: { id, organizationId: scope.organizationId, revokedAt: null },
      data: { revokedAt: now },
    });
    if (count === 0) return null;
    const row = await transaction.notificationMute.findUnique({ where: { id } });
    return row && recordOf(row);
  }

  /** The mutes in effect at `now` of one organization, soonest ending first: what a decision consults. */
  async inEffect(organizationId: string, now: Date, transaction: Transaction = this.database): Promise<NotificationMuteRecord[]> {
    const rows = await transaction.notificationMute.findMany({
      where: { organizationId, revokedAt: null, until: { gt: now } },
      orderBy: { until: 'asc' },
    });
    return rows.map(recordOf);
  }
}

import type { PlannedNotification, RenderedNotification } from '@flotilla/notifications';
import { z } from 'zod';
import type { NotificationDelivery, Prisma } from '../generated/prisma/client.js';
import type { DatabaseClient, Transaction } from '../database/database.js';
import { isGiven, windowArguments, type PageWindow } from '../database/page-window.js';
import { shapedAs } from '../rollouts/json-shapes.js';
import { objectColumn } from '../scope/json-column.js';
import { organizationFilter, type OrganizationScope, type Scope, type SystemScope } from '../scope/scope.js';
import type { NotificationPlacement } from './notification-config-store.js';
import { isMuted, type NotificationMuteRecord } from './notification-mute-store.js';

export type NotificationDeliveryState = 'Pending' | 'Delivered' | 'Failed' | 'Muted';

/** What a notification is about: a rollout (`cluster/namespace/name`) or a fleet rollout (its name). */
export interface NotificationSubjectRef {
  kind: 'Rollout' | 'FleetRollout';
  id: string;
  name: string;
  /** The cluster namespace a rollout lives in, whose configuration extends the organization's; none for a fleet rollout. */
  placement: NotificationPlacement;
}

/** One row of the outbox: a notification decided with a state change, and how its delivery went. */
export interface NotificationDeliveryRecord {
  id: string;
  organizationId: string;
  subject: NotificationSubjectRef;
  trigger: string;
  service: string;
  serviceType: string;
  recipient: string;
  dedupeKey: string;
  notification: RenderedNotification;
  state: NotificationDeliveryState;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date;
  createdAt: Date;
  deliveredAt: Date | null;
}

export interface NotificationDeliveryFilter {
  /** The subject's id (a rollout's). */
  subjectId?: string | null;
  trigger?: string | null;
  service?: string | null;
  state?: NotificationDeliveryState | null;
}

/** What the outbox does when an organization decides more notifications than it may send in a minute. */
export interface OrganizationBound {
  perMinute: number;
}

const notificationColumn = objectColumn<RenderedNotification>(
  'NotificationDelivery.notification',
  ['message', 'fields'],
  shapedAs<RenderedNotification>(
    z.looseObject({ message: z.string(), title: z.string().optional(), fields: z.record(z.string(), z.looseObject({})) }),
  ),
);

const recordOf = (row: NotificationDelivery): NotificationDeliveryRecord => ({
  id: row.id,
  organizationId: row.organizationId,
  // Written only by `record`, from NotificationSubjectRef.
  subject: {
    kind: row.subjectKind as NotificationSubjectRef['kind'],
    id: row.subjectId,
    name: row.subjectName,
    placement: row.clusterId !== null && row.namespace !== null ? { clusterId: row.clusterId, namespace: row.namespace } : undefined,
  },
  trigger: row.trigger,
  service: row.service,
  serviceType: row.serviceType,
  recipient: row.recipient,
  dedupeKey: row.dedupeKey,
  notification: notificationColumn.decode(row.notification),
  state: row.state,
  attempts: row.attempts,
  lastError: row.lastError,
  nextAttemptAt: row.nextAttemptAt,
  createdAt: row.createdAt,
  deliveredAt: row.deliveredAt,
});

/** Longest error text kept per delivery. */
const ERROR_TEXT_LIMIT = 2000;

/**
 * The notification outbox. Rows are written in the transaction of the state change that decided them, so that
 * a change never commits without its notifications nor a rolled-back change with them; the sender claims a row
 * before each attempt, so that two workers never send it at once, and the sweep re-queues every row due.
 */
export class NotificationDeliveryStore {
  constructor(private readonly database: DatabaseClient) {}

  /**
   * Stores the notifications a state change decided, in its transaction. A notification whose dedupe key the
   * organization already stored is skipped (the same decision made again), a muted one is kept as `Muted`, and one
   * past the organization's bound as `Failed`. Returns the rows to send, for the caller to queue after the commit.
   */
  async record(
    scope: Scope,
    transaction: Transaction,
    input: {
      organizationId: string;
      subject: NotificationSubjectRef;
      notifications: readonly PlannedNotification[];
      mutes: readonly NotificationMuteRecord[];
      bound: OrganizationBound;
      now: Date;
    },
  ): Promise<NotificationDeliveryRecord[]> {
    const { organizationId, subject, notifications, mutes, bound, now } = input;
    if (scope.kind === 'organization' && scope.organizationId !== organizationId) throw new Error('a notification of another organization');
    if (notifications.length === 0) return [];
    const recent = await transaction.notificationDelivery.count({
      where: { organizationId, createdAt: { gt: new Date(now.getTime() - 60_000) }, state: { not: 'Muted' } },
    });
    let room = Math.max(0, bound.perMinute - recent);
    const rows: Prisma.NotificationDeliveryCreateManyInput[] = notifications.map((planned) => {
      const muted = isMuted(mutes, { subjectId: subject.id, trigger: planned.trigger, service: planned.service }, now);
      const overBound = !muted && room <= 0;
      if (!muted && !overBound) room -= 1;
      return {
        organizationId,
        subjectKind: subject.kind,
        subjectId: subject.id,
        subjectName: subject.name,
        clusterId: subject.placement?.clusterId ?? null,
        namespace: subject.placement?.namespace ?? null,
        trigger: planned.trigger,
        service: planned.service,
        serviceType: planned.serviceType,
        recipient: planned.recipient,
        dedupeKey: planned.dedupeKey,
        notification: notificationColumn.encode(planned.notification),
        state: muted ? 'Muted' : overBound ? 'Failed' : 'Pending',
        lastError: overBound ? `the organization decided more than ${bound.perMinute} notifications in a minute` : null,
        nextAttemptAt: now,
        createdAt: now,
      };
    });
    const created = await transaction.notificationDelivery.createManyAndReturn({ data: rows, skipDuplicates: true });
    return created.filter((row) => row.state === 'Pending').map(recordOf);
  }

  /**
   * Takes a delivery for one attempt: only a Pending row whose attempt is due, which is then not due again for
   * `leaseMs` (another worker or the sweep leaves it alone while it is being sent). Null when it is not to be sent now.
   */
  async claim(_scope: SystemScope, id: string, now: Date, leaseMs: number): Promise<NotificationDeliveryRecord | null> {
    const { count } = await this.database.notificationDelivery.updateMany({
      where: { id, state: 'Pending', nextAttemptAt: { lte: now } },
      data: { attempts: { increment: 1 }, nextAttemptAt: new Date(now.getTime() + leaseMs) },
    });
    if (count === 0) return null;
    const row = await this.database.notificationDelivery.findUnique({ where: { id } });
    return row && recordOf(row);
  }

  /** Gives a claimed delivery back without an attempt (the service's rate was used up): due again at `at`. */
  async release(_scope: SystemScope, id: string, at: Date): Promise<void> {
    await this.database.notificationDelivery.updateMany({
      where: { id, state: 'Pending' },
      data: { attempts: { decrement: 1 }, nextAttemptAt: at },
    });
  }

  async markDelivered(_scope: SystemScope, id: string, now: Date): Promise<void> {
    await this.database.notificationDelivery.updateMany({
      where: { id, state: 'Pending' },
      data: { state: 'Delivered', deliveredAt: now, lastError: null },
    });
  }

  /** Another attempt at `at`, after a failure that may pass (a 5xx, a 429, a timeout). */
  async markRetry(_scope: SystemScope, id: string, reason: string, at: Date): Promise<void> {
    await this.database.notificationDelivery.updateMany({
      where: { id, state: 'Pending' },
      data: { lastError: reason.slice(0, ERROR_TEXT_LIMIT), nextAttemptAt: at },
    });
  }

  /** No further attempt: the receiver refused it (a 4xx), or the attempts ran out. */
  async markFailed(_scope: SystemScope, id: string, reason: string): Promise<void> {
    await this.database.notificationDelivery.updateMany({
      where: { id, state: 'Pending' },
      data: { state: 'Failed', lastError: reason.slice(0, ERROR_TEXT_LIMIT) },
    });
  }

  /** Pending deliveries whose attempt is due at `now`, oldest first: what the sweep queues again. */
  async due(_scope: SystemScope, now: Date, limit: number): Promise<{ id: string; attempts: number }[]> {
    return this.database.notificationDelivery.findMany({
      where: { state: 'Pending', nextAttemptAt: { lte: now } },
      orderBy: { nextAttemptAt: 'asc' },
      take: limit,
      select: { id: true, attempts: true },
    });
  }

  /** A page of the organization's deliveries, newest first. */
  async list(scope: OrganizationScope, filter: NotificationDeliveryFilter, window: PageWindow): Promise<NotificationDeliveryRecord[]> {
    const rows = await this.database.notificationDelivery.findMany({
      where: {
        ...organizationFilter(scope),
        ...(isGiven(filter.subjectId) ? { subjectId: filter.subjectId } : {}),
        ...(isGiven(filter.trigger) ? { trigger: filter.trigger } : {}),
        ...(isGiven(filter.service) ? { service: filter.service } : {}),
        ...(isGiven(filter.state) ? { state: filter.state } : {}),
      },
      orderBy: { id: 'desc' },
      ...windowArguments(window),
    });
    return rows.map(recordOf);
  }

  /** The keys remembered for a subject by earlier decisions (`oncePer` values sent, conditions already true). */
  async history(organizationId: string, subjectId: string, transaction: Transaction = this.database): Promise<Set<string>> {
    const rows = await transaction.notificationHistory.findMany({ where: { organizationId, subjectId }, select: { key: true } });
    return new Set(rows.map((row) => row.key));
  }

  /** Remembers and forgets keys of a subject, in the transaction of the decision. */
  async updateHistory(
    transaction: Transaction,
    organizationId: string,
    subjectId: string,
    change: { remember: readonly string[]; forget: readonly string[] },
  ): Promise<void> {
    if (change.forget.length > 0)
      await transaction.notificationHistory.deleteMany({ where: { organizationId, subjectId, key: { in: [...change.forget] } } });
    if (change.remember.length > 0)
      await transaction.notificationHistory.createMany({
        data: change.remember.map((key) => ({ organizationId, subjectId, key })),
        skipDuplicates: true,
      });
  }
}

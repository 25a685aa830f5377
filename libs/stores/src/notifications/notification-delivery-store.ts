import type { PlannedNotification, RenderedNotification } from '@flotilla/notifications';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { NotificationDelivery } from '../generated/prisma/client.js';
import type { DatabaseClient, Transaction } from '../database/database.js';
import { isGiven, windowArguments, type PageWindow } from '../database/page-window.js';
import { prismaSession, uuidV7, type PreparedStatement, type SqlSession } from '../database/sql.js';
import { shapedAs } from '../rollouts/json-shapes.js';
import { objectColumn } from '../scope/json-column.js';
import { organizationFilter, type OrganizationScope, type Scope, type SystemScope } from '../scope/scope.js';
import type { NotificationPlacement } from './notification-config-store.js';
import { isMuted, type NotificationMuteRecord } from './notification-mute-store.js';

export type NotificationDeliveryState = 'Pending' | 'Delivered' | 'Failed' | 'Muted';

/** What a notification is about: a rollout (`cluster/namespace/name`), a fleet rollout or a freeze window (its name). */
export interface NotificationSubjectRef {
  kind: 'Rollout' | 'FleetRollout' | 'FreezeWindow';
  id: string;
  name: string;
  /** The cluster namespace a rollout lives in, whose configuration extends the organization's; none for a fleet rollout. */
  placement: NotificationPlacement;
}

/** A delivery taken for one attempt, with the token its outcome is recorded under. */
export interface ClaimedDelivery extends NotificationDeliveryRecord {
  claimToken: string;
}

export type DeliveryClaim = Pick<ClaimedDelivery, 'id' | 'claimToken'>;

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

/** What an attempt records under its claim; fields left out keep their value. */
interface ClaimOutcome {
  state?: NotificationDeliveryState;
  deliveredAt?: Date;
  lastError: string | null;
  nextAttemptAt?: Date;
  now: Date;
}

export const NOTIFICATION_FIND_DUE: PreparedStatement = {
  name: 'notification-find-due',
  text: `SELECT * FROM "NotificationDelivery" WHERE id = $1::uuid AND state = 'Pending' AND "nextAttemptAt" <= $2::timestamp`,
};

export const NOTIFICATION_CLAIM: PreparedStatement = {
  name: 'notification-claim',
  text: `UPDATE "NotificationDelivery" SET attempts = attempts + 1, "nextAttemptAt" = $3::timestamp, "claimToken" = $4::uuid, "updatedAt" = $2::timestamp
    WHERE id = $1::uuid AND state = 'Pending' AND "nextAttemptAt" <= $2::timestamp RETURNING *`,
};

export const NOTIFICATION_POSTPONE: PreparedStatement = {
  name: 'notification-postpone',
  text: `UPDATE "NotificationDelivery" SET "nextAttemptAt" = $3::timestamp, "updatedAt" = $2::timestamp
    WHERE id = $1::uuid AND state = 'Pending' AND "nextAttemptAt" <= $2::timestamp`,
};

/** Recorded only under the claim in force: an attempt that outlived its claim finds no row. */
export const NOTIFICATION_SETTLE_CLAIM: PreparedStatement = {
  name: 'notification-settle-claim',
  text: `UPDATE "NotificationDelivery" SET state = COALESCE($3::text::"NotificationDeliveryState", state),
      "deliveredAt" = COALESCE($4::timestamp, "deliveredAt"), "lastError" = $5::text, "nextAttemptAt" = COALESCE($6::timestamp, "nextAttemptAt"),
      "claimToken" = NULL, "updatedAt" = $7::timestamp
    WHERE id = $1::uuid AND state = 'Pending' AND "claimToken" = $2::uuid RETURNING id`,
};

/** Longest error text kept per delivery. */
const ERROR_TEXT_LIMIT = 2000;

/**
 * The notification outbox. Rows are written in the transaction of the state change that decided them, so that
 * a change never commits without its notifications nor a rolled-back change with them; the sender claims a row
 * before each attempt, so that two workers never send it at once, and the sweep re-queues every row due.
 */
export class NotificationDeliveryStore {
  /**
   * @param attempts where an attempt's statements run (find, claim, outcome): the worker's SQL pool, whose prepared
   * statements skip the Prisma client's per-query planning; the Prisma client's own connections otherwise.
   */
  constructor(
    private readonly database: DatabaseClient,
    private readonly attempts: SqlSession = prismaSession(database),
  ) {}

  /**
   * Stores the notifications a state change decided, in its transaction. A notification whose dedupe key the
   * organization already stored is skipped (the same decision made again), a muted one is kept as `Muted`, and one
   * past the organization's bound as `Failed`. Returns the rows to send, for the caller to queue after the commit.
   */
  async record(scope: Scope, transaction: Transaction, input: NotificationDecision): Promise<NotificationDeliveryRecord[]> {
    if (scope.kind === 'organization' && scope.organizationId !== input.organizationId)
      throw new Error('a notification of another organization');
    return recordDecision(prismaSession(transaction), input);
  }

  /** The delivery if it is Pending and its attempt is due at `now`, without claiming it: what an attempt prepares for. */
  async findDue(_scope: SystemScope, id: string, now: Date): Promise<NotificationDeliveryRecord | null> {
    const [row] = await this.attempts.query<NotificationDelivery>(NOTIFICATION_FIND_DUE, [id, now]);
    return row ? recordOf(row) : null;
  }

  /**
   * Takes a delivery for one attempt: only a Pending row whose attempt is due, which is then not due again for
   * `leaseMs` (another worker or the sweep leaves it alone while it is being sent). The claim's token is what the
   * attempt records its outcome with; a later claim replaces it. Null when it is not to be sent now.
   */
  async claim(_scope: SystemScope, id: string, now: Date, leaseMs: number): Promise<ClaimedDelivery | null> {
    const claimToken = randomUUID();
    const [row] = await this.attempts.query<NotificationDelivery>(NOTIFICATION_CLAIM, [
      id,
      now,
      new Date(now.getTime() + leaseMs),
      claimToken,
    ]);
    return row ? { ...recordOf(row), claimToken } : null;
  }

  /** Puts off a due delivery that is not claimed until `at` (its service's rate was used up); no attempt is counted. */
  async postpone(_scope: SystemScope, id: string, now: Date, at: Date): Promise<void> {
    await this.attempts.query(NOTIFICATION_POSTPONE, [id, now, at]);
  }

  /** The claimed attempt delivered it. False when the claim was no longer the row's (it expired and was taken again). */
  async markDelivered(_scope: SystemScope, claim: DeliveryClaim, now: Date): Promise<boolean> {
    return this.settleClaim(claim, { state: 'Delivered', deliveredAt: now, lastError: null, now });
  }

  /** Another attempt at `at`, after a failure that may pass (a 5xx, a 429, a timeout). False as for `markDelivered`. */
  async markRetry(_scope: SystemScope, claim: DeliveryClaim, reason: string, at: Date, now = new Date()): Promise<boolean> {
    return this.settleClaim(claim, { lastError: reason.slice(0, ERROR_TEXT_LIMIT), nextAttemptAt: at, now });
  }

  /** No further attempt: the receiver refused it (a 4xx), or the attempts ran out. False as for `markDelivered`. */
  async markFailed(_scope: SystemScope, claim: DeliveryClaim, reason: string, now = new Date()): Promise<boolean> {
    return this.settleClaim(claim, { state: 'Failed', lastError: reason.slice(0, ERROR_TEXT_LIMIT), now });
  }

  private async settleClaim({ id, claimToken }: DeliveryClaim, outcome: ClaimOutcome): Promise<boolean> {
    const settled = await this.attempts.query(NOTIFICATION_SETTLE_CLAIM, [
      id,
      claimToken,
      outcome.state ?? null,
      outcome.deliveredAt ?? null,
      outcome.lastError,
      outcome.nextAttemptAt ?? null,
      outcome.now,
    ]);
    return settled.length === 1;
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

  /** The organization's deliveries of the given dedupe keys, in the order of the keys: what one decision stored, whatever their state. */
  async byDedupeKeys(
    scope: OrganizationScope,
    keys: readonly string[],
    transaction: Transaction = this.database,
  ): Promise<NotificationDeliveryRecord[]> {
    const rows = await transaction.notificationDelivery.findMany({ where: { ...organizationFilter(scope), dedupeKey: { in: [...keys] } } });
    const order = new Map(keys.map((key, index) => [key, index]));
    return rows.sort((a, b) => (order.get(a.dedupeKey) ?? 0) - (order.get(b.dedupeKey) ?? 0)).map(recordOf);
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
    await updateHistoryIn(prismaSession(transaction), organizationId, subjectId, change);
  }
}

/** The notifications one state change decided, with what they are checked against when stored. */
export interface NotificationDecision {
  organizationId: string;
  subject: NotificationSubjectRef;
  notifications: readonly PlannedNotification[];
  mutes: readonly NotificationMuteRecord[];
  bound: OrganizationBound;
  now: Date;
}

const COUNT_RECENT: PreparedStatement = {
  name: 'notification-count-recent',
  text: `SELECT count(*)::integer AS recent FROM "NotificationDelivery" WHERE "organizationId" = $1::uuid AND "createdAt" > $2::timestamp AND state <> 'Muted'`,
};

const INSERT_DELIVERIES: PreparedStatement = {
  name: 'notification-insert-deliveries',
  text: `INSERT INTO "NotificationDelivery" (id, "organizationId", "subjectKind", "subjectId", "subjectName", "clusterId", namespace, trigger, service,
      "serviceType", recipient, "dedupeKey", notification, state, "lastError", "nextAttemptAt", "createdAt", "updatedAt")
    SELECT d.id, d."organizationId", d."subjectKind", d."subjectId", d."subjectName", d."clusterId", d.namespace, d.trigger, d.service,
      d."serviceType", d.recipient, d."dedupeKey", d.notification, d.state::"NotificationDeliveryState", d."lastError", d.at, d.at, d.at
    FROM jsonb_to_recordset($1::jsonb) AS d(id uuid, "organizationId" uuid, "subjectKind" text, "subjectId" uuid, "subjectName" text, "clusterId" uuid,
      namespace text, trigger text, service text, "serviceType" text, recipient text, "dedupeKey" text, notification jsonb, state text, "lastError" text, at timestamp)
    ON CONFLICT ("organizationId", "dedupeKey") DO NOTHING RETURNING *`,
};

const FORGET_HISTORY: PreparedStatement = {
  name: 'notification-forget-history',
  text: `DELETE FROM "NotificationHistory" WHERE "organizationId" = $1::uuid AND "subjectId" = $2::uuid AND key = ANY($3::text[])`,
};

const REMEMBER_HISTORY: PreparedStatement = {
  name: 'notification-remember-history',
  text: `INSERT INTO "NotificationHistory" ("organizationId", "subjectId", key, "createdAt") SELECT $1::uuid, $2::uuid, key, $4::timestamp
    FROM unnest($3::text[]) AS key ON CONFLICT DO NOTHING`,
};

/**
 * Stores the notifications a state change decided, in the session of its transaction (Prisma's or the reconcile
 * batches'). A notification whose dedupe key the organization already stored is skipped (the same decision made
 * again), a muted one is kept as `Muted`, and one past the organization's bound as `Failed`. Returns the rows to
 * send, for the caller to queue after the commit.
 */
export async function recordDecision(session: SqlSession, decision: NotificationDecision): Promise<NotificationDeliveryRecord[]> {
  const { organizationId, subject, notifications, mutes, bound, now } = decision;
  if (notifications.length === 0) return [];
  const [counted] = await session.query<{ recent: number }>(COUNT_RECENT, [organizationId, new Date(now.getTime() - 60_000)]);
  let room = Math.max(0, bound.perMinute - (counted?.recent ?? 0));
  const rows = notifications.map((planned) => {
    const muted = isMuted(mutes, { subjectId: subject.id, trigger: planned.trigger, service: planned.service }, now);
    const overBound = !muted && room <= 0;
    if (!muted && !overBound) room -= 1;
    return {
      id: uuidV7(now.getTime()),
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
      at: now,
    };
  });
  const created = await session.query<NotificationDelivery>(INSERT_DELIVERIES, [JSON.stringify(rows)]);
  const order = new Map(rows.map((row, index) => [row.dedupeKey, index]));
  return created
    .filter((row) => row.state === 'Pending')
    .sort((a, b) => (order.get(a.dedupeKey) ?? 0) - (order.get(b.dedupeKey) ?? 0))
    .map(recordOf);
}

/** The notifications a state change decided, and the change to its subject's history, to store with the change. */
export interface ReconcileNotifications {
  decision: NotificationDecision;
  remember: readonly string[];
  forget: readonly string[];
}

/** A stored delivery to queue once the transaction that stored it has committed. */
export interface QueuedDelivery {
  id: string;
  attempts: number;
}

/**
 * Stores what a state change decided (`recordDecision`) and updates its subject's history, in the session of the
 * change's transaction; the deliveries to queue after the commit.
 */
export async function recordNotifications(
  session: SqlSession,
  { decision, remember, forget }: ReconcileNotifications,
): Promise<QueuedDelivery[]> {
  const recorded = await recordDecision(session, decision);
  await updateHistoryIn(session, decision.organizationId, decision.subject.id, { remember, forget, now: decision.now });
  return recorded.map(({ id, attempts }) => ({ id, attempts }));
}

/** Remembers and forgets `oncePer` and condition keys of a subject, in the session of the decision's transaction. */
export async function updateHistoryIn(
  session: SqlSession,
  organizationId: string,
  subjectId: string,
  change: { remember: readonly string[]; forget: readonly string[]; now?: Date },
): Promise<void> {
  if (change.forget.length > 0) await session.query(FORGET_HISTORY, [organizationId, subjectId, [...change.forget]]);
  if (change.remember.length > 0)
    await session.query(REMEMBER_HISTORY, [organizationId, subjectId, [...change.remember], change.now ?? new Date()]);
}

import type { Redis } from 'ioredis';
import { TriggerQueue } from './trigger-queue.js';

export const NOTIFICATION_QUEUE_NAME = 'notifications';
export const NOTIFICATION_JOB = 'deliver';

/** The payload of a delivery job: the outbox row to attempt. */
export interface NotificationJobData {
  deliveryId: string;
}

export function isNotificationJobData(value: unknown): value is NotificationJobData {
  if (typeof value !== 'object' || value === null) return false;
  const { deliveryId } = value as { deliveryId?: unknown };
  return typeof deliveryId === 'string' && deliveryId.length > 0;
}

/**
 * One job per attempt of a delivery: the outbox row counts its attempts, so a trigger sent twice for the same
 * attempt (after the commit, and again by the sweep) is one job.
 */
export const deliveryJobId = (deliveryId: string, attempts: number): string => `${deliveryId}.a${attempts}`;

/**
 * Producer side of the `notifications` queue. The outbox in Postgres is the source: a lost job (Redis flushed, a
 * worker killed) is queued again by the sweep from the rows due, and the row's claim keeps an attempt from being
 * made twice at once.
 */
export class NotificationQueue extends TriggerQueue<NotificationJobData> {
  constructor(connection: Redis, prefix: string) {
    super(NOTIFICATION_QUEUE_NAME, NOTIFICATION_JOB, connection, prefix);
  }

  /** Queues the attempt after `attempts` earlier ones, at `at` (now when absent or past). */
  deliver(deliveryId: string, attempts: number, at?: Date, now = new Date()): Promise<void> {
    const delay = at === undefined ? 0 : Math.max(0, at.getTime() - now.getTime());
    return this.enqueue({ deliveryId }, deliveryJobId(deliveryId, attempts), delay);
  }
}

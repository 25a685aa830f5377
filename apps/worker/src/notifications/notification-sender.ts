import type { DeliveryOutcome, NotificationService } from '@flotilla/notification-services';
import type { NotificationQueue } from '@flotilla/queues';
import { systemScope, type NotificationDeliveryRecord, type NotificationDeliveryStore } from '@flotilla/stores';
import type { Logger } from '@flotilla/service-runtime';
import { deliveryStep, type RetryPolicy } from './delivery-schedule.js';
import type { ServiceRateLimit } from './service-rate-limit.js';

/** The configured service a delivery goes through, secrets resolved; an outcome when it cannot be built (no such service). */
export type ServiceLookup = (delivery: NotificationDeliveryRecord) => Promise<NotificationService | DeliveryOutcome>;

/** What an attempt came to, for the job's log and metrics. */
export type AttemptResult =
  | { result: 'delivered' | 'retrying' | 'failed'; delivery: NotificationDeliveryRecord }
  | { result: 'skipped' }
  | { result: 'rate-limited'; retryAt: Date };

export interface NotificationSenderOptions {
  retry: RetryPolicy;
  /**
   * How long a claimed delivery is left to its attempt before the sweep may hand it to another worker: longer than
   * a request may take (`notificationClaimMs`).
   */
  claimMs: number;
  /** Rows the sweep queues at most per pass. */
  sweepBatch: number;
  /** Called once per finished attempt: delivered, retrying or failed, with the time from decision to now. */
  observe?: (delivery: NotificationDeliveryRecord, result: 'delivered' | 'retrying' | 'failed', now: Date) => void;
}

const SYSTEM = systemScope('notifications');

const isService = (value: NotificationService | DeliveryOutcome): value is NotificationService => 'send' in value;

/**
 * Sends the outbox's deliveries: one attempt per job, on a claimed row, then the row records the outcome and, when
 * another attempt is due, the job for it is queued. The sweep queues every row due whose job was lost.
 */
export class NotificationSender {
  constructor(
    private readonly deliveries: NotificationDeliveryStore,
    private readonly queue: NotificationQueue,
    private readonly lookup: ServiceLookup,
    private readonly rateLimit: ServiceRateLimit,
    private readonly logger: Logger,
    private readonly options: NotificationSenderOptions,
  ) {}

  /**
   * One attempt of the delivery, if it is still to be sent and due. Everything that can wait (the service's rate,
   * the configuration and the Secret read from the database) comes first; the row is claimed only then, just before
   * the request, so that its claim (`claimMs`, longer than a request may take) outlasts the attempt. `rateLimited` is
   * answered before the row is claimed: the caller delays the job and no attempt is counted.
   */
  async attempt(deliveryId: string, now = new Date()): Promise<AttemptResult> {
    const due = await this.deliveries.findDue(SYSTEM, deliveryId, now);
    if (!due) return { result: 'skipped' };
    const slot = await this.rateLimit.take(due.organizationId, due.service, now);
    if (!slot.allowed) {
      await this.deliveries.postpone(SYSTEM, due.id, now, slot.retryAt);
      return { result: 'rate-limited', retryAt: slot.retryAt };
    }
    const service = await this.prepare(due);
    const delivery = await this.deliveries.claim(SYSTEM, deliveryId, new Date(), this.options.claimMs);
    if (!delivery) return { result: 'skipped' };
    const outcome = isService(service) ? await this.send(service, delivery) : service;
    const finished = new Date();
    const step = deliveryStep(outcome, delivery.attempts, finished, this.options.retry);
    switch (step.kind) {
      case 'delivered':
        if (!(await this.deliveries.markDelivered(SYSTEM, delivery, finished))) return this.lostClaim(delivery);
        this.options.observe?.(delivery, 'delivered', finished);
        return { result: 'delivered', delivery };
      case 'retry':
        if (!(await this.deliveries.markRetry(SYSTEM, delivery, step.reason, step.at, finished))) return this.lostClaim(delivery);
        await this.queue.deliver(delivery.id, delivery.attempts, step.at, finished);
        this.logger.info(
          { deliveryId, attempts: delivery.attempts, retryAt: step.at, reason: step.reason },
          'notification delivery will be retried',
        );
        this.options.observe?.(delivery, 'retrying', finished);
        return { result: 'retrying', delivery };
      case 'failed':
        if (!(await this.deliveries.markFailed(SYSTEM, delivery, step.reason, finished))) return this.lostClaim(delivery);
        this.logger.warn({ deliveryId, attempts: delivery.attempts, reason: step.reason }, 'notification delivery failed');
        this.options.observe?.(delivery, 'failed', finished);
        return { result: 'failed', delivery };
    }
  }

  /** Queues every delivery due whose job may have been lost (Redis flushed, a worker killed mid-attempt). */
  async sweep(now = new Date()): Promise<number> {
    const due = await this.deliveries.due(SYSTEM, now, this.options.sweepBatch);
    await Promise.all(due.map((row) => this.queue.deliver(row.id, row.attempts)));
    return due.length;
  }

  /** The service to send through, or the outcome when it cannot be had. */
  private prepare(delivery: NotificationDeliveryRecord): Promise<NotificationService | DeliveryOutcome> {
    return this.ours(delivery, () => this.lookup(delivery));
  }

  private send(service: NotificationService, delivery: NotificationDeliveryRecord): Promise<DeliveryOutcome> {
    return this.ours(delivery, () => service.send(delivery.notification, delivery.recipient));
  }

  /** A failure of ours (the database, the key ring) rather than the receiver's: tried again like a 5xx. */
  private async ours<T>(delivery: NotificationDeliveryRecord, work: () => Promise<T | DeliveryOutcome>): Promise<T | DeliveryOutcome> {
    try {
      return await work();
    } catch (error) {
      this.logger.error({ err: error, deliveryId: delivery.id }, 'notification could not be attempted');
      return { kind: 'retryable', reason: 'the control plane could not attempt the delivery' };
    }
  }

  /** The attempt outlived its claim and another took the row: what it found is not recorded over the newer attempt's. */
  private lostClaim(delivery: NotificationDeliveryRecord): AttemptResult {
    this.logger.warn({ deliveryId: delivery.id, attempts: delivery.attempts }, 'a notification attempt outlived its claim');
    return { result: 'skipped' };
  }
}

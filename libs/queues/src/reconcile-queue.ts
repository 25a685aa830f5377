import { connectionErrorReported } from '@flotilla/service-runtime';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export const RECONCILE_QUEUE_NAME = 'reconcile';
export const RECONCILE_JOB = 'reconcile';

/** The payload of a reconcile job, shared by every producer and the worker: a rollout, or a standalone experiment. */
export type ReconcileJobData = { rolloutId: string } | { experimentId: string };

export function isReconcileJobData(value: unknown): value is ReconcileJobData {
  if (typeof value !== 'object' || value === null) return false;
  const { rolloutId, experimentId } = value as { rolloutId?: unknown; experimentId?: unknown };
  return typeof rolloutId === 'string' || typeof experimentId === 'string';
}

/**
 * Finished jobs are removed at once, so that the same trigger can be sent again later (a held rollout is asked
 * for again when its agent returns); failed ones stay a while for inspection.
 */
const JOB_OPTIONS = {
  removeOnComplete: true,
  // A job that used up its attempts (Postgres or Redis away for longer than its backoff) is dropped, not kept: kept,
  // its id would turn away the sweep's request for the same version, and the rollout would wait for a person. The
  // worker logs the failure.
  removeOnFail: true,
  attempts: 5,
  backoff: { type: 'exponential', delay: 200 },
} as const;

/**
 * Producer side of the `reconcile` queue. Job ids make duplicates harmless: every change of a rollout (or experiment) row bumps
 * its version, and a trigger for a version is one job however often it is sent; a wake-up at an exact time is
 * one job per time. The queue is disposable: the worker's sweep re-derives what is due from Postgres.
 */
export class ReconcileQueue {
  readonly queue: Queue<ReconcileJobData>;

  /**
   * @param wakeUpHorizonMs wake-ups further off than this are not queued: the sweep queues each of them, for its
   * exact time, once it comes this close (`ReconcileSweep`), so that Redis holds no timer for a far deadline and a
   * deadline moved on before it comes leaves no job behind to wake the rollout for nothing.
   */
  constructor(
    connection: Redis,
    prefix: string,
    readonly wakeUpHorizonMs = Number.POSITIVE_INFINITY,
  ) {
    this.queue = new Queue<ReconcileJobData>(RECONCILE_QUEUE_NAME, { connection, prefix });
    this.queue.on('error', connectionErrorReported);
  }

  /** Asks for a reconcile of the rollout as it is at `version`. */
  async request(rolloutId: string, version: number): Promise<void> {
    await this.queue.add(RECONCILE_JOB, { rolloutId }, { jobId: `${rolloutId}.v${version}`, ...JOB_OPTIONS });
  }

  /** Wakes the rollout's reconcile at an exact time (end of a pause, a delay or a deadline) within the horizon. */
  async wakeAt(rolloutId: string, at: Date, now = new Date()): Promise<void> {
    if (this.beyondHorizon(at, now)) return;
    await this.queue.add(
      RECONCILE_JOB,
      { rolloutId },
      { jobId: `${rolloutId}.t${at.getTime()}`, delay: Math.max(0, at.getTime() - now.getTime()), ...JOB_OPTIONS },
    );
  }

  /** Asks for a reconcile of the standalone experiment as it is at `version`. */
  async requestExperiment(experimentId: string, version: number): Promise<void> {
    await this.queue.add(RECONCILE_JOB, { experimentId }, { jobId: `${experimentId}.v${version}`, ...JOB_OPTIONS });
  }

  /** Wakes the standalone experiment's reconcile at an exact time (end of its duration, a deadline, its scale-down) within the horizon. */
  async wakeExperimentAt(experimentId: string, at: Date, now = new Date()): Promise<void> {
    if (this.beyondHorizon(at, now)) return;
    await this.queue.add(
      RECONCILE_JOB,
      { experimentId },
      { jobId: `${experimentId}.t${at.getTime()}`, delay: Math.max(0, at.getTime() - now.getTime()), ...JOB_OPTIONS },
    );
  }

  private beyondHorizon(at: Date, now: Date): boolean {
    return at.getTime() - now.getTime() > this.wakeUpHorizonMs;
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

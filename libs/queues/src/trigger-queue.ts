import { connectionErrorReported } from '@flotilla/service-runtime';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Finished jobs are removed at once, so that the same trigger can be sent again later (a held rollout is asked
 * for again when its agent returns); failed ones stay a while for inspection.
 */
export const TRIGGER_JOB_OPTIONS = {
  removeOnComplete: true,
  // A job that used up its attempts (Postgres or Redis away for longer than its backoff) is dropped, not kept: kept,
  // its id would turn away the sweep's request for the same version, and the object would wait for a person. The
  // worker logs the failure.
  removeOnFail: true,
  attempts: 5,
  backoff: { type: 'exponential', delay: 200 },
} as const;

/** The id of the job that reconciles a row as it is at `version`: a trigger for a version is one job however often sent. */
export const versionJobId = (id: string, version: number): string => `${id}.v${version}`;

/**
 * The id of the job that reconciles a row at `version` because its analysis run `runId` reached `phase`. The run is a
 * row of its own and leaves the owner's version as it was: under the version's own id, the trigger would be turned
 * away while a job for that version is under way, which may have read the run before, and the owner would wait for
 * the sweep.
 */
export const runPhaseJobId = (id: string, version: number, runId: string, phase: string): string =>
  `${versionJobId(id, version)}.a${runId}.${phase}`;

/** The id of the job that wakes a row at an exact time: one job per time. */
export const wakeUpJobId = (id: string, at: Date): string => `${id}.t${at.getTime()}`;

/** Whether `jobId` names a wake-up (`wakeUpJobId`) rather than a trigger. */
export const isWakeUpJobId = (jobId: string): boolean => /\.t\d+$/.test(jobId);

/**
 * A queue of reconcile triggers, whose job ids make duplicates harmless: every change of a row bumps its version,
 * and a trigger names the version it was sent for. The queue is disposable: the worker's sweep re-derives what is
 * due from Postgres.
 */
export class TriggerQueue<Data extends object> {
  // Every type parameter spelled out: BullMQ derives the defaults through conditional types a generic `Data` leaves open.
  readonly queue: Queue<Data, unknown, string, Data, unknown, string>;

  /**
   * @param wakeUpHorizonMs wake-ups further off than this are not queued: the sweep queues each of them, for its
   * exact time, once it comes this close (`ReconcileSweep`), so that Redis holds no timer for a far deadline and a
   * deadline moved on before it comes leaves no job behind to wake the row for nothing.
   */
  constructor(
    queueName: string,
    private readonly jobName: string,
    connection: Redis,
    prefix: string,
    readonly wakeUpHorizonMs = Number.POSITIVE_INFINITY,
  ) {
    this.queue = new Queue<Data, unknown, string, Data, unknown, string>(queueName, { connection, prefix });
    this.queue.on('error', connectionErrorReported);
  }

  /** Queues the trigger `jobId`, unless a job of that id is already waiting. */
  protected async trigger(data: Data, jobId: string): Promise<void> {
    await this.queue.add(this.jobName, data, { jobId, ...TRIGGER_JOB_OPTIONS });
  }

  /** Queues `jobId` to run after `delayMs`, unless a job of that id is already waiting. */
  protected async enqueue(data: Data, jobId: string, delayMs: number): Promise<void> {
    await this.queue.add(this.jobName, data, { jobId, ...(delayMs > 0 ? { delay: delayMs } : {}), ...TRIGGER_JOB_OPTIONS });
  }

  /** Queues a wake-up of the row `id` at `at`, delayed until then, when it is within the horizon. */
  protected async wakeUp(data: Data, id: string, at: Date, now: Date): Promise<void> {
    if (at.getTime() - now.getTime() > this.wakeUpHorizonMs) return;
    await this.queue.add(this.jobName, data, {
      jobId: wakeUpJobId(id, at),
      delay: Math.max(0, at.getTime() - now.getTime()),
      ...TRIGGER_JOB_OPTIONS,
    });
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

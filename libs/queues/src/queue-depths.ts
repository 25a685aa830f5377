import { connectionErrorReported } from '@flotilla/service-runtime';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** The states a job waits or works in; finished jobs are removed and not counted. */
export const QUEUE_JOB_STATES = ['wait', 'prioritized', 'delayed', 'active', 'failed'] as const;
export type QueueJobState = (typeof QUEUE_JOB_STATES)[number];

export interface QueueDepth {
  queue: string;
  state: QueueJobState;
  jobs: number;
}

/** Reads how many jobs each queue holds per state: one round trip of a few counting commands per queue. */
export class QueueDepths {
  private readonly queues: Queue[];

  constructor(connection: Redis, prefix: string, queueNames: readonly string[]) {
    this.queues = queueNames.map((name) => {
      const queue = new Queue(name, { connection, prefix });
      queue.on('error', connectionErrorReported);
      return queue;
    });
  }

  async read(): Promise<QueueDepth[]> {
    const counted = await Promise.all(
      this.queues.map(async (queue) => ({ queue: queue.name, counts: await queue.getJobCounts(...QUEUE_JOB_STATES) })),
    );
    return counted.flatMap(({ queue, counts }) => QUEUE_JOB_STATES.map((state) => ({ queue, state, jobs: counts[state] ?? 0 })));
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((queue) => queue.close()));
  }
}

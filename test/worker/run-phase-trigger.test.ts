import { randomUUID } from 'node:crypto';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RECONCILE_QUEUE_NAME, ReconcileQueue, runPhaseJobId, versionJobId } from '../../libs/queues/src/index.js';
import { eventually } from '../support/processes.js';

const prefix = `run-phase-${randomUUID().slice(0, 8)}`;
const rolloutId = randomUUID();
const runId = randomUUID();
let connection: Redis;
let queue: ReconcileQueue;
let worker: Worker;
const started: string[] = [];
let finishFirst: () => void = () => undefined;

beforeAll(() => {
  connection = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  queue = new ReconcileQueue(connection, prefix);
  // The first job stays under way until the test lets it finish, as a reconcile that has read the run before it ended.
  const firstFinishes = new Promise<void>((resolve) => {
    finishFirst = resolve;
  });
  worker = new Worker(
    RECONCILE_QUEUE_NAME,
    async (job: Job) => {
      started.push(job.id ?? '');
      if (started.length === 1) await firstFinishes;
    },
    { connection: connection.duplicate(), prefix, concurrency: 4 },
  );
});

afterAll(async () => {
  finishFirst();
  await worker.close();
  await queue.close();
  await connection.quit();
});

describe("a trigger for an analysis run's new phase", () => {
  it('is queued while a reconcile of the same version is under way, which a trigger for the version is not', async () => {
    await queue.request(rolloutId, 7);
    await eventually(() => started.length === 1, 5_000, 'the first reconcile to start');

    await queue.request(rolloutId, 7);
    await queue.runPhaseChanged(rolloutId, 7, runId, 'Successful');
    await queue.runPhaseChanged(rolloutId, 7, runId, 'Successful');
    await eventually(() => started.length === 2, 5_000, 'the run phase trigger to start beside it');
    finishFirst();
    await eventually(async () => (await queue.queue.getJobCounts('active', 'waiting')).active === 0, 5_000, 'both to finish');

    expect(started).toEqual([versionJobId(rolloutId, 7), runPhaseJobId(rolloutId, 7, runId, 'Successful')]);
  });
});

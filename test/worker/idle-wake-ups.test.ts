import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { activityOf } from '../../tools/src/bench/control-plane/process-cpu.js';
import { RECONCILE_QUEUE_NAME } from '../../libs/queues/src/reconcile-queue.js';
import { startApiProcess, type ApiProcess } from '../support/api-process.js';
import { eventually, startNodeProcess, stopProcess } from '../support/processes.js';

// A process at rest wakes for its timers only: each wake-up of a replica costs CPU whatever the load, and a control
// plane runs several replicas of each process. prom-client's event-loop sampling alone woke each 100 times a second.
const REDIS_PREFIX = `idle-${randomUUID().slice(0, 8)}`;
const environment = { DATABASE_URL: inject('databaseUrl'), REDIS_URL: inject('redisUrl'), REDIS_PREFIX };
const WINDOW_MS = 3_000;
/** Timers, the sweep's queries, BullMQ's blocking reads: a few dozen a second at most. */
const MAX_WAKE_UPS_PER_SECOND = 40;

let api: ApiProcess;
let worker: ChildProcess;

beforeAll(async () => {
  api = await startApiProcess(environment);
  worker = startNodeProcess('apps/worker/dist/main.js', environment);
  const redis = new Redis(inject('redisUrl'));
  const queue = new Queue(RECONCILE_QUEUE_NAME, { connection: redis, prefix: REDIS_PREFIX });
  try {
    await eventually(async () => (await queue.getWorkersCount()) > 0, 30_000, 'the worker to take reconcile jobs');
  } finally {
    await queue.close();
    redis.disconnect();
  }
  // Past the start-up's own work (the first sweep, connections opening).
  await sleep(1_000);
});
afterAll(async () => {
  await Promise.all([api && stopProcess(api.child), worker && stopProcess(worker)]);
});

async function wakeUpsPerSecond(pid: number): Promise<number> {
  const before = activityOf(pid).wakeUps;
  await sleep(WINDOW_MS);
  return ((activityOf(pid).wakeUps - before) * 1000) / WINDOW_MS;
}

describe('an idle API and worker', () => {
  it('wake their event loops a few times a second, not a hundred', async () => {
    const [apiRate, workerRate] = await Promise.all([wakeUpsPerSecond(api.child.pid as number), wakeUpsPerSecond(worker.pid as number)]);
    expect(apiRate).toBeLessThan(MAX_WAKE_UPS_PER_SECOND);
    expect(workerRate).toBeLessThan(MAX_WAKE_UPS_PER_SECOND);
  });
});

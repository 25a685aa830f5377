import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SweepClaim } from '../../apps/worker/src/reconcile/sweep-claim.js';
import { eventually } from '../support/processes.js';

let redis: Redis;
const key = (name: string): string => `flotilla-test:${process.pid}:${Date.now()}:${name}`;

beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});

afterAll(async () => {
  await redis.quit();
});

describe('SweepClaim', () => {
  it('lets one worker of several sweep an interval', async () => {
    const shared = key('one-of-several');
    const workers = ['worker-a', 'worker-b', 'worker-c'].map((holder) => new SweepClaim(redis, shared, 10_000, holder));
    const claimed = await Promise.all(workers.map((worker) => worker.claim()));
    expect(claimed.filter(Boolean)).toHaveLength(1);
    expect(await workers[1]!.claim()).toBe(false);
  });

  it('lets another worker sweep once the claim of the one that swept lapses', async () => {
    const shared = key('lapse');
    const first = new SweepClaim(redis, shared, 1_000, 'worker-a');
    const second = new SweepClaim(redis, shared, 1_000, 'worker-b');
    expect(await first.claim()).toBe(true);
    await eventually(() => second.claim(), 5_000, 'the claim to lapse');
    expect(await first.claim()).toBe(false);
  });

  it('sweeps when Redis cannot answer', async () => {
    const unreachable = new Redis({ port: 1, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    unreachable.on('error', () => undefined);
    expect(await new SweepClaim(unreachable, key('unreachable'), 10_000, 'worker-a').claim()).toBe(true);
    unreachable.disconnect();
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisConnection } from '@flotilla/service-runtime';
import { PrivateRedisSentinel } from '../support/private-services.js';
import { eventually } from '../support/processes.js';

// A connection through Sentinel must never give up: whatever the order in which the primary dies, the sentinels
// promote the replica and announce it, and the connection asks them again, it ends up on the new primary.

let group: PrivateRedisSentinel | undefined;
let connection: Redis | undefined;

beforeAll(async () => {
  group = await PrivateRedisSentinel.start(3);
}, 90_000);

afterAll(async () => {
  connection?.disconnect();
  await group?.stop();
});

describe('a Redis connection through Sentinel', { timeout: 90_000 }, () => {
  it('reaches the new primary when the failover is announced while it is still asking a sentinel for the primary', async () => {
    const sentinels = group!;
    connection = createRedisConnection(sentinels.target, { forWorkers: true });
    await connection.set('before', 'failover');
    // Time for anything the connection subscribes to on the sentinels to be in place before the primary goes.
    await sleep(1000);

    // The connection asks the first sentinel of its list first; frozen, that one holds the question unanswered
    // while the two others, a majority, promote the replica and announce the switch.
    sentinels.freezeSentinel(0);
    await sentinels.primary.kill();
    await eventually(
      async () =>
        (await sentinels.primaryPort(1)) === sentinels.replica.port && (await sentinels.primaryPort(2)) === sentinels.replica.port,
      30_000,
      'the two answering sentinels to promote the replica',
    );
    expect(['reconnecting', 'connecting', 'connect']).toContain(connection.status);
    sentinels.thawSentinel(0);

    const reconnected = connection;
    await eventually(
      async () => (await reconnected.set('after', 'failover').catch(() => undefined)) === 'OK',
      30_000,
      'a write on the new primary',
    );
    expect(await reconnected.get('before')).toBe('failover');
    expect(reconnected.status).toBe('ready');
  });
});

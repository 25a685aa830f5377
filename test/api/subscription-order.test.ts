import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { subscriptionFor } from '../../apps/api/src/common/graphql/subscription.js';
import { EventBus, type RolloutChanged } from '../../libs/events/src/index.js';
import { createLogger } from '../../libs/service-runtime/src/index.js';
import { eventually } from '../support/processes.js';

const publisher = new Redis(inject('redisUrl'));
const subscriber = new Redis(inject('redisUrl'));
const prefix = `subscription-test-${randomUUID()}`;
const bus = new EventBus(publisher, subscriber, createLogger('test', 'silent'), prefix);
await bus.start();
afterAll(async () => {
  await Promise.allSettled([publisher.quit(), subscriber.quit()]);
});

const changed = (name: string, version: number, organizationId = 'org-1') =>
  bus.publish('rolloutChanged', {
    organizationId,
    payload: { id: randomUUID(), version, cluster: 'staging', namespace: 'shop', name } satisfies RolloutChanged,
  });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('a GraphQL subscription over the event bus', () => {
  it("gives each change's results in the order the changes came, though reading the first took longest, and none for one it could not read", async () => {
    // Given a subscription whose results take a read: the first slow, the second failing
    const reads: string[] = [];
    const iterator = subscriptionFor(bus, 'rolloutChanged', 'org-1', async (change) => {
      reads.push(change.name);
      if (change.name === 'first') await sleep(300);
      if (change.name === 'unreadable') throw new Error('the database is down');
      return [`${change.name}@${change.version}`];
    });
    const received: string[] = [];
    const draining = (async () => {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) received.push(next.value);
    })();
    const subscribed = async (): Promise<true | undefined> => {
      const [, count] = (await publisher.pubsub('NUMSUB', `${prefix}:events:rolloutChanged`)) as [string, number];
      return count === 1 ? true : undefined;
    };
    await eventually(subscribed, 5_000, 'the subscription to reach Redis');

    // When four changes come, one of another organization
    await changed('first', 1);
    await changed('unreadable', 2);
    await changed('elsewhere', 3, 'org-2');
    await changed('last', 4);

    // Then the results come in order, without the unreadable change's nor the other organization's
    await eventually(() => (received.length === 2 ? true : undefined), 5_000, 'both results');
    expect(received).toEqual(['first@1', 'last@4']);
    expect(reads).toEqual(['first', 'unreadable', 'last']);
    await iterator.return?.();
    await draining;
  });
});

import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { EventBus, type BusMessage, type DesiredStateChanged } from '../../libs/events/src/index.js';
import { createLogger } from '../../libs/service-runtime/src/index.js';
import { eventually } from '../support/processes.js';

const publisher = new Redis(inject('redisUrl'));
const subscribers: Redis[] = [];
afterAll(async () => {
  await Promise.allSettled([publisher.quit(), ...subscribers.map((subscriber) => subscriber.quit())]);
});

/** A bus on a Redis prefix of its own, with its subscriber connection and the full name of a channel (`topic` or `topic:cluster`). */
function busOnItsOwnPrefix(): { bus: EventBus; subscriber: Redis; channel: (name: string) => string } {
  const prefix = `event-bus-test-${randomUUID()}`;
  const subscriber = new Redis(inject('redisUrl'));
  subscribers.push(subscriber);
  return {
    bus: new EventBus(publisher, subscriber, createLogger('test', 'silent'), prefix),
    subscriber,
    channel: (name) => `${prefix}:events:${name}`,
  };
}

/** How many connections Redis would send a message on `channel` to. */
async function subscribersOf(channel: string): Promise<number> {
  const [, count] = (await publisher.pubsub('NUMSUB', channel)) as [string, number];
  return count;
}

const change = (name: string, clusterId = 'cluster-1'): BusMessage<DesiredStateChanged> => ({
  organizationId: 'org-1',
  payload: { clusterId, id: randomUUID(), key: { namespace: 'shop', name } },
});

describe('EventBus', () => {
  it('subscribes to a topic only while something listens to it, so that Redis sends no other topic', async () => {
    // Given a started bus with a listener of audit appends only
    const { bus, channel } = busOnItsOwnPrefix();
    await bus.start();
    const stop = bus.listen('auditEventsAdded', () => undefined);

    // Then Redis sends that topic to the bus and no other
    await eventually(async () => (await subscribersOf(channel('auditEventsAdded'))) === 1, 5000, 'the subscription');
    expect(await subscribersOf(channel('rolloutChanged'))).toBe(0);

    // When the last listener stops, Redis stops sending the topic
    stop();
    await eventually(async () => (await subscribersOf(channel('auditEventsAdded'))) === 0, 5000, 'the unsubscription');
  });

  it("delivers a topic's events to its listeners, and none after they stop", async () => {
    // Given two listeners of one cluster's desired-state changes, one of which stops after the first event
    const { bus, channel } = busOnItsOwnPrefix();
    await bus.start();
    const staying: string[] = [];
    const leaving: string[] = [];
    bus.listenToCluster('desiredStateChanged', 'cluster-1', ({ payload }) => staying.push(payload.key.name));
    const leavingSubscription = bus.listenToCluster('desiredStateChanged', 'cluster-1', ({ payload }) => leaving.push(payload.key.name));
    await leavingSubscription.subscribed;

    // When two changes are published, the leaving listener stopping between them
    await bus.publish('desiredStateChanged', change('first'));
    await eventually(() => leaving.length === 1, 5000, 'the first change');
    leavingSubscription.stop();
    await bus.publish('desiredStateChanged', change('second'));

    // Then the staying listener gets both, in order, and the leaving one only the first
    await eventually(() => staying.length === 2, 5000, 'the second change');
    expect(staying).toEqual(['first', 'second']);
    expect(leaving).toEqual(['first']);
    expect(await subscribersOf(channel('desiredStateChanged:cluster-1'))).toBe(1);
  });

  it('subscribes at start to the topics listened to before, and again to a topic left and listened to at once', async () => {
    // Given a listener registered before the bus starts
    const { bus, subscriber, channel } = busOnItsOwnPrefix();
    const received: string[] = [];
    const subscription = bus.listenToCluster('desiredStateChanged', 'cluster-1', ({ payload }) => received.push(payload.key.name));
    expect(await subscribersOf(channel('desiredStateChanged:cluster-1'))).toBe(0);

    // When the bus starts, then its channel is subscribed and its events delivered
    await bus.start();
    await subscription.subscribed;
    expect(await subscribersOf(channel('desiredStateChanged:cluster-1'))).toBe(1);
    await bus.publish('desiredStateChanged', change('after start'));
    await eventually(() => received.length === 1, 5000, 'the change');

    // When another topic is listened to, left and listened to again in the same turn
    bus.listen('rolloutChanged', () => undefined)();
    bus.listen('rolloutChanged', () => undefined);

    // Then it ends up subscribed, once the subscriber connection has answered everything sent before
    await subscriber.ping();
    expect(await subscribersOf(channel('rolloutChanged'))).toBe(1);
  });

  it("sends a cluster's events only to the listeners of that cluster, from the moment its subscription settles", async () => {
    // Given a started bus whose listeners hold two clusters, as the API holding their agents does
    const { bus, channel } = busOnItsOwnPrefix();
    await bus.start();
    const heard: string[] = [];
    const held = ['cluster-1', 'cluster-2'].map((clusterId) =>
      bus.listenToCluster('desiredStateChanged', clusterId, ({ payload }) => heard.push(`${payload.clusterId}/${payload.key.name}`)),
    );
    await Promise.all(held.map((subscription) => subscription.subscribed));

    // When changes are published at once for those clusters and for one it does not hold
    await bus.publish('desiredStateChanged', change('checkout', 'cluster-3'));
    await bus.publish('desiredStateChanged', change('checkout', 'cluster-2'));
    await bus.publish('desiredStateChanged', change('cart', 'cluster-1'));

    // Then it hears its clusters' changes, and Redis never sends it the other cluster's
    await eventually(() => heard.length === 2, 5000, 'the held clusters’ changes');
    expect(heard).toEqual(['cluster-2/checkout', 'cluster-1/cart']);
    expect(await subscribersOf(channel('desiredStateChanged:cluster-3'))).toBe(0);
    expect(await subscribersOf(channel('desiredStateChanged'))).toBe(0);

    // When it lets a cluster go (its agent went to another API), Redis stops sending that cluster's channel
    held[0]?.stop();
    await eventually(async () => (await subscribersOf(channel('desiredStateChanged:cluster-1'))) === 0, 5000, 'the unsubscription');
    expect(await subscribersOf(channel('desiredStateChanged:cluster-2'))).toBe(1);
  });
});

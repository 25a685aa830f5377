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

/** A bus on a Redis prefix of its own, with its subscriber connection and the channel name of each topic. */
function busOnItsOwnPrefix(): { bus: EventBus; subscriber: Redis; channel: (topic: string) => string } {
  const prefix = `event-bus-test-${randomUUID()}`;
  const subscriber = new Redis(inject('redisUrl'));
  subscribers.push(subscriber);
  return {
    bus: new EventBus(publisher, subscriber, createLogger('test', 'silent'), prefix),
    subscriber,
    channel: (topic) => `${prefix}:events:${topic}`,
  };
}

/** How many connections Redis would send a message on `channel` to. */
async function subscribersOf(channel: string): Promise<number> {
  const [, count] = (await publisher.pubsub('NUMSUB', channel)) as [string, number];
  return count;
}

const change = (name: string): BusMessage<DesiredStateChanged> => ({
  organizationId: 'org-1',
  payload: { clusterId: 'cluster-1', id: randomUUID(), key: { namespace: 'shop', name } },
});

describe('EventBus', () => {
  it('subscribes to a topic only while something listens to it, so that Redis sends no other topic', async () => {
    // Given a started bus with a listener of desired-state changes only
    const { bus, channel } = busOnItsOwnPrefix();
    await bus.start();
    const stop = bus.listen('desiredStateChanged', () => undefined);

    // Then Redis sends that topic to the bus and no other
    await eventually(async () => (await subscribersOf(channel('desiredStateChanged'))) === 1, 5000, 'the subscription');
    expect(await subscribersOf(channel('rolloutChanged'))).toBe(0);

    // When the last listener stops, Redis stops sending the topic
    stop();
    await eventually(async () => (await subscribersOf(channel('desiredStateChanged'))) === 0, 5000, 'the unsubscription');
  });

  it("delivers a topic's events to its listeners, and none after they stop", async () => {
    // Given two listeners of desired-state changes, one of which stops after the first event
    const { bus, channel } = busOnItsOwnPrefix();
    await bus.start();
    const staying: string[] = [];
    const leaving: string[] = [];
    bus.listen('desiredStateChanged', ({ payload }) => staying.push(payload.key.name));
    const stopLeaving = bus.listen('desiredStateChanged', ({ payload }) => leaving.push(payload.key.name));
    await eventually(async () => (await subscribersOf(channel('desiredStateChanged'))) === 1, 5000, 'the subscription');

    // When two changes are published, the leaving listener stopping between them
    await bus.publish('desiredStateChanged', change('first'));
    await eventually(() => leaving.length === 1, 5000, 'the first change');
    stopLeaving();
    await bus.publish('desiredStateChanged', change('second'));

    // Then the staying listener gets both, in order, and the leaving one only the first
    await eventually(() => staying.length === 2, 5000, 'the second change');
    expect(staying).toEqual(['first', 'second']);
    expect(leaving).toEqual(['first']);
    expect(await subscribersOf(channel('desiredStateChanged'))).toBe(1);
  });

  it('subscribes at start to the topics listened to before, and again to a topic left and listened to at once', async () => {
    // Given a listener registered before the bus starts
    const { bus, subscriber, channel } = busOnItsOwnPrefix();
    const received: string[] = [];
    bus.listen('desiredStateChanged', ({ payload }) => received.push(payload.key.name));
    expect(await subscribersOf(channel('desiredStateChanged'))).toBe(0);

    // When the bus starts, then its topic is subscribed and its events delivered
    await bus.start();
    expect(await subscribersOf(channel('desiredStateChanged'))).toBe(1);
    await bus.publish('desiredStateChanged', change('after start'));
    await eventually(() => received.length === 1, 5000, 'the change');

    // When another topic is listened to, left and listened to again in the same turn
    bus.listen('rolloutChanged', () => undefined)();
    bus.listen('rolloutChanged', () => undefined);

    // Then it ends up subscribed, once the subscriber connection has answered everything sent before
    await subscriber.ping();
    expect(await subscribersOf(channel('rolloutChanged'))).toBe(1);
  });
});

import type { Redis } from 'ioredis';
import type { Logger } from '@flotilla/service-runtime';

import type { EventTopics, Topic } from './topics.js';

export interface BusMessage<P> {
  organizationId: string;
  payload: P;
}

type Listener<T extends Topic> = (message: BusMessage<EventTopics[T]>) => void;

/**
 * Fans events out to every API process through Redis publish/subscribe. Losing one is harmless:
 * subscribers get the next change, and the database holds the truth.
 *
 * A process subscribes to a topic's channel only while something listens to it: Redis sends none of the other topics'
 * messages, which every process would otherwise receive and decode (a changed rollout's whole row each time).
 */
export class EventBus {
  private readonly listeners = new Map<Topic, Set<Listener<Topic>>>();
  private readonly channelPrefix: string;
  private started = false;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly logger: Logger,
    redisPrefix: string,
  ) {
    this.channelPrefix = `${redisPrefix}:events:`;
  }

  /** Subscribes to the topics listened to so far, and from now on to each as its first listener comes. */
  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, text: string) => this.deliver(channel, text));
    this.started = true;
    const topics = [...this.listeners.keys()];
    if (topics.length > 0) await this.subscriber.subscribe(...topics.map((topic) => this.channelPrefix + topic));
  }

  async publish<T extends Topic>(topic: T, message: BusMessage<EventTopics[T]>): Promise<void> {
    try {
      await this.publisher.publish(this.channelPrefix + topic, JSON.stringify(message));
    } catch (error) {
      this.logger.warn({ err: error, topic }, 'event not published');
    }
  }

  /**
   * Returns a function that stops listening. A topic's first listener subscribes to it, which takes a round trip to
   * Redis: events published before that are not delivered.
   */
  listen<T extends Topic>(topic: T, listener: Listener<T>): () => void {
    const untyped = listener as Listener<Topic>;
    const listeners = this.listeners.get(topic);
    if (listeners) listeners.add(untyped);
    else {
      this.listeners.set(topic, new Set([untyped]));
      if (this.started) this.follow('subscribe', topic);
    }
    return () => {
      const current = this.listeners.get(topic);
      if (!current?.delete(untyped) || current.size > 0) return;
      this.listeners.delete(topic);
      if (this.started) this.follow('unsubscribe', topic);
    };
  }

  /** Commands on one connection run in order: a topic left and listened to again ends up subscribed. */
  private follow(command: 'subscribe' | 'unsubscribe', topic: Topic): void {
    this.subscriber[command](this.channelPrefix + topic).catch((error: unknown) =>
      this.logger.warn({ err: error, topic }, `event topic not ${command}d`),
    );
  }

  private deliver(channel: string, text: string): void {
    const listeners = this.listeners.get(channel.slice(this.channelPrefix.length) as Topic);
    if (!listeners || listeners.size === 0) return;
    let message: BusMessage<EventTopics[Topic]>;
    try {
      // Only this bus publishes on its channels, each topic with its own payload.
      message = JSON.parse(text) as BusMessage<EventTopics[Topic]>;
    } catch {
      this.logger.warn({ channel }, 'unreadable event dropped');
      return;
    }
    for (const listener of listeners) listener(message);
  }
}

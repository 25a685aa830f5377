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
 */
export class EventBus {
  private readonly listeners = new Map<Topic, Set<Listener<Topic>>>();
  private readonly channelPrefix: string;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly logger: Logger,
    redisPrefix: string,
  ) {
    this.channelPrefix = `${redisPrefix}:events:`;
  }

  async start(): Promise<void> {
    this.subscriber.on('pmessage', (_pattern: string, channel: string, text: string) => this.deliver(channel, text));
    await this.subscriber.psubscribe(`${this.channelPrefix}*`);
  }

  async publish<T extends Topic>(topic: T, message: BusMessage<EventTopics[T]>): Promise<void> {
    try {
      await this.publisher.publish(this.channelPrefix + topic, JSON.stringify(message));
    } catch (error) {
      this.logger.warn({ err: error, topic }, 'event not published');
    }
  }

  /** Returns a function that stops listening. */
  listen<T extends Topic>(topic: T, listener: Listener<T>): () => void {
    const listeners = this.listeners.get(topic) ?? new Set<Listener<Topic>>();
    const untyped = listener as Listener<Topic>;
    listeners.add(untyped);
    this.listeners.set(topic, listeners);
    return () => listeners.delete(untyped);
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

import type { Redis } from 'ioredis';
import type { Logger } from './logger.js';

export type Topic = 'rolloutChanged' | 'auditEventsAdded' | 'desiredStateChanged' | 'measurementRequested';

export interface BusMessage<P> {
  organizationId: string;
  payload: P;
}

type Listener = (message: BusMessage<unknown>) => void;

/**
 * Fans events out to every API process through Redis publish/subscribe. Losing one is harmless:
 * subscribers get the next change, and the database holds the truth.
 */
export class EventBus {
  private readonly listeners = new Map<Topic, Set<Listener>>();
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

  async publish<P>(topic: Topic, message: BusMessage<P>): Promise<void> {
    try {
      await this.publisher.publish(this.channelPrefix + topic, JSON.stringify(message));
    } catch (error) {
      this.logger.warn({ err: error, topic }, 'event not published');
    }
  }

  /** Returns a function that stops listening. */
  listen(topic: Topic, listener: Listener): () => void {
    const listeners = this.listeners.get(topic) ?? new Set<Listener>();
    listeners.add(listener);
    this.listeners.set(topic, listeners);
    return () => listeners.delete(listener);
  }

  private deliver(channel: string, text: string): void {
    const topic = channel.slice(this.channelPrefix.length) as Topic;
    const listeners = this.listeners.get(topic);
    if (!listeners || listeners.size === 0) return;
    let message: BusMessage<unknown>;
    try {
      message = JSON.parse(text) as BusMessage<unknown>;
    } catch {
      this.logger.warn({ channel }, 'unreadable event dropped');
      return;
    }
    for (const listener of listeners) listener(message);
  }
}

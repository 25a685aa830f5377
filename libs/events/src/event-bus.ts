import type { Redis } from 'ioredis';
import type { Logger } from '@flotilla/service-runtime';

import { isClusterTopic, type BroadcastTopic, type ClusterTopic, type EventTopics, type Topic } from './topics.js';

export interface BusMessage<P> {
  organizationId: string;
  payload: P;
}

type Listener<T extends Topic> = (message: BusMessage<EventTopics[T]>) => void;

/** A listener of one cluster's events: `subscribed` settles once Redis sends them to this process. */
export interface ClusterSubscription {
  readonly subscribed: Promise<void>;
  stop(): void;
}

interface Channel {
  readonly listeners: Set<Listener<Topic>>;
  /** Settles once the subscriber connection has subscribed (or failed to, which is logged). */
  subscribed: Promise<void>;
}

/**
 * Fans events out to the API processes through Redis publish/subscribe. Losing one is harmless:
 * subscribers get the next change, and the database holds the truth.
 *
 * A process subscribes to a channel only while something listens to it: Redis sends it nothing else, which every
 * process would otherwise receive and decode (a changed rollout's whole row each time). A cluster topic has a
 * channel per cluster (see `CLUSTER_TOPICS`), so that only the process holding a cluster's agent hears its events.
 */
export class EventBus {
  private readonly channels = new Map<string, Channel>();
  private readonly channelPrefix: string;
  private started = false;
  private markStarted: () => void = () => undefined;
  /** Settles when `start` has subscribed the channels listened to before it. */
  private readonly startup = new Promise<void>((resolve) => {
    this.markStarted = resolve;
  });

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly logger: Logger,
    redisPrefix: string,
  ) {
    this.channelPrefix = `${redisPrefix}:events:`;
  }

  /** Subscribes to the channels listened to so far, and from now on to each as its first listener comes. */
  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, text: string) => this.deliver(channel, text));
    this.started = true;
    const names = [...this.channels.keys()];
    if (names.length > 0) await this.follow('subscribe', ...names);
    this.markStarted();
  }

  async publish<T extends Topic>(topic: T, message: BusMessage<EventTopics[T]>): Promise<void> {
    const channel = isClusterTopic(topic)
      ? this.clusterChannel(topic, (message.payload as EventTopics[ClusterTopic]).clusterId)
      : this.channelPrefix + topic;
    try {
      await this.publisher.publish(channel, JSON.stringify(message));
    } catch (error) {
      this.logger.warn({ err: error, topic }, 'event not published');
    }
  }

  /**
   * Listens to every event of a broadcast topic; returns a function that stops listening. A topic's first listener
   * subscribes to it, which takes a round trip to Redis: events published before that are not delivered.
   */
  listen<T extends BroadcastTopic>(topic: T, listener: Listener<T>): () => void {
    return this.add(this.channelPrefix + topic, listener as Listener<Topic>);
  }

  /** Listens to one cluster's events of a cluster topic; those published once `subscribed` has settled are delivered. */
  listenToCluster<T extends ClusterTopic>(topic: T, clusterId: string, listener: Listener<T>): ClusterSubscription {
    const name = this.clusterChannel(topic, clusterId);
    const stop = this.add(name, listener as Listener<Topic>);
    return { subscribed: (this.channels.get(name) as Channel).subscribed, stop };
  }

  private clusterChannel(topic: ClusterTopic, clusterId: string): string {
    return `${this.channelPrefix}${topic}:${clusterId}`;
  }

  private add(name: string, listener: Listener<Topic>): () => void {
    const channel = this.channels.get(name);
    if (channel) channel.listeners.add(listener);
    else {
      const subscribed = this.started ? this.follow('subscribe', name) : this.startup;
      this.channels.set(name, { listeners: new Set([listener]), subscribed });
    }
    return () => {
      const current = this.channels.get(name);
      if (!current?.listeners.delete(listener) || current.listeners.size > 0) return;
      this.channels.delete(name);
      if (this.started) void this.follow('unsubscribe', name);
    };
  }

  /** Commands on one connection run in order: a channel left and listened to again ends up subscribed. */
  private follow(command: 'subscribe' | 'unsubscribe', ...names: string[]): Promise<void> {
    return this.subscriber[command](...names).then(
      () => undefined,
      (error: unknown) => this.logger.warn({ err: error, channels: names }, `event channel not ${command}d`),
    );
  }

  private deliver(name: string, text: string): void {
    const channel = this.channels.get(name);
    if (!channel || channel.listeners.size === 0) return;
    let message: BusMessage<EventTopics[Topic]>;
    try {
      // Only this bus publishes on its channels, each topic with its own payload.
      message = JSON.parse(text) as BusMessage<EventTopics[Topic]>;
    } catch {
      this.logger.warn({ channel: name }, 'unreadable event dropped');
      return;
    }
    for (const listener of channel.listeners) listener(message);
  }
}

import type { AgentMessage } from '@flotilla/protocol';
import { sameJson } from '../apply/ownership.js';

export type ObservedMessage = Extract<AgentMessage, { type: 'observed' }>;

/** How long a flush observes before the answers to the agent's writes get their turn (the rest follows at once). */
const FLUSH_SLICE_MS = 5;

export interface PublisherOptions {
  debounceMs: number;
  intervalMs: number;
  /** While this holds (the agent is busy writing), observations wait so that more changes coalesce into each. */
  deferWhile: () => boolean;
  /** How long observations wait at most while `deferWhile` holds, counted from the first change not yet sent. */
  maxDeferMs: number;
}

/**
 * Sends `observed` messages: a rollout whose objects changed is observed again after `debounceMs` (changes within
 * the window coalesce into one message), or later while the agent is busy writing (at most `maxDeferMs`), sent only
 * when the observation differs from the last one sent; and every rollout is sent again every `intervalMs`, changed
 * or not.
 */
export class ObservationPublisher {
  private readonly dirty = new Set<string>();
  private readonly lastSent = new Map<string, ObservedMessage>();
  private flushTimer: NodeJS.Timeout | undefined;
  private nextSlice: NodeJS.Immediate | undefined;
  private dirtySince = 0;
  private readonly intervalTimer: NodeJS.Timeout;

  constructor(
    private readonly observe: (rolloutKey: string) => ObservedMessage | undefined,
    private readonly rolloutKeys: () => Iterable<string>,
    private readonly send: (message: ObservedMessage) => boolean,
    private readonly options: PublisherOptions,
  ) {
    this.intervalTimer = setInterval(() => this.publishAll(true), options.intervalMs);
  }

  changed(rolloutKey: string): void {
    if (this.dirty.size === 0) this.dirtySince = Date.now();
    this.dirty.add(rolloutKey);
    this.flushTimer ??= setTimeout(() => this.flushUnlessDeferred(), this.options.debounceMs);
  }

  /**
   * Everything is sent again, e.g. on a new connection: the control plane may have missed anything before. `now`
   * sends before any further message is handled, so the control plane sees the cluster as the agent left it.
   */
  publishAll(now = false): void {
    this.lastSent.clear();
    for (const key of this.rolloutKeys()) this.changed(key);
    if (now) this.flushAll();
  }

  forget(rolloutKey: string): void {
    this.dirty.delete(rolloutKey);
    this.lastSent.delete(rolloutKey);
  }

  stop(): void {
    clearTimeout(this.flushTimer);
    clearImmediate(this.nextSlice);
    clearInterval(this.intervalTimer);
  }

  private flushUnlessDeferred(): void {
    this.flushTimer = undefined;
    if (this.options.deferWhile() && Date.now() - this.dirtySince < this.options.maxDeferMs) {
      this.flushTimer = setTimeout(() => this.flushUnlessDeferred(), this.options.debounceMs);
      return;
    }
    this.flushSlice();
  }

  private flushAll(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    clearImmediate(this.nextSlice);
    this.nextSlice = undefined;
    for (const key of [...this.dirty]) this.publish(key);
  }

  private flushSlice(): void {
    clearImmediate(this.nextSlice);
    this.nextSlice = undefined;
    const sliceEnd = performance.now() + FLUSH_SLICE_MS;
    for (const key of [...this.dirty]) {
      this.publish(key);
      if (performance.now() >= sliceEnd) break;
    }
    if (this.dirty.size > 0) this.nextSlice ??= setImmediate(() => this.flushSlice());
  }

  private publish(key: string): void {
    this.dirty.delete(key);
    const message = this.observe(key);
    if (message === undefined) return;
    const previous = this.lastSent.get(key);
    if (
      previous !== undefined &&
      previous.desiredVersion === message.desiredVersion &&
      sameJson({ ...previous.state, observedAt: '' }, { ...message.state, observedAt: '' })
    )
      return;
    if (this.send(message)) this.lastSent.set(key, message);
  }
}

import { observationDigest, type AgentMessage, type ObservationDigestEntry, type Sha256Hex } from '@flotilla/protocol';
import { sameJson } from '../apply/ownership.js';

export type ObservedMessage = Extract<AgentMessage, { type: 'observed' }>;
export type ObservedDigestsMessage = Extract<AgentMessage, { type: 'observedDigests' }>;

/** Rollouts listed per `observedDigests` message, so that one stays far below the control plane's message size. */
export const DIGESTS_PER_MESSAGE = 1_000;

/** How long a flush observes before the answers to the agent's writes get their turn (the rest follows at once). */
const FLUSH_SLICE_MS = 5;

export interface PublisherOptions {
  debounceMs: number;
  intervalMs: number;
  /** While this holds (the agent is busy writing), observations wait so that more changes coalesce into each. */
  deferWhile: () => boolean;
  /** How long observations wait at most while `deferWhile` holds, counted from the first change not yet sent. */
  maxDeferMs: number;
  sha256Hex: Sha256Hex;
}

/** An observation sent, and its digest once an `observedDigests` needed it. */
interface SentObservation {
  message: ObservedMessage;
  digest: string | undefined;
}

/**
 * Sends `observed` messages: a rollout whose objects changed is observed again after `debounceMs` (changes within
 * the window coalesce into one message), or later while the agent is busy writing (at most `maxDeferMs`), sent only
 * when the observation differs from the last one sent; and every rollout is reported again every `intervalMs`,
 * changed or not: in full, or, when the control plane takes digests, as one `observedDigests` listing those that did
 * not change since they were last sent (the control plane answers `observeAgain` for those it does not hold so).
 */
export class ObservationPublisher {
  private readonly dirty = new Set<string>();
  private readonly lastSent = new Map<string, SentObservation>();
  private digestsTaken = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private nextSlice: NodeJS.Immediate | undefined;
  private dirtySince = 0;
  private readonly intervalTimer: NodeJS.Timeout;

  constructor(
    private readonly observe: (rolloutKey: string) => ObservedMessage | undefined,
    private readonly rolloutKeys: () => Iterable<string>,
    private readonly send: (message: ObservedMessage | ObservedDigestsMessage) => boolean,
    private readonly options: PublisherOptions,
  ) {
    this.intervalTimer = setInterval(() => this.reportAll(), options.intervalMs);
  }

  /** A new connection: everything is sent in full at once; `digestsTaken` says whether its control plane takes digests. */
  connected(digestsTaken: boolean): void {
    this.digestsTaken = digestsTaken;
    this.publishAll(true);
  }

  /** The control plane asked for these rollouts in full (`observeAgain`). */
  observeAgain(rolloutKeys: Iterable<string>): void {
    for (const key of rolloutKeys) {
      this.lastSent.delete(key);
      this.changed(key);
    }
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

  /**
   * The periodic report. Every rollout is observed now: one that changed since it was last sent goes in full, as on
   * a change; the others are listed by digest when the control plane takes digests, and sent in full otherwise.
   */
  private reportAll(): void {
    if (!this.digestsTaken) {
      this.publishAll(true);
      return;
    }
    const unchanged: ObservationDigestEntry[] = [];
    for (const key of [...this.rolloutKeys()]) {
      this.dirty.delete(key);
      const message = this.observe(key);
      if (message === undefined) continue;
      const previous = this.lastSent.get(key);
      if (previous === undefined || !sameObservation(previous.message, message)) this.sendObservation(key, message);
      else {
        previous.digest ??= observationDigest(previous.message.state, this.options.sha256Hex);
        unchanged.push({ rollout: message.rollout, desiredVersion: message.desiredVersion, digest: previous.digest });
      }
    }
    for (let start = 0; start < unchanged.length; start += DIGESTS_PER_MESSAGE)
      this.send({ type: 'observedDigests', rollouts: unchanged.slice(start, start + DIGESTS_PER_MESSAGE) });
  }

  private publish(key: string): void {
    this.dirty.delete(key);
    const message = this.observe(key);
    if (message === undefined) return;
    const previous = this.lastSent.get(key);
    if (previous !== undefined && sameObservation(previous.message, message)) return;
    this.sendObservation(key, message);
  }

  private sendObservation(key: string, message: ObservedMessage): void {
    if (this.send(message)) this.lastSent.set(key, { message, digest: undefined });
  }
}

/** The same desired version applied and the same observation but for its time. */
const sameObservation = (previous: ObservedMessage, next: ObservedMessage): boolean =>
  previous.desiredVersion === next.desiredVersion && sameJson({ ...previous.state, observedAt: '' }, { ...next.state, observedAt: '' });

import type { DesiredRollout, DesiredRolloutState } from '@flotilla/protocol';

/** A longer delay would overflow Node's timer and fire at once. */
const LONGEST_TIMER_MS = 2_147_483_647;

/** Put on every ReplicaSet of a rollout the agent has moved to its fallback on its own; it shows in observations. */
export const HUB_LOSS_FALLBACK_ANNOTATION = 'flotilla.io/hub-loss-fallback-at';

/**
 * The fallback state of a rollout, marked with the time the agent switched to it.
 * @example fallbackState(desired, '2026-11-22T10:00:00.000Z').replicaSets[0].annotations['flotilla.io/hub-loss-fallback-at']
 * // '2026-11-22T10:00:00.000Z'
 */
export function fallbackState(desired: DesiredRollout, since: string): DesiredRolloutState | undefined {
  const fallback = desired.hubLoss?.fallback;
  if (fallback === undefined) return undefined;
  return {
    ...fallback,
    replicaSets: fallback.replicaSets.map((replicaSet) => ({
      ...replicaSet,
      annotations: { ...replicaSet.annotations, [HUB_LOSS_FALLBACK_ANNOTATION]: since },
    })),
  };
}

/**
 * While the control plane is unreachable, nothing changes on its own, except for rollouts that carry a hub-loss
 * instruction: after `afterSeconds` without a connection they switch to their fallback. A fallback lasts until the
 * control plane sends that rollout's desired state again (the snapshot after reconnecting).
 */
export class HubLossGuard {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly fallbacks = new Map<string, string>();
  private switched = 0;

  constructor(
    private readonly switchToFallback: (rolloutKey: string, since: string) => void,
    private readonly now: () => Date,
  ) {}

  /** The connection is gone: start counting for every rollout that has an instruction. */
  connectionLost(rollouts: Iterable<[string, DesiredRollout]>): void {
    for (const [key, desired] of rollouts) {
      if (desired.hubLoss === undefined || this.timers.has(key) || this.fallbacks.has(key)) continue;
      const timer = setTimeout(
        () => {
          this.timers.delete(key);
          const since = this.now().toISOString();
          this.fallbacks.set(key, since);
          this.switched += 1;
          this.switchToFallback(key, since);
        },
        Math.min(desired.hubLoss.afterSeconds * 1000, LONGEST_TIMER_MS),
      );
      this.timers.set(key, timer);
    }
  }

  /** Connected again: no new fallbacks; the ones in effect stay until their rollout's desired state arrives. */
  connected(): void {
    this.timers.forEach((timer) => clearTimeout(timer));
    this.timers.clear();
  }

  /** The control plane spoke for this rollout again: its state wins over any fallback. */
  resume(rolloutKey: string): boolean {
    clearTimeout(this.timers.get(rolloutKey));
    this.timers.delete(rolloutKey);
    return this.fallbacks.delete(rolloutKey);
  }

  fallbackSince(rolloutKey: string): string | undefined {
    return this.fallbacks.get(rolloutKey);
  }

  get activeFallbacks(): number {
    return this.fallbacks.size;
  }

  /** How many times a rollout was switched to its fallback since the agent started. */
  get fallbacksTaken(): number {
    return this.switched;
  }

  stop(): void {
    this.connected();
  }
}

import { parseGoDuration } from '@flotilla/argo-spec';
import type { DesiredReplicaSet } from '@flotilla/protocol';
import { wakeUpAt, type RolloutContext } from './context.js';
import { blueGreenMaxUnavailable, canaryFenceposts } from './defaults.js';

/**
 * `spec.restartAt`: once due, asks the agent to recreate the pods created before it, one ReplicaSet at a time and at
 * most the strategy's `maxUnavailable` pods at once; when no ReplicaSet has older pods left, records
 * `status.restartedAt`.
 * @example restartAt 12:00, stable pods from 11:00 → the stable ReplicaSet gets `restart: { podsCreatedBefore: '…12:00…' }`
 */
export function planRestart(context: RolloutContext, replicaSets: DesiredReplicaSet[]): void {
  const { spec } = context;
  const restartAt = spec.restartAt;
  if (restartAt === undefined || context.status.restartedAt === restartAt) return;
  const restartMs = Date.parse(restartAt);
  if (context.nowMs < restartMs) {
    wakeUpAt(context, restartMs);
    return;
  }
  for (const replicaSet of replicaSets) {
    const observed = context.replicaSets.get(replicaSet.podTemplateHash);
    if (replicaSet.replicas === 0 || observed?.oldestPodCreatedAt === undefined) continue;
    if (Date.parse(observed.oldestPodCreatedAt) < restartMs) {
      const { blueGreen, canary } = spec.strategy;
      const maxUnavailable =
        blueGreen !== undefined ? blueGreenMaxUnavailable(spec, blueGreen) : canaryFenceposts(spec, canary ?? {}).maxUnavailable;
      replicaSet.restart = { podsCreatedBefore: restartAt, maxUnavailable: Math.max(1, maxUnavailable) };
      return;
    }
  }
  context.status.restartedAt = restartAt;
  context.events.push({ type: 'RolloutRestarted', restartAt });
}

/** How far ahead a restart may be scheduled: a week. */
export const MAX_RESTART_DELAY_MS = 7 * 24 * 3_600_000;

/** When a restart is asked for: `in` a Go duration from now (Argo's `restart --in 30s`), or `at` a time. */
export interface RestartTiming {
  in?: string;
  at?: Date;
}

export type RestartTimeDecision = { ok: true; at: string | undefined } | { ok: false; problem: { path: 'in' | 'at'; message: string } };

const refusedRestart = (path: 'in' | 'at', message: string): RestartTimeDecision => ({ ok: false, problem: { path, message } });

/**
 * The `spec.restartAt` a restart asks for, as of `now`: `undefined` (when the operation is carried out) without `in`
 * or `at`, else the ISO time; refused with the field when malformed, in the past, both given, or further than
 * {@link MAX_RESTART_DELAY_MS}.
 * @example restartTime({ in: '30s' }, new Date('2026-12-05T12:00:00Z')) // { ok: true, at: '2026-12-05T12:00:30.000Z' }
 * @example restartTime({ in: '-5s' }, now) // { ok: false, problem: { path: 'in', message: 'must not be negative, not "-5s"' } }
 */
export function restartTime(timing: RestartTiming, now: Date): RestartTimeDecision {
  if (timing.in !== undefined && timing.at !== undefined) return refusedRestart('in', 'give either in or at, not both');
  if (timing.in !== undefined) {
    const delay = parseGoDuration(timing.in);
    if (delay === undefined) return refusedRestart('in', `must be a duration such as 30s, 5m or 1h, not "${timing.in}"`);
    if (delay < 0) return refusedRestart('in', `must not be negative, not "${timing.in}"`);
    if (delay > MAX_RESTART_DELAY_MS) return refusedRestart('in', `must be at most 168h, not "${timing.in}"`);
    return { ok: true, at: new Date(now.getTime() + delay).toISOString() };
  }
  if (timing.at !== undefined) {
    const delay = timing.at.getTime() - now.getTime();
    if (Number.isNaN(delay)) return refusedRestart('at', 'must be a time');
    if (delay < 0) return refusedRestart('at', `must not be in the past, not ${timing.at.toISOString()}`);
    if (delay > MAX_RESTART_DELAY_MS) return refusedRestart('at', `must be within 168h of now, not ${timing.at.toISOString()}`);
    return { ok: true, at: timing.at.toISOString() };
  }
  return { ok: true, at: undefined };
}

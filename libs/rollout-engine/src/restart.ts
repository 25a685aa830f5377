import type { DesiredReplicaSet } from '@flotilla/protocol';
import { wakeUpAt, type RolloutContext } from './context.js';

/**
 * `spec.restartAt`: once due, asks the agent to recreate the pods created before it, one ReplicaSet at a time and at
 * most `maxUnavailable` pods at once; when no ReplicaSet has older pods left, records `status.restartedAt`.
 * @example restartAt 12:00, stable pods from 11:00 → the stable ReplicaSet gets `restart: { podsCreatedBefore: '…12:00…' }`
 */
export function planRestart(context: RolloutContext, replicaSets: DesiredReplicaSet[], maxUnavailable: number): void {
  const restartAt = context.spec.restartAt;
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
      replicaSet.restart = { podsCreatedBefore: restartAt, maxUnavailable: Math.max(1, maxUnavailable) };
      return;
    }
  }
  context.status.restartedAt = restartAt;
  context.events.push({ type: 'RolloutRestarted', restartAt });
}

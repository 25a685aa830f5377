import type { DesiredReplicaSet } from '@flotilla/protocol';
import type { PodObject } from '../kube/kube-object.js';

export const isPodReady = (pod: PodObject): boolean =>
  pod.metadata.deletionTimestamp === undefined &&
  (pod.status?.conditions ?? []).some((condition) => condition.type === 'Ready' && condition.status === 'True');

/**
 * Pods to delete now for a restart (`spec.restartAt`): pods created before `podsCreatedBefore`, the not-ready ones
 * first (deleting them costs no availability), then ready ones, oldest first, while fewer than `maxUnavailable` of
 * the ReplicaSet's `replicas` are unavailable. A pod deleted and not replaced yet is unavailable too.
 * @example maxUnavailable 1, 3 replicas, pods [old ready, old ready, new not ready] → [] (one is already unavailable)
 *          maxUnavailable 1, 2 replicas, pods [old ready (10:00), old ready (10:01)] → [the 10:00 pod]
 *          maxUnavailable 1, 2 replicas, pods [old ready] → [] (the other one is gone and not replaced yet)
 */
export function podsToRestart(pods: PodObject[], replicas: number, restart: NonNullable<DesiredReplicaSet['restart']>): PodObject[] {
  const cutoff = Date.parse(restart.podsCreatedBefore);
  const live = pods.filter((pod) => pod.metadata.deletionTimestamp === undefined);
  const created = (pod: PodObject): number => Date.parse(pod.metadata.creationTimestamp ?? '');
  const old = live.filter((pod) => created(pod) < cutoff).sort((left, right) => created(left) - created(right));
  const oldNotReady = old.filter((pod) => !isPodReady(pod));
  const unavailable = Math.max(0, replicas - pods.filter(isPodReady).length);
  const budget = Math.max(0, restart.maxUnavailable - unavailable);
  return [...oldNotReady, ...old.filter(isPodReady).slice(0, budget)];
}

import { type RolloutStatus } from '@flotilla/rollout-engine';
import {
  REVISION_ANNOTATION,
  SCALE_DOWN_DEADLINE_ANNOTATION,
  type DesiredRolloutState,
  type ObservedPod,
  type ObservedRolloutState,
} from '@flotilla/protocol';

export type ReplicaSetRole = 'stable' | 'canary' | 'active' | 'preview' | 'old';

/** One ReplicaSet of a rollout as people look at it: what the engine wants next to what the cluster holds. */
export interface ReplicaSetView {
  podTemplateHash: string;
  revision: number | null;
  role: ReplicaSetRole;
  roles: ReplicaSetRole[];
  images: string[];
  desiredReplicas: number | null;
  replicas: number | null;
  readyReplicas: number | null;
  availableReplicas: number | null;
  scaleDownDeadline: string | null;
  podProblems: string[];
  pods: PodView[];
  podsOmitted: number;
}

/** A pod as reported, its start a date. */
export interface PodView {
  name: string;
  status: string;
  readyContainers: number;
  containers: number;
  restarts: number;
  startedAt: Date | null;
  nodeName: string | null;
}

/** A Kubernetes Event of the rollout's objects as reported, its time a date. */
export interface RolloutEventView {
  type: string;
  reason: string;
  message: string;
  count: number;
  lastSeenAt: Date;
  objectKind: string;
  objectName: string;
}

const podView = (pod: ObservedPod): PodView => ({
  ...pod,
  startedAt: pod.startedAt === undefined ? null : new Date(pod.startedAt),
  nodeName: pod.nodeName ?? null,
});

/** The Events an agent last reported of a rollout, newest first; none from agents that predate them. */
export const rolloutEventViews = (observed: ObservedRolloutState | null): RolloutEventView[] =>
  (observed?.events ?? []).map((event) => ({
    type: event.type,
    reason: event.reason,
    message: event.message,
    count: event.count,
    lastSeenAt: new Date(event.lastSeenAt),
    objectKind: event.involvedObject.kind,
    objectName: event.involvedObject.name,
  }));

function roleOf(hash: string, status: RolloutStatus | null, isBlueGreen: boolean): ReplicaSetRole {
  if (!status) return 'stable';
  const { blueGreen } = status;
  if (isBlueGreen) {
    if (hash === blueGreen.activeSelector) return 'active';
    if (hash === blueGreen.previewSelector || hash === status.currentPodHash) return 'preview';
    return 'old';
  }
  if (hash === status.stableRS) return 'stable';
  return hash === status.currentPodHash ? 'canary' : 'old';
}

/**
 * Every part the ReplicaSet of a pod-template-hash plays now: a blue-green stable one is also the active one; an
 * old one plays none.
 * @example replicaSetRoles('aaa', { stableRS: 'aaa', blueGreen: { activeSelector: 'aaa', … }, … }, true) → ['stable', 'active']
 */
export function replicaSetRoles(hash: string, status: RolloutStatus | null, isBlueGreen: boolean): ReplicaSetRole[] {
  if (!status) return [];
  const { activeSelector, previewSelector } = status.blueGreen;
  if (isBlueGreen) {
    return [
      ...(hash === status.stableRS ? (['stable'] as const) : []),
      ...(hash === activeSelector ? (['active'] as const) : []),
      ...(hash === previewSelector && hash !== activeSelector ? (['preview'] as const) : []),
    ];
  }
  if (hash === status.stableRS) return ['stable'];
  return hash === status.currentPodHash ? ['canary'] : [];
}

/**
 * Every ReplicaSet the engine wants or the agent reports, newest revision first.
 * @example a canary at 20%: [{ role: 'canary', desiredReplicas: 1, readyReplicas: 1 }, { role: 'stable', desiredReplicas: 4, … }]
 */
export function replicaSetViews(
  desired: DesiredRolloutState | null,
  observed: ObservedRolloutState | null,
  status: RolloutStatus | null,
  isBlueGreen: boolean,
): ReplicaSetView[] {
  const desiredByHash = new Map((desired?.replicaSets ?? []).map((replicaSet) => [replicaSet.podTemplateHash, replicaSet]));
  const observedByHash = new Map((observed?.replicaSets ?? []).map((replicaSet) => [replicaSet.podTemplateHash, replicaSet]));
  const hashes = [...new Set([...desiredByHash.keys(), ...observedByHash.keys()])];
  const views = hashes.map((hash): ReplicaSetView => {
    const wanted = desiredByHash.get(hash);
    const seen = observedByHash.get(hash);
    const annotations = { ...seen?.annotations, ...wanted?.annotations };
    const revision = Number(annotations[REVISION_ANNOTATION]);
    const template = wanted?.template ?? seen?.template;
    return {
      podTemplateHash: hash,
      revision: Number.isInteger(revision) ? revision : null,
      role: roleOf(hash, status, isBlueGreen),
      roles: replicaSetRoles(hash, status, isBlueGreen),
      images: template?.spec.containers.map((container) => container.image ?? '') ?? [],
      desiredReplicas: wanted?.replicas ?? null,
      replicas: seen?.currentReplicas ?? null,
      readyReplicas: seen?.readyReplicas ?? null,
      availableReplicas: seen?.availableReplicas ?? null,
      scaleDownDeadline: status?.scaleDownDeadlines[hash] ?? annotations[SCALE_DOWN_DEADLINE_ANNOTATION] ?? null,
      podProblems: (seen?.podProblems ?? []).map((problem) => `${problem.reason} (${problem.pods} pods): ${problem.message}`),
      pods: (seen?.pods ?? []).map(podView),
      podsOmitted: seen?.podsOmitted ?? 0,
    };
  });
  return views.sort((a, b) => (b.revision ?? -1) - (a.revision ?? -1));
}

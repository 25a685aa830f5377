import { POD_TEMPLATE_HASH_LABEL, type ObservedReplicaSet, type PodProblem, type PodProblemReason } from '@flotilla/protocol';
import type { PodObject, ReplicaSetObject } from '../kube/kube-object.js';
import { observedPods } from './observed-pod.js';

const WAITING_PROBLEMS: ReadonlySet<string> = new Set<PodProblemReason>(['ImagePullBackOff', 'ErrImagePull', 'CrashLoopBackOff']);

/**
 * Why pods of a ReplicaSet cannot run, one entry per reason with the first message seen and the number of pods:
 * containers waiting in ImagePullBackOff, ErrImagePull or CrashLoopBackOff, and a `ReplicaFailure` condition
 * (pods that could not even be created, e.g. refused by a quota), counted as the pods missing.
 * @example two pods whose container waits in CrashLoopBackOff → [{ reason: 'CrashLoopBackOff', message: 'back-off …', pods: 2 }]
 */
export function podProblems(replicaSet: ReplicaSetObject, pods: PodObject[]): PodProblem[] {
  const problems = new Map<PodProblemReason, PodProblem>();
  for (const pod of pods) {
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    const waiting = statuses
      .map((status) => status.state?.waiting)
      .find((state) => state?.reason !== undefined && WAITING_PROBLEMS.has(state.reason));
    if (waiting?.reason === undefined) continue;
    const reason = waiting.reason as PodProblemReason;
    const problem = problems.get(reason) ?? { reason, message: waiting.message ?? reason, pods: 0 };
    problem.pods += 1;
    problems.set(reason, problem);
  }
  const failure = replicaSet.status?.conditions?.find((condition) => condition.type === 'ReplicaFailure' && condition.status === 'True');
  if (failure !== undefined) {
    const missing = Math.max(0, (replicaSet.spec.replicas ?? 1) - (replicaSet.status?.replicas ?? 0));
    problems.set('FailedCreate', { reason: 'FailedCreate', message: failure.message ?? failure.reason ?? 'FailedCreate', pods: missing });
  }
  return [...problems.values()];
}

/** The ISO creation time of the oldest pod, the earliest first; undefined without pods. */
export function oldestPodCreatedAt(pods: PodObject[]): string | undefined {
  let oldest: { at: number; text: string } | undefined;
  for (const pod of pods) {
    const text = pod.metadata.creationTimestamp;
    if (text === undefined || pod.metadata.deletionTimestamp !== undefined) continue;
    const at = Date.parse(text);
    if (oldest === undefined || at < oldest.at) oldest = { at, text: new Date(at).toISOString() };
  }
  return oldest?.text;
}

/** A ReplicaSet the agent created, as the engine reads it. */
export function observedReplicaSet(replicaSet: ReplicaSetObject, pods: PodObject[]): ObservedReplicaSet {
  return {
    podTemplateHash: replicaSet.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] ?? '',
    labels: { ...replicaSet.metadata.labels },
    annotations: { ...replicaSet.metadata.annotations },
    replicas: replicaSet.spec.replicas ?? 1,
    currentReplicas: replicaSet.status?.replicas ?? 0,
    readyReplicas: replicaSet.status?.readyReplicas ?? 0,
    availableReplicas: replicaSet.status?.availableReplicas ?? 0,
    template: replicaSet.spec.template,
    podProblems: podProblems(replicaSet, pods),
    oldestPodCreatedAt: oldestPodCreatedAt(pods),
    ...observedPods(pods),
  };
}

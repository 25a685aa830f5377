import { AGENT_MESSAGE_BOUNDS, type ObservedPod } from '@flotilla/protocol';
import type { ContainerStatus, PodObject } from '../kube/kube-object.js';

const isoTime = (text: string | undefined): string | undefined => {
  const at = text === undefined ? Number.NaN : Date.parse(text);
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
};

/** Why a container is not running, as kubectl names it (`CrashLoopBackOff`, `Error`, `Signal:9`), or undefined. */
function containerReason(status: ContainerStatus): string | undefined {
  const { waiting, terminated } = status.state ?? {};
  if (waiting?.reason) return waiting.reason;
  if (terminated?.reason) return terminated.reason;
  if (terminated) return terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
  return undefined;
}

/**
 * A pod's STATUS as `kubectl get pods` prints it: Terminating once deleted, else what an init container is held on
 * (`Init:CrashLoopBackOff`, `Init:0/1`), else the reason of the last container not running, else the phase.
 * @example podStatus(a pod whose container waits in ContainerCreating, phase Pending) // 'ContainerCreating'
 */
export function podStatus(pod: PodObject): string {
  if (pod.metadata.deletionTimestamp !== undefined) return 'Terminating';
  const initStatuses = pod.status?.initContainerStatuses ?? [];
  const initDone = initStatuses.filter((status) => status.state?.terminated?.exitCode === 0).length;
  const initHeld = initStatuses.find((status) => status.state?.terminated?.exitCode !== 0);
  if (initHeld !== undefined) {
    const reason = containerReason(initHeld);
    return reason !== undefined && reason !== 'PodInitializing' ? `Init:${reason}` : `Init:${initDone}/${initStatuses.length}`;
  }
  let status = pod.status?.reason ?? pod.status?.phase ?? 'Pending';
  let running = false;
  for (const container of [...(pod.status?.containerStatuses ?? [])].reverse()) {
    const reason = containerReason(container);
    if (reason !== undefined) status = reason;
    else if (container.ready === true && container.state?.running !== undefined) running = true;
  }
  return status === 'Completed' && running ? 'Running' : status;
}

/** One pod as reported: its kubectl status, ready containers, restarts, start time and node. */
export function observedPod(pod: PodObject): ObservedPod {
  const statuses = pod.status?.containerStatuses ?? [];
  return {
    name: pod.metadata.name,
    status: podStatus(pod).slice(0, AGENT_MESSAGE_BOUNDS.shortStringLength),
    readyContainers: statuses.filter((status) => status.ready === true).length,
    containers: pod.spec?.containers?.length ?? statuses.length,
    restarts: statuses.reduce((sum, status) => sum + (status.restartCount ?? 0), 0),
    startedAt: isoTime(pod.status?.startTime ?? pod.metadata.creationTimestamp),
    nodeName: pod.spec?.nodeName,
  };
}

const createdAt = (pod: PodObject): number => Date.parse(pod.metadata.creationTimestamp ?? '') || 0;

/**
 * The pods of a ReplicaSet as reported, oldest first (by name among equals), at most
 * `AGENT_MESSAGE_BOUNDS.podsPerReplicaSet`, and how many were left out.
 * @example observedPods(40 pods) // { pods: the 32 oldest, podsOmitted: 8 }
 */
export function observedPods(pods: PodObject[]): { pods: ObservedPod[]; podsOmitted: number } {
  const ordered = [...pods].sort(
    (left, right) => createdAt(left) - createdAt(right) || left.metadata.name.localeCompare(right.metadata.name),
  );
  const kept = ordered.slice(0, AGENT_MESSAGE_BOUNDS.podsPerReplicaSet);
  return { pods: kept.map(observedPod), podsOmitted: ordered.length - kept.length };
}

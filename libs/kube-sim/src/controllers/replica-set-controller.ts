import { KubeApiError } from '../api-errors.js';
import { kubeTimestamp, type ClusterStore } from '../cluster-store.js';
import { readPath, type StoredObject } from '../kube-object.js';
import { matchesLabels, type LabelRequirement } from '../label-selector.js';
import { POD, REPLICA_SET } from '../resource-catalogue.js';
import type { EventRecorder } from './event-recorder.js';
import { isTerminal, podFromTemplate, podsControlledBy, readySince, writeStatus } from './owned-pods.js';
import { PodOwnerController } from './pod-owner-controller.js';
import { splitObjectKey } from './work-queue.js';

/** How soon a ReplicaSet whose pods were refused tries again. */
const CREATE_RETRY_MS = 1_000;

/**
 * Order in which surplus pods are deleted, as the real controller ranks them: unscheduled before scheduled,
 * Pending before Running, not Ready before Ready, then the most recently created first.
 */
function deletionRank(pod: StoredObject): [number, number, number, number] {
  const scheduled = readPath(pod, ['spec', 'nodeName']) === undefined ? 0 : 1;
  const running = readPath(pod, ['status', 'phase']) === 'Running' ? 1 : 0;
  const ready = readySince(pod) === undefined ? 0 : 1;
  return [scheduled, running, ready, -Date.parse(pod.metadata.creationTimestamp)];
}

function compareRanks(left: StoredObject, right: StoredObject): number {
  const leftRank = deletionRank(left);
  const rightRank = deletionRank(right);
  for (let index = 0; index < leftRank.length; index += 1) {
    const difference = (leftRank[index] as number) - (rightRank[index] as number);
    if (difference !== 0) return difference;
  }
  return left.metadata.name < right.metadata.name ? 1 : -1;
}

/**
 * Keeps each ReplicaSet's pods at `spec.replicas` and reports `replicas`, `fullyLabeledReplicas`,
 * `readyReplicas`, `availableReplicas` (Ready for `minReadySeconds`) and `observedGeneration`, with a
 * `ReplicaFailure` condition (`FailedCreate`) while a ResourceQuota refuses its pods. Each change of `spec.replicas`
 * is recorded as a `ScalingReplicaSet` Event on the ReplicaSet, standing in for the controller that scales it (the
 * Deployment or Rollout controller records it on its own object, which the simulator does not hold).
 */
export class ReplicaSetController extends PodOwnerController {
  /** The `spec.replicas` last seen of each ReplicaSet, by `namespace/name`, with its uid (a new one starts at 0). */
  private readonly scaledTo = new Map<string, { uid: string; replicas: number }>();

  constructor(store: ClusterStore, events: EventRecorder, now: () => number, onError: (key: string, error: unknown) => void) {
    super(store, events, now, { resource: REPLICA_SET, kind: 'ReplicaSet' }, onError);
  }

  protected reconcile(key: string): void {
    const { namespace, name } = splitObjectKey(key);
    const replicaSet = this.store.get(REPLICA_SET, namespace, name);
    if (!replicaSet || replicaSet.metadata.deletionTimestamp !== undefined) {
      this.scaledTo.delete(key);
      return;
    }
    const desired = Number(readPath(replicaSet, ['spec', 'replicas']) ?? 1);
    this.recordScaling(key, replicaSet, desired);
    let active = podsControlledBy(this.store, replicaSet).filter((pod) => !isTerminal(pod) && pod.metadata.deletionTimestamp === undefined);
    let failure: string | undefined;
    if (active.length < desired) {
      const { created, refused } = this.createPods(replicaSet, desired - active.length);
      active = [...active, ...created];
      if (refused) {
        failure = refused.message;
        this.events.record(replicaSet, 'Warning', 'FailedCreate', `Error creating: ${refused.message}`);
        // The real controller retries with a backoff; room may be made by pods of other owners.
        this.queue.addAfter(key, CREATE_RETRY_MS);
      }
    } else if (active.length > desired) {
      const surplus = [...active].sort(compareRanks).slice(0, active.length - desired);
      for (const pod of surplus) {
        this.store.delete(POD, namespace, pod.metadata.name);
        this.events.record(replicaSet, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      }
      active = active.filter((pod) => !surplus.includes(pod));
    }
    this.reportStatus(key, replicaSet, active, failure);
  }

  /** `Scaled up replica set web-abc from 0 to 3` when its `spec.replicas` changed since it was last seen. */
  private recordScaling(key: string, replicaSet: StoredObject, desired: number): void {
    const seen = this.scaledTo.get(key);
    const previous = seen?.uid === replicaSet.metadata.uid ? seen.replicas : 0;
    this.scaledTo.set(key, { uid: replicaSet.metadata.uid, replicas: desired });
    if (previous === desired) return;
    const direction = desired > previous ? 'up' : 'down';
    this.events.record(
      replicaSet,
      'Normal',
      'ScalingReplicaSet',
      `Scaled ${direction} replica set ${replicaSet.metadata.name} from ${previous} to ${desired}`,
    );
  }

  /** Creates pods one at a time, as the real controller's batches do, until one is refused (by a quota). */
  private createPods(replicaSet: StoredObject, count: number): { created: StoredObject[]; refused: KubeApiError | undefined } {
    const created: StoredObject[] = [];
    for (let index = 0; index < count; index += 1) {
      try {
        const pod = this.store.create(POD, replicaSet.metadata.namespace, podFromTemplate(replicaSet, 'apps/v1'));
        this.events.record(replicaSet, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
        created.push(pod);
      } catch (error) {
        if (!(error instanceof KubeApiError) || error.status.code !== 403) throw error;
        return { created, refused: error };
      }
    }
    return { created, refused: undefined };
  }

  /** The `ReplicaFailure` condition, kept with its transition time while the same failure lasts. */
  private replicaFailure(replicaSet: StoredObject, message: string | undefined): Record<string, unknown>[] {
    if (message === undefined) return [];
    const conditions = (readPath(replicaSet, ['status', 'conditions']) ?? []) as Record<string, unknown>[];
    const previous = conditions.find((condition) => condition['type'] === 'ReplicaFailure' && condition['message'] === message);
    const since = (previous?.['lastTransitionTime'] as string | undefined) ?? kubeTimestamp(this.now());
    return [{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: since, reason: 'FailedCreate', message }];
  }

  private reportStatus(key: string, replicaSet: StoredObject, pods: readonly StoredObject[], failure: string | undefined): void {
    const templateLabels = (readPath(replicaSet, ['spec', 'template', 'metadata', 'labels']) ?? {}) as Record<string, string>;
    const templateRequirements = Object.entries(templateLabels).map(([label, value]): LabelRequirement => ({
      key: label,
      operator: 'Equals',
      values: [value],
    }));
    const minReadyMs = Number(readPath(replicaSet, ['spec', 'minReadySeconds']) ?? 0) * 1000;
    const now = this.now();
    const readyTimes = pods.map(readySince).filter((since): since is number => since !== undefined);
    const available = readyTimes.filter((since) => now - since >= minReadyMs).length;
    const pendingAvailability = readyTimes.filter((since) => now - since < minReadyMs).map((since) => since + minReadyMs - now);
    if (pendingAvailability.length > 0) this.queue.addAfter(key, Math.min(...pendingAvailability) + 1);
    const fullyLabeled = pods.filter((pod) => matchesLabels(templateRequirements, pod.metadata.labels)).length;
    const current = this.store.get(REPLICA_SET, replicaSet.metadata.namespace, replicaSet.metadata.name) ?? replicaSet;
    writeStatus(this.store, REPLICA_SET, current, {
      replicas: pods.length,
      ...(fullyLabeled > 0 ? { fullyLabeledReplicas: fullyLabeled } : {}),
      ...(readyTimes.length > 0 ? { readyReplicas: readyTimes.length } : {}),
      ...(available > 0 ? { availableReplicas: available } : {}),
      observedGeneration: current.metadata.generation ?? 1,
      ...(failure === undefined ? {} : { conditions: this.replicaFailure(current, failure) }),
    });
  }
}

import { kubeTimestamp, type ClusterStore } from '../cluster-store.js';
import { isJsonObject, readPath, scalarText, type StoredObject } from '../kube-object.js';
import { JOB, POD } from '../resource-catalogue.js';
import type { EventRecorder } from './event-recorder.js';
import { isTerminal, podFromTemplate, podPhase, podsControlledBy, readySince, writeStatus } from './owned-pods.js';
import { PodOwnerController } from './pod-owner-controller.js';
import { splitObjectKey } from './work-queue.js';

function finishedCondition(job: StoredObject): string | undefined {
  const conditions = readPath(job, ['status', 'conditions']);
  const finished: unknown = (Array.isArray(conditions) ? conditions : []).find(
    (condition) =>
      isJsonObject(condition) && (condition['type'] === 'Complete' || condition['type'] === 'Failed') && condition['status'] === 'True',
  );
  return isJsonObject(finished) ? String(finished['type']) : undefined;
}

const jobCondition = (type: string, reason: string, message: string, at: string): object => ({
  type,
  status: 'True',
  lastProbeTime: at,
  lastTransitionTime: at,
  reason,
  message,
});

/**
 * Runs each Job's pods (up to `parallelism`, until `completions` succeed) and finishes the Job `Complete`, or
 * `Failed` with reason BackoffLimitExceeded once more than `backoffLimit` pods failed. Failed pods are replaced
 * at once: the exponential back-off between retries is not simulated.
 */
export class JobController extends PodOwnerController {
  constructor(store: ClusterStore, events: EventRecorder, now: () => number, onError: (key: string, error: unknown) => void) {
    super(store, events, now, { resource: JOB, kind: 'Job' }, onError);
  }

  protected reconcile(key: string): void {
    const { namespace, name } = splitObjectKey(key);
    const job = this.store.get(JOB, namespace, name);
    if (!job || job.metadata.deletionTimestamp !== undefined || finishedCondition(job) !== undefined) return;
    const spec = (job['spec'] ?? {}) as Record<string, unknown>;
    const completions = Number(spec['completions'] ?? 1);
    const parallelism = Number(spec['parallelism'] ?? 1);
    const backoffLimit = Number(spec['backoffLimit'] ?? 6);
    const pods = podsControlledBy(this.store, job);
    const succeeded = pods.filter((pod) => podPhase(pod) === 'Succeeded').length;
    const failed = pods.filter((pod) => podPhase(pod) === 'Failed').length;
    let active = pods.filter((pod) => !isTerminal(pod) && pod.metadata.deletionTimestamp === undefined);
    const timestamp = kubeTimestamp(this.now());
    const startTime = scalarText(readPath(job, ['status', 'startTime']) ?? timestamp);
    const conditions: object[] = [];
    let completionTime: string | undefined;
    if (succeeded >= completions) {
      conditions.push(jobCondition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods', timestamp));
      conditions.push(jobCondition('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods', timestamp));
      completionTime = timestamp;
      this.events.record(job, 'Normal', 'Completed', 'Job completed');
    } else if (failed > backoffLimit) {
      for (const pod of active) this.store.delete(POD, namespace, pod.metadata.name);
      active = [];
      conditions.push(jobCondition('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', timestamp));
      conditions.push(jobCondition('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', timestamp));
      this.events.record(job, 'Warning', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit');
    } else if (spec['suspend'] !== true) {
      const wanted = Math.min(parallelism, completions - succeeded) - active.length;
      for (let created = 0; created < wanted; created += 1) {
        const pod = this.store.create(POD, namespace, podFromTemplate(job, 'batch/v1'));
        this.events.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
        active = [...active, pod];
      }
    }
    const current = this.store.get(JOB, namespace, name) ?? job;
    writeStatus(this.store, JOB, current, {
      ...(conditions.length > 0 ? { conditions } : {}),
      startTime,
      ...(completionTime === undefined ? {} : { completionTime }),
      ...(active.length > 0 ? { active: active.length } : {}),
      ...(succeeded > 0 ? { succeeded } : {}),
      ...(failed > 0 ? { failed } : {}),
      terminating: 0,
      ready: active.filter((pod) => readySince(pod) !== undefined).length,
      uncountedTerminatedPods: {},
    });
  }
}

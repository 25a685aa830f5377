import type { RolloutSpec } from '@flotilla/argo-spec';
import type { RolloutCondition, RolloutConditionReason, RolloutConditionType, RolloutPhase, RolloutStatus } from './types.js';

/** Sets a condition, keeping its transition and update times when nothing about it changed. */
function mergeCondition(
  previous: readonly RolloutCondition[],
  type: RolloutConditionType,
  status: RolloutCondition['status'],
  reason: RolloutConditionReason,
  message: string,
  nowIso: string,
): RolloutCondition {
  const before = previous.find((condition) => condition.type === type);
  if (before !== undefined && before.status === status && before.reason === reason && before.message === message) return before;
  return {
    type,
    status,
    reason,
    message,
    lastTransitionTime: before !== undefined && before.status === status ? before.lastTransitionTime : nowIso,
    lastUpdateTime: nowIso,
  };
}

export interface PhaseFacts {
  spec: RolloutSpec;
  specReplicas: number;
  status: RolloutStatus;
  waitingForPostPromotionAnalysis: boolean;
}

/**
 * Phase and message of a rollout that is neither aborted nor timed out (upstream `CalculateRolloutPhase`).
 * @example a canary whose stable is not the current revision yet → ['Progressing', 'waiting for all steps to complete']
 */
export function calculatePhase({ spec, specReplicas, status, waitingForPostPromotionAnalysis }: PhaseFacts): [RolloutPhase, string] {
  if (spec.paused === true) return ['Paused', 'manually paused'];
  const pause = status.pauseConditions[0];
  if (pause !== undefined) return ['Paused', pause.reason];
  if (spec.restartAt !== undefined && status.restartedAt !== spec.restartAt) return ['Progressing', 'rollout is restarting'];
  if (status.updatedReplicas < specReplicas) return ['Progressing', 'more replicas need to be updated'];
  if (status.availableReplicas < status.updatedReplicas) return ['Progressing', 'updated replicas are still becoming available'];
  if (spec.strategy.blueGreen !== undefined) {
    if (status.blueGreen.activeSelector !== status.currentPodHash) return ['Progressing', 'active service cutover pending'];
    if (status.stableRS !== status.currentPodHash) {
      return [
        'Progressing',
        waitingForPostPromotionAnalysis ? 'waiting for analysis to complete' : 'waiting for post-promotion verification to complete',
      ];
    }
  } else {
    if (spec.strategy.canary?.trafficRouting === undefined && status.replicas > status.updatedReplicas)
      return ['Progressing', 'old replicas are pending termination'];
    if (status.stableRS !== status.currentPodHash) return ['Progressing', 'waiting for all steps to complete'];
  }
  return ['Healthy', ''];
}

export interface ConditionFacts {
  previous: readonly RolloutCondition[];
  nowIso: string;
  replicaSetName: string;
  revision: number;
  paused: boolean;
  abortMessage: string | undefined;
  timedOut: boolean;
  healthy: boolean;
  completed: boolean;
  available: boolean;
}

/** Progressing, Available, Paused, Healthy and Completed conditions with upstream's reasons and messages. */
export function buildConditions(facts: ConditionFacts): RolloutCondition[] {
  const { previous, nowIso, replicaSetName } = facts;
  const conditions: RolloutCondition[] = [];
  if (facts.abortMessage !== undefined) {
    conditions.push(mergeCondition(previous, 'Progressing', 'False', 'RolloutAborted', facts.abortMessage, nowIso));
  } else if (facts.timedOut) {
    conditions.push(
      mergeCondition(
        previous,
        'Progressing',
        'False',
        'ProgressDeadlineExceeded',
        `ReplicaSet "${replicaSetName}" has timed out progressing.`,
        nowIso,
      ),
    );
  } else if (facts.paused) {
    conditions.push(mergeCondition(previous, 'Progressing', 'Unknown', 'RolloutPaused', 'Rollout is paused', nowIso));
  } else if (facts.healthy && facts.completed) {
    conditions.push(
      mergeCondition(
        previous,
        'Progressing',
        'True',
        'NewReplicaSetAvailable',
        `ReplicaSet "${replicaSetName}" has successfully progressed.`,
        nowIso,
      ),
    );
  } else {
    conditions.push(
      mergeCondition(previous, 'Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${replicaSetName}" is progressing.`, nowIso),
    );
  }
  conditions.push(
    facts.available
      ? mergeCondition(previous, 'Available', 'True', 'AvailableReason', 'Rollout has minimum availability', nowIso)
      : mergeCondition(previous, 'Available', 'False', 'AvailableReason', 'Rollout does not have minimum availability', nowIso),
  );
  if (facts.paused) conditions.push(mergeCondition(previous, 'Paused', 'True', 'RolloutPaused', 'Rollout is paused', nowIso));
  else if (previous.some((condition) => condition.type === 'Paused'))
    conditions.push(mergeCondition(previous, 'Paused', 'False', 'RolloutResumed', 'Rollout is resumed', nowIso));
  conditions.push(
    facts.healthy
      ? mergeCondition(previous, 'Healthy', 'True', 'RolloutHealthy', 'Rollout is healthy', nowIso)
      : mergeCondition(previous, 'Healthy', 'False', 'RolloutHealthy', 'Rollout does not have healthy replicas', nowIso),
  );
  conditions.push(
    facts.completed
      ? mergeCondition(
          previous,
          'Completed',
          'True',
          'RolloutCompleted',
          `Rollout completed update to revision ${facts.revision} (${replicaSetName})`,
          nowIso,
        )
      : mergeCondition(previous, 'Completed', 'False', 'RolloutCompleted', 'Rollout not completed', nowIso),
  );
  return conditions;
}

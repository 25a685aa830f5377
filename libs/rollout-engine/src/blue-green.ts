import type { BlueGreenStrategy, PodTemplateMetadata } from '@flotilla/argo-spec';
import { abortRollout, addPause, markProgress, pauseWasPromoted, requireAnalysisRun, wakeUpAt, type RolloutContext } from './context.js';
import { abortScaleDownDelaySeconds, scaleDownDelaySeconds } from './defaults.js';
import { otherReplicaSets, planOtherReplicaSets, scheduleScaleDown } from './old-replica-sets.js';

type Gate = 'open' | 'closed';

/** Size of the new ReplicaSet while it is previewed: `previewReplicaCount` until promotion scales it up. */
function previewReplicas(context: RolloutContext, blueGreen: BlueGreenStrategy): number {
  const status = context.status;
  if (blueGreen.previewReplicaCount === undefined || status.blueGreen.scaleUpPreviewCheckPoint) return context.specReplicas;
  return blueGreen.previewReplicaCount;
}

function analysisGate(context: RolloutContext, blueGreen: BlueGreenStrategy, phase: 'pre' | 'post'): Gate {
  const analysis = phase === 'pre' ? blueGreen.prePromotionAnalysis : blueGreen.postPromotionAnalysis;
  if (analysis === undefined || context.status.promoteFull) return 'open';
  const run = requireAnalysisRun(context, phase === 'pre' ? 'prePromotion' : 'postPromotion', phase, analysis, undefined);
  if (phase === 'pre') context.status.blueGreen.prePromotionAnalysisRun = run.name;
  else context.status.blueGreen.postPromotionAnalysisRun = run.name;
  switch (run.outcome.state) {
    case 'successful':
      return 'open';
    case 'failed':
      abortRollout(context, run.outcome.message);
      return 'closed';
    case 'inconclusive':
      if (pauseWasPromoted(context.status)) return 'open';
      addPause(context, 'InconclusiveAnalysisRun');
      return 'closed';
    case 'waiting':
      return 'closed';
  }
}

/**
 * The promotion pause: none by default, until promoted when `autoPromotionEnabled: false`, or for a positive
 * `autoPromotionSeconds` (0 is no pause, as upstream's `needsBlueGreenControllerPause`).
 */
function pauseGate(context: RolloutContext, blueGreen: BlueGreenStrategy): Gate {
  const status = context.status;
  const autoPromotionSeconds = blueGreen.autoPromotionEnabled === false ? undefined : blueGreen.autoPromotionSeconds;
  const pauses = blueGreen.autoPromotionEnabled === false || (autoPromotionSeconds ?? 0) > 0;
  if (!pauses || status.promoteFull) return 'open';
  const pause = status.pauseConditions.find((condition) => condition.reason === 'BlueGreenPause');
  if (pause === undefined) {
    if (pauseWasPromoted(status)) return 'open';
    addPause(context, 'BlueGreenPause');
    if (autoPromotionSeconds !== undefined) wakeUpAt(context, context.nowMs + autoPromotionSeconds * 1000);
    return 'closed';
  }
  if (autoPromotionSeconds === undefined) return 'closed';
  const promoteAtMs = Date.parse(pause.startTime) + autoPromotionSeconds * 1000;
  if (context.nowMs < promoteAtMs) {
    wakeUpAt(context, promoteAtMs);
    return 'closed';
  }
  status.pauseConditions = status.pauseConditions.filter((condition) => condition.reason !== 'BlueGreenPause');
  return 'open';
}

function progressBlueGreen(context: RolloutContext, blueGreen: BlueGreenStrategy): void {
  const status = context.status;
  const current = context.replicaSets.get(context.currentHash);
  if (status.blueGreen.activeSelector !== context.currentHash) {
    const wanted = previewReplicas(context, blueGreen);
    if (current === undefined || current.replicas !== wanted || current.availableReplicas < wanted) return;
    if (analysisGate(context, blueGreen, 'pre') === 'closed') return;
    // Neither the promotion pause nor its end, nor the switch: a freeze holds them until it ends.
    if (context.progressHeld) return;
    if (pauseGate(context, blueGreen) === 'closed') return;
    if (wanted < context.specReplicas) {
      status.blueGreen.scaleUpPreviewCheckPoint = true;
      markProgress(context);
      return;
    }
    status.blueGreen.activeSelector = context.currentHash;
    markProgress(context);
  }
  if (context.observed.serviceSelectors[blueGreen.activeService] !== context.currentHash) return;
  if (analysisGate(context, blueGreen, 'post') === 'closed') return;
  if (context.progressHeld) return;
  const previousStable = status.stableRS;
  status.stableRS = context.currentHash;
  status.promoteFull = false;
  status.pauseConditions = [];
  status.controllerPause = false;
  status.blueGreen.scaleUpPreviewCheckPoint = false;
  if (previousStable !== undefined && previousStable !== context.currentHash)
    scheduleScaleDown(context, previousStable, scaleDownDelaySeconds(blueGreen));
  context.events.push(
    { type: 'RolloutCompleted', revision: context.currentRevision, podTemplateHash: context.currentHash },
    { type: 'RevisionFinished', revision: context.currentRevision, podTemplateHash: context.currentHash, outcome: 'Healthy' },
  );
  markProgress(context);
}

function keepCurrentRuns(context: RolloutContext): void {
  const { prePromotionAnalysisRun, postPromotionAnalysisRun } = context.status.blueGreen;
  if (prePromotionAnalysisRun !== undefined) context.wantedAnalysisRuns.push(prePromotionAnalysisRun);
  if (postPromotionAnalysisRun !== undefined) context.wantedAnalysisRuns.push(postPromotionAnalysisRun);
}

/** New ReplicaSet after an abort: kept for `abortScaleDownDelaySeconds` (0 = kept), then zero. */
function abortedReplicas(context: RolloutContext, blueGreen: BlueGreenStrategy): number {
  const kept = context.replicaSets.get(context.currentHash)?.replicas ?? 0;
  const delaySeconds = abortScaleDownDelaySeconds(blueGreen);
  if (delaySeconds === 0) return kept;
  const deadlineMs = Date.parse(context.status.abortedAt ?? context.nowIso) + delaySeconds * 1000;
  if (context.nowMs >= deadlineMs) return 0;
  wakeUpAt(context, deadlineMs);
  return kept;
}

/**
 * Ephemeral metadata by role, as upstream's `reconcileEphemeralMetadata`: the stable ReplicaSet carries
 * `activeMetadata`, a new one `previewMetadata` until it becomes the stable (so still while post-promotion analysis
 * runs behind the switched active Service), and any other none.
 */
function roleMetadata(
  blueGreen: BlueGreenStrategy,
  hash: string,
  stableHash: string,
  currentHash: string,
): PodTemplateMetadata | undefined {
  if (hash === stableHash) return blueGreen.activeMetadata;
  return hash === currentHash ? blueGreen.previewMetadata : undefined;
}

function planBlueGreen(context: RolloutContext, blueGreen: BlueGreenStrategy): void {
  const status = context.status;
  const stableHash = status.stableRS ?? context.currentHash;
  if (status.abort) status.blueGreen.activeSelector = stableHash;
  const activeHash = status.blueGreen.activeSelector ?? stableHash;
  const previewHash = status.abort ? stableHash : context.currentHash;
  status.blueGreen.previewSelector = previewHash;
  const metadataOf = (hash: string): PodTemplateMetadata | undefined => roleMetadata(blueGreen, hash, stableHash, context.currentHash);
  if (context.currentHash !== activeHash) {
    const replicas = status.abort ? abortedReplicas(context, blueGreen) : previewReplicas(context, blueGreen);
    context.plan.set(context.currentHash, { replicas, role: 'preview', metadata: metadataOf(context.currentHash) });
  }
  context.plan.set(activeHash, { replicas: context.specReplicas, role: 'active', metadata: metadataOf(activeHash) });
  if (stableHash !== activeHash && context.replicaSets.has(stableHash)) {
    context.plan.set(stableHash, { replicas: context.specReplicas, role: 'stable', metadata: metadataOf(stableHash) });
  }
  planOtherReplicaSets(context, otherReplicaSets(context), {
    availabilityFloor: undefined,
    totalAvailable: 0,
    revisionLimit: blueGreen.scaleDownDelayRevisionLimit,
  });
  context.services = {
    active: { service: blueGreen.activeService, podTemplateHash: activeHash },
    ...(blueGreen.previewService ? { preview: { service: blueGreen.previewService, podTemplateHash: previewHash } } : {}),
  };
  status.canary.weights = undefined;
}

/**
 * The blue-green strategy: previews the new ReplicaSet, gates promotion on pre-promotion analysis and the pause,
 * switches the active Service, verifies with post-promotion analysis, and keeps the old side for the scale-down delay.
 */
export function reconcileBlueGreen(context: RolloutContext, blueGreen: BlueGreenStrategy): void {
  const status = context.status;
  if (status.stableRS !== context.currentHash) {
    if (context.spec.paused === true) keepCurrentRuns(context);
    else if (!status.abort) progressBlueGreen(context, blueGreen);
  }
  planBlueGreen(context, blueGreen);
}

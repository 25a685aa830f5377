import type { PodTemplateSpec, RolloutSpec } from '@flotilla/argo-spec';
import {
  DESIRED_REPLICAS_ANNOTATION,
  EXPERIMENT_LABEL,
  replicaSetName,
  REVISION_ANNOTATION,
  type DesiredReplicaSet,
  type ObservedReplicaSet,
  type ObservedRolloutState,
} from '@flotilla/protocol';
import { reconcileBlueGreen } from './blue-green.js';
import { reconcileCanary } from './canary.js';
import { trafficRouterOf } from './canary-weights.js';
import { buildConditions, calculatePhase } from './conditions.js';
import { abortRollout, markProgress, revisionOf, type RolloutContext } from './context.js';
import { DEFAULT_PROGRESS_DEADLINE_SECONDS, specReplicas } from './defaults.js';
import { desiredReplicaSets } from './desired-state.js';
import { originalTemplate } from './ephemeral-metadata.js';
import { hashOf, podTemplateHash } from './pod-template-hash.js';
import { planRestart } from './restart.js';
import type { AnalysisRunState, Decision, ReconcileInput, RolloutFreeze, RolloutStatus } from './types.js';

/**
 * The previous decision saw this very spec (same generation), so the hashes it derived from the template and the
 * steps still hold: a shell that loads fresh objects every time skips hashing them again.
 */
function decidedOnThisSpec(previous: RolloutStatus | undefined, generation: number): RolloutStatus | undefined {
  return previous?.observedGeneration === generation ? previous : undefined;
}

/** The status a rollout starts from before its first reconcile: nothing counted, no step, no pause. */
export function initialStatus(currentHash: string, generation: number, nowIso: string): RolloutStatus {
  return {
    phase: 'Progressing',
    message: '',
    observedGeneration: generation,
    currentPodHash: currentHash,
    stableRS: undefined,
    currentStepIndex: undefined,
    currentStepHash: undefined,
    pauseConditions: [],
    controllerPause: false,
    abort: false,
    abortedAt: undefined,
    promoteFull: false,
    conditions: [],
    replicas: 0,
    updatedReplicas: 0,
    readyReplicas: 0,
    availableReplicas: 0,
    canary: {
      weights: undefined,
      currentStepAnalysisRun: undefined,
      currentBackgroundAnalysisRun: undefined,
      currentExperiment: undefined,
    },
    blueGreen: {
      activeSelector: undefined,
      previewSelector: undefined,
      scaleUpPreviewCheckPoint: false,
      prePromotionAnalysisRun: undefined,
      postPromotionAnalysisRun: undefined,
    },
    restartedAt: undefined,
    collisionCount: undefined,
    scaleDownDeadlines: {},
    lastProgressAt: nowIso,
    retryAttempt: 0,
  };
}

/**
 * The previous status copied field by field, to decide into, at the spec's generation. An object spread of a status
 * (two dozen fields) takes V8's generic path and cost a tenth of a decision; the literal takes a few nanoseconds.
 */
function statusToDecideInto(previous: RolloutStatus, observedGeneration: number): RolloutStatus {
  const { canary, blueGreen } = previous;
  return {
    phase: previous.phase,
    message: previous.message,
    observedGeneration,
    currentPodHash: previous.currentPodHash,
    stableRS: previous.stableRS,
    currentStepIndex: previous.currentStepIndex,
    currentStepHash: previous.currentStepHash,
    pauseConditions: previous.pauseConditions,
    controllerPause: previous.controllerPause,
    abort: previous.abort,
    abortedAt: previous.abortedAt,
    promoteFull: previous.promoteFull,
    conditions: previous.conditions,
    replicas: previous.replicas,
    updatedReplicas: previous.updatedReplicas,
    readyReplicas: previous.readyReplicas,
    availableReplicas: previous.availableReplicas,
    canary: {
      weights: canary.weights,
      currentStepAnalysisRun: canary.currentStepAnalysisRun,
      currentBackgroundAnalysisRun: canary.currentBackgroundAnalysisRun,
      currentExperiment: canary.currentExperiment,
    },
    blueGreen: {
      activeSelector: blueGreen.activeSelector,
      previewSelector: blueGreen.previewSelector,
      scaleUpPreviewCheckPoint: blueGreen.scaleUpPreviewCheckPoint,
      prePromotionAnalysisRun: blueGreen.prePromotionAnalysisRun,
      postPromotionAnalysisRun: blueGreen.postPromotionAnalysisRun,
    },
    restartedAt: previous.restartedAt,
    collisionCount: previous.collisionCount,
    scaleDownDeadlines: previous.scaleDownDeadlines,
    lastProgressAt: previous.lastProgressAt,
    retryAttempt: previous.retryAttempt,
  };
}

function observedRevisions(replicaSets: readonly ObservedReplicaSet[]): Map<string, number> {
  const revisions = new Map<string, number>();
  for (const replicaSet of replicaSets) {
    const revision = Number(replicaSet.annotations[REVISION_ANNOTATION]);
    revisions.set(replicaSet.podTemplateHash, Number.isInteger(revision) ? revision : 0);
  }
  return revisions;
}

/**
 * Whether going back to an existing ReplicaSet counts as a rollback inside `rollbackWindow.revisions`: it is older
 * than the stable one and at most that many revisions lie between them (the stable included).
 */
function isRollbackWithinWindow(
  spec: RolloutSpec,
  revisions: ReadonlyMap<string, number>,
  currentHash: string,
  stableHash: string | undefined,
): boolean {
  const window = spec.rollbackWindow?.revisions ?? 0;
  const currentRevision = revisions.get(currentHash);
  const stableRevision = stableHash === undefined ? undefined : revisions.get(stableHash);
  if (window <= 0 || currentRevision === undefined || stableRevision === undefined || currentRevision >= stableRevision) return false;
  let between = 0;
  for (const revision of revisions.values()) if (revision > currentRevision && revision <= stableRevision) between++;
  return between <= window;
}

function imagesOf(template: PodTemplateSpec): string[] {
  return template.spec.containers.map((container) => container.image ?? '');
}

/** Starts the status of a new pod template: steps from 0, unless it is a fast rollback. */
function startRevision(context: RolloutContext, previous: RolloutStatus, observedCurrentRevision: boolean): void {
  const status = context.status;
  const steps = context.spec.strategy.canary?.steps ?? [];
  const previousRevision = revisionOf(context, previous.currentPodHash);
  const wasInFlight = previous.currentPodHash !== previous.stableRS && !previous.abort;
  if (wasInFlight) {
    const outcome = context.currentHash === previous.stableRS ? 'RolledBack' : 'Superseded';
    context.events.push({ type: 'RevisionFinished', revision: previousRevision, podTemplateHash: previous.currentPodHash, outcome });
  }
  Object.assign(status, {
    currentPodHash: context.currentHash,
    currentStepIndex: context.spec.strategy.canary === undefined ? undefined : 0,
    pauseConditions: [],
    controllerPause: false,
    abort: false,
    abortedAt: undefined,
    promoteFull: false,
    retryAttempt: 0,
  } satisfies Partial<RolloutStatus>);
  status.canary = {
    weights: status.canary.weights,
    currentStepAnalysisRun: undefined,
    currentBackgroundAnalysisRun: undefined,
    currentExperiment: undefined,
  };
  status.blueGreen = {
    ...status.blueGreen,
    activeSelector: status.stableRS,
    scaleUpPreviewCheckPoint: false,
    prePromotionAnalysisRun: undefined,
    postPromotionAnalysisRun: undefined,
  };
  if (context.currentHash === status.stableRS) {
    if (status.currentStepIndex !== undefined) status.currentStepIndex = steps.length;
  } else if (observedCurrentRevision && isRollbackWithinWindow(context.spec, context.revisions, context.currentHash, status.stableRS)) {
    status.promoteFull = true;
  }
  markProgress(context);
  context.events.push({
    type: 'RevisionStarted',
    revision: context.currentRevision,
    podTemplateHash: context.currentHash,
    images: imagesOf(context.spec.template),
  });
}

function countReplicas(context: RolloutContext): void {
  const status = context.status;
  let replicas = 0;
  let ready = 0;
  let available = 0;
  for (const replicaSet of context.replicaSets.values()) {
    replicas += replicaSet.currentReplicas;
    ready += replicaSet.readyReplicas;
    available += replicaSet.availableReplicas;
  }
  const current = context.replicaSets.get(context.currentHash);
  status.replicas = replicas;
  status.readyReplicas = ready;
  status.updatedReplicas = current?.currentReplicas ?? 0;
  const blueGreen = context.spec.strategy.blueGreen;
  const active = status.blueGreen.activeSelector === undefined ? undefined : context.replicaSets.get(status.blueGreen.activeSelector);
  status.availableReplicas = blueGreen !== undefined ? (active?.availableReplicas ?? 0) : available;
}

function countsChanged(previous: RolloutStatus | undefined, status: RolloutStatus): boolean {
  return (
    previous === undefined ||
    previous.replicas !== status.replicas ||
    previous.updatedReplicas !== status.updatedReplicas ||
    previous.readyReplicas !== status.readyReplicas ||
    previous.availableReplicas !== status.availableReplicas
  );
}

/**
 * Upstream's Available condition, which `maxUnavailable` does not loosen: a blue-green rollout's active ReplicaSet is
 * saturated (sized for `spec.replicas` and every pod available); a canary has `spec.replicas` pods available in all.
 */
function isAvailable(context: RolloutContext): boolean {
  const { status, specReplicas } = context;
  if (context.spec.strategy.blueGreen === undefined) return status.availableReplicas >= specReplicas;
  const active = status.blueGreen.activeSelector === undefined ? undefined : context.replicaSets.get(status.blueGreen.activeSelector);
  return (
    active !== undefined &&
    active.replicas === specReplicas &&
    active.annotations[DESIRED_REPLICAS_ANNOTATION] === String(specReplicas) &&
    active.availableReplicas === specReplicas
  );
}

function abortMessage(context: RolloutContext, previous: RolloutStatus | undefined): string | undefined {
  if (!context.status.abort) return undefined;
  const before = previous?.conditions.find((condition) => condition.type === 'Progressing');
  if (before?.reason === 'RolloutAborted' && previous?.currentPodHash === context.currentHash) return before.message;
  const reason = [...context.events].reverse().find((event) => event.type === 'RolloutAborted');
  return reason?.type === 'RolloutAborted' ? reason.message : `Rollout aborted update to revision ${context.currentRevision}`;
}

/** Upstream's `ReplicaSetTimeOutMessage` for the new ReplicaSet. */
function replicaSetTimedOutMessage(context: RolloutContext): string {
  return `ReplicaSet "${replicaSetName(context.name, context.currentHash)}" has timed out progressing.`;
}

/** Why the update is stuck, naming the pod problems the agent saw on the new ReplicaSet. */
function timedOutMessage(context: RolloutContext): string {
  const problems = context.replicaSets.get(context.currentHash)?.podProblems ?? [];
  const details = problems.map((problem) => `${problem.reason} on ${problem.pods} pod(s): ${problem.message}`).join('; ');
  const message = replicaSetTimedOutMessage(context);
  return details === '' ? message : `${message} ${details}`;
}

/** Phase, message and conditions, with the progress deadline applied (and `progressDeadlineAbort` honoured). */
function settleStatus(context: RolloutContext, previous: RolloutStatus | undefined): void {
  const status = context.status;
  const spec = context.spec;
  countReplicas(context);
  if (countsChanged(previous, status)) markProgress(context);
  const [phase, message] = calculatePhase({
    spec,
    specReplicas: context.specReplicas,
    status,
    waitingForPostPromotionAnalysis: spec.strategy.blueGreen?.postPromotionAnalysis !== undefined,
  });
  const paused = phase === 'Paused';
  if (paused !== (previous?.phase === 'Paused')) markProgress(context);
  let timedOut = false;
  if (phase === 'Progressing' && !status.abort && !context.awaitingRun) {
    const deadlineMs =
      Date.parse(status.lastProgressAt ?? context.nowIso) + (spec.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS) * 1000;
    timedOut = context.nowMs >= deadlineMs;
    if (!timedOut) context.wakeUps.push(deadlineMs);
    const wasTimedOut = previous?.conditions.some((condition) => condition.reason === 'ProgressDeadlineExceeded') === true;
    if (timedOut && !wasTimedOut) context.events.push({ type: 'ProgressDeadlineExceeded', message: timedOutMessage(context) });
    if (timedOut && spec.progressDeadlineAbort === true && status.stableRS !== context.currentHash) {
      abortRollout(context, replicaSetTimedOutMessage(context));
      timedOut = false;
    }
  }
  const aborted = abortMessage(context, previous);
  const healthy = phase === 'Healthy';
  status.conditions = buildConditions({
    previous: previous?.conditions ?? [],
    nowIso: context.nowIso,
    replicaSetName: replicaSetName(context.name, context.currentHash),
    revision: context.currentRevision,
    paused,
    abortMessage: aborted,
    timedOut,
    healthy,
    completed: healthy && status.stableRS === context.currentHash,
    available: isAvailable(context),
  });
  if (aborted !== undefined) [status.phase, status.message] = ['Degraded', `RolloutAborted: ${aborted}`];
  else if (timedOut) [status.phase, status.message] = ['Degraded', `ProgressDeadlineExceeded: ${replicaSetTimedOutMessage(context)}`];
  else [status.phase, status.message] = [phase, message];
}

function addTransitionEvents(context: RolloutContext, previous: RolloutStatus | undefined, replicaSets: DesiredReplicaSet[]): void {
  const { status, events } = context;
  if (status.phase === 'Paused' && previous?.phase !== 'Paused') {
    events.push({
      type: 'RolloutPaused',
      reason: context.spec.paused === true ? 'SpecPaused' : (status.pauseConditions[0]?.reason ?? 'SpecPaused'),
    });
  }
  if (previous?.phase === 'Paused' && status.phase !== 'Paused' && status.phase !== 'Degraded') events.push({ type: 'RolloutResumed' });
  for (const replicaSet of replicaSets) {
    const from = context.replicaSets.get(replicaSet.podTemplateHash)?.replicas ?? 0;
    if (from !== replicaSet.replicas)
      events.push({ type: 'ScalingReplicaSet', podTemplateHash: replicaSet.podTemplateHash, from, to: replicaSet.replicas });
  }
  const canary = context.spec.strategy.canary;
  const router = canary === undefined ? undefined : trafficRouterOf(canary);
  const fromWeight = previous?.canary.weights?.canary.weight ?? 0;
  const toWeight = status.canary.weights?.canary.weight ?? 0;
  if (router !== undefined && fromWeight !== toWeight)
    events.push({ type: 'TrafficWeightUpdated', router, from: fromWeight, to: toWeight });
  const activeService = context.spec.strategy.blueGreen?.activeService;
  const active = status.blueGreen.activeSelector;
  if (activeService !== undefined && active !== undefined && previous?.blueGreen.activeSelector !== active) {
    events.push({ type: 'ServiceSelectorSwitched', service: activeService, from: previous?.blueGreen.activeSelector, to: active });
  }
}

/** Drops scale-down deadlines that no longer hold anything up; an aborted canary's stays until it is retried. */
function pruneDeadlines(context: RolloutContext): void {
  const deadlines = context.status.scaleDownDeadlines;
  let kept: Record<string, string> | undefined;
  let dropped = false;
  for (const hash in deadlines) {
    const deadline = deadlines[hash] as string;
    const plan = context.plan.get(hash);
    const abortedCanary = context.status.abort && plan?.role === 'canary';
    const stillHolding =
      plan !== undefined && (abortedCanary || (plan.role === 'old' && (plan.replicas > 0 || Date.parse(deadline) > context.nowMs)));
    if (stillHolding) (kept ??= {})[hash] = deadline;
    else dropped = true;
  }
  if (dropped) context.status.scaleDownDeadlines = kept ?? {};
}

/** Names of the runs (or experiments) still active that this decision no longer wants. */
function activeAndUnwanted(items: readonly { name: string; phase: string }[], wanted: readonly string[]): string[] {
  const names: string[] = [];
  for (const { name, phase } of items) if ((phase === 'Pending' || phase === 'Running') && !wanted.includes(name)) names.push(name);
  return names;
}

const NOTHING: ReadonlyMap<string, never> = new Map<string, never>();

/** Items by a key of theirs. The maps are only read, so every decision without such items shares one empty map. */
function byKey<Item>(items: readonly Item[], key: (item: Item) => string): ReadonlyMap<string, Item> {
  if (items.length === 0) return NOTHING;
  const map = new Map<string, Item>();
  for (const item of items) map.set(key(item), item);
  return map;
}

// Experiments are reconciled on their own (reconcileExperiment): their ReplicaSets and runs are not the revisions'.
const isExperimentReplicaSet = (replicaSet: ObservedReplicaSet): boolean => replicaSet.labels[EXPERIMENT_LABEL] !== undefined;
const isExperimentRun = (run: AnalysisRunState): boolean => run.kind === 'experiment';

function withoutExperimentReplicaSets(observed: ObservedRolloutState): ObservedRolloutState {
  if (!observed.replicaSets.some(isExperimentReplicaSet)) return observed;
  return { ...observed, replicaSets: observed.replicaSets.filter((replicaSet) => !isExperimentReplicaSet(replicaSet)) };
}

/**
 * Brings the status up to the template and steps of the spec: the first deployment, a new revision, changed steps,
 * and the abort or retry a user operation left in the status.
 */
function openRevision(context: RolloutContext, previous: RolloutStatus | undefined, currentWasObserved: boolean): void {
  const { spec, status, currentHash, currentRevision } = context;
  const canary = spec.strategy.canary;
  const steps = canary?.steps ?? [];
  if (previous === undefined || previous.stableRS === undefined) {
    status.stableRS = currentHash;
    status.currentStepIndex = canary === undefined ? undefined : steps.length;
    status.blueGreen.activeSelector = spec.strategy.blueGreen === undefined ? undefined : currentHash;
    context.events.push({
      type: 'RevisionStarted',
      revision: currentRevision,
      podTemplateHash: currentHash,
      images: imagesOf(spec.template),
    });
  } else if (previous.currentPodHash !== currentHash) {
    startRevision(context, previous, currentWasObserved);
  }
  if (canary !== undefined) {
    const stepsHash = decidedOnThisSpec(previous, status.observedGeneration)?.currentStepHash ?? hashOf(steps);
    if (status.currentStepHash !== undefined && status.currentStepHash !== stepsHash) {
      status.currentStepIndex = status.stableRS === currentHash ? steps.length : 0;
      status.pauseConditions = [];
      status.controllerPause = false;
    }
    status.currentStepHash = stepsHash;
  }
  if (status.abort && status.abortedAt === undefined) abortRollout(context, undefined);
  const wasAborted = previous?.conditions.some((condition) => condition.reason === 'RolloutAborted') === true;
  if (wasAborted && !status.abort && previous?.currentPodHash === currentHash) context.events.push({ type: 'RolloutRetried' });
}

/**
 * Whether a template hashing to `currentHash` would start a new revision: it is neither the revision in flight, nor
 * the stable one, nor one of which a ReplicaSet still exists (an undo, a fleet rollback).
 */
function startsNewRevision(previous: RolloutStatus, currentHash: string, revisions: ReadonlyMap<string, number>): boolean {
  if (previous.stableRS === undefined) return false;
  return previous.currentPodHash !== currentHash && previous.stableRS !== currentHash && !revisions.has(currentHash);
}

const heldMessage = (freeze: RolloutFreeze): string => `held by freeze ${freeze.window} until ${freeze.until.toISOString()}`;

/** The decision while a freeze holds a new revision: the status stays on the current one, asked again at the end. */
function heldRevisionDecision(previous: RolloutStatus, freeze: RolloutFreeze): Decision {
  return {
    status: { ...previous, message: heldMessage(freeze) },
    desired: { replicaSets: [], services: {}, trafficRouting: undefined },
    analysisRunsToStart: [],
    analysisRunsToTerminate: [],
    experimentsToStart: [],
    experimentsToTerminate: [],
    events: [],
    requeueAt: freeze.until,
    heldByFreeze: true,
  };
}

/**
 * A freeze holds a new template while a revision is in flight: the in-flight revision goes on as if the template had
 * not changed (its steps under policy `finish`, an abort at any time), on the template its ReplicaSet was made from,
 * and the new template's generation stays unobserved until the freeze ends. With nothing in flight, or its
 * ReplicaSet not observed, the status stays as it is.
 */
function reconcileHeldRevision(input: ReconcileInput, previous: RolloutStatus, freeze: RolloutFreeze): Decision {
  const inFlightReplicaSet =
    previous.currentPodHash === previous.stableRS
      ? undefined
      : input.observed.replicaSets.find((replicaSet) => replicaSet.podTemplateHash === previous.currentPodHash);
  if (inFlightReplicaSet === undefined) return heldRevisionDecision(previous, freeze);
  const { rollout } = input;
  const template = originalTemplate(inFlightReplicaSet);
  if (podTemplateHash(template, previous.collisionCount) !== previous.currentPodHash) return heldRevisionDecision(previous, freeze);
  const decision = reconcile({
    ...input,
    rollout: { ...rollout, generation: previous.observedGeneration, spec: { ...rollout.spec, template } },
  });
  const requeueAt = decision.requeueAt === undefined || decision.requeueAt > freeze.until ? freeze.until : decision.requeueAt;
  const held = decision.status.phase === 'Progressing' || decision.status.phase === 'Paused';
  return { ...decision, status: held ? { ...decision.status, message: heldMessage(freeze) } : decision.status, requeueAt };
}

const inFlight = (context: RolloutContext): boolean => !context.status.abort && context.status.stableRS !== context.currentHash;

/** Under policy `hold`, the progress deadline of a revision in flight counts from the freeze's end: nothing can move before. */
function holdProgressDeadline(context: RolloutContext, freeze: RolloutFreeze): void {
  const status = context.status;
  const untilIso = freeze.until.toISOString();
  if (!context.progressHeld || !inFlight(context)) return;
  if (status.lastProgressAt === undefined || status.lastProgressAt < untilIso) status.lastProgressAt = untilIso;
}

/** A freeze in effect: the rollout is asked again when it ends; under policy `hold`, a revision in flight says it is held. */
function noteFreeze(context: RolloutContext, freeze: RolloutFreeze): void {
  context.wakeUps.push(freeze.until.getTime());
  const { status } = context;
  if (context.progressHeld && inFlight(context) && (status.phase === 'Progressing' || status.phase === 'Paused')) {
    status.message = heldMessage(freeze);
  }
}

/** Runs the strategy and turns its plan into desired ReplicaSets (with restarts). */
function planCluster(context: RolloutContext): DesiredReplicaSet[] {
  const { blueGreen, canary } = context.spec.strategy;
  if (blueGreen !== undefined) reconcileBlueGreen(context, blueGreen);
  else reconcileCanary(context, canary ?? {});
  pruneDeadlines(context);
  const replicaSets = desiredReplicaSets(context);
  planRestart(context, replicaSets);
  return replicaSets;
}

function clearPlan(context: RolloutContext): void {
  context.plan.clear();
  context.services = {};
  context.trafficRouting = undefined;
  context.analysisRunsToStart.length = 0;
  context.wantedAnalysisRuns.length = 0;
  context.experimentsToStart.length = 0;
  context.wantedExperiments.length = 0;
  context.wakeUps.length = 0;
  context.awaitingRun = false;
}

/**
 * Decides the next status of a rollout and the full cluster state it needs, with Argo Rollouts' semantics.
 * Never performs anything and never reads the clock: the same input always gives the same (deep-equal) decision,
 * so a shell may call it again on retry.
 * @example
 * // first reconcile of a 3-replica canary: straight to 100%, no steps
 * reconcile({ rollout, status: undefined, observed: { replicaSets: [], serviceSelectors: {}, trafficWeights: {}, observedAt }, analysisRuns: [], experiments: [], now })
 * // → status.stableRS === status.currentPodHash, desired.replicaSets[0].replicas === 3, phase 'Progressing'
 */
export function reconcile(input: ReconcileInput): Decision {
  const { rollout, now, freeze } = input;
  const observed = withoutExperimentReplicaSets(input.observed);
  const analysisRuns = input.analysisRuns.some(isExperimentRun)
    ? input.analysisRuns.filter((run) => !isExperimentRun(run))
    : input.analysisRuns;
  const spec = rollout.spec;
  const previous = input.status;
  const nowMs = now.getTime();
  const nowIso = now.toISOString();
  const currentHash =
    decidedOnThisSpec(previous, rollout.generation)?.currentPodHash ?? podTemplateHash(spec.template, previous?.collisionCount);
  const revisions = observedRevisions(observed.replicaSets);
  const observedCurrentRevision = revisions.get(currentHash);
  let highestOther = 0;
  for (const [hash, revision] of revisions) if (hash !== currentHash && revision > highestOther) highestOther = revision;
  const currentRevision =
    observedCurrentRevision !== undefined && observedCurrentRevision > highestOther ? observedCurrentRevision : highestOther + 1;
  if (freeze !== undefined && freeze.until > now && previous !== undefined && startsNewRevision(previous, currentHash, revisions)) {
    return reconcileHeldRevision(input, previous, freeze);
  }
  const status: RolloutStatus =
    previous === undefined ? initialStatus(currentHash, rollout.generation, nowIso) : statusToDecideInto(previous, rollout.generation);
  const context: RolloutContext = {
    name: rollout.name,
    spec,
    specReplicas: specReplicas(spec),
    nowMs,
    nowIso,
    observed,
    replicaSets: byKey(observed.replicaSets, (replicaSet) => replicaSet.podTemplateHash),
    currentHash,
    revisions,
    currentRevision,
    analysisRuns: byKey(analysisRuns, (run) => run.name),
    experiments: byKey(input.experiments, (experiment) => experiment.name),
    previous,
    status,
    plan: new Map(),
    services: {},
    trafficRouting: undefined,
    analysisRunsToStart: [],
    wantedAnalysisRuns: [],
    experimentsToStart: [],
    wantedExperiments: [],
    events: [],
    wakeUps: [],
    awaitingRun: false,
    progressHeld: input.freeze?.policy === 'hold',
  };

  openRevision(context, previous, observedCurrentRevision !== undefined);
  revisions.set(currentHash, currentRevision);
  if (freeze !== undefined && freeze.until > now) holdProgressDeadline(context, freeze);

  let replicaSets = planCluster(context);
  const abortedBeforeSettling = status.abort;
  settleStatus(context, previous);
  if (status.abort && !abortedBeforeSettling) {
    // progressDeadlineAbort fired: plan again so that this decision already carries the abort out.
    clearPlan(context);
    replicaSets = planCluster(context);
    settleStatus(context, previous);
  }
  addTransitionEvents(context, previous, replicaSets);
  if (freeze !== undefined && freeze.until > now) noteFreeze(context, freeze);

  let requeueMs = Infinity;
  for (const timeMs of context.wakeUps) if (timeMs > nowMs && timeMs < requeueMs) requeueMs = timeMs;
  return {
    status,
    desired: { replicaSets, services: context.services, trafficRouting: context.trafficRouting },
    analysisRunsToStart: context.analysisRunsToStart,
    analysisRunsToTerminate: activeAndUnwanted(analysisRuns, context.wantedAnalysisRuns),
    experimentsToStart: context.experimentsToStart,
    experimentsToTerminate: activeAndUnwanted(input.experiments, context.wantedExperiments),
    events: context.events,
    requeueAt: requeueMs === Infinity ? undefined : new Date(requeueMs),
  };
}

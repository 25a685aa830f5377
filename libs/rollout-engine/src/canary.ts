import {
  pauseDurationSeconds,
  type CanaryStep,
  type CanaryStrategy,
  type RolloutExperimentStep,
  type RolloutPause,
  type SetHeaderRoute,
  type SetMirrorRoute,
} from '@flotilla/argo-spec';
import type { ObservedReplicaSet } from '@flotilla/protocol';
import {
  abortedCanaryWeight,
  canaryReplicasOrWeight,
  currentSetWeight,
  describeStep,
  hasReplicasForWeight,
  maxTrafficWeight,
  previousSetWeight,
  trafficRouterOf,
} from './canary-weights.js';
import {
  abortRollout,
  addPause,
  hasPause,
  markProgress,
  observedReplicas,
  outcomeOfPhase,
  ownedRunName,
  pauseWasPromoted,
  requireAnalysisRun,
  wakeUpAt,
  type RolloutContext,
  type RunOutcome,
} from './context.js';
import { abortScaleDownDelaySeconds, canaryFenceposts, scaleDownDelaySeconds } from './defaults.js';
import { experimentDestinations, experimentRequest } from './experiment/step-experiment.js';
import { otherReplicaSets, planOtherReplicaSets, scheduleScaleDown } from './old-replica-sets.js';
import {
  calculateReplicaCountsForBasicCanary,
  calculateReplicaCountsForTrafficRoutedCanary,
  replicaProgressThresholdMet,
} from './replica-math.js';

type StepOutcome = 'complete' | 'waiting';

interface CanaryCounts {
  canary: number;
  stable: number;
}

function currentReplicaSet(context: RolloutContext): ObservedReplicaSet | undefined {
  return context.replicaSets.get(context.currentHash);
}

/** The stable ReplicaSet when it exists and is not the one being rolled out. */
function distinctStableReplicaSet(context: RolloutContext): ObservedReplicaSet | undefined {
  const stableHash = context.status.stableRS;
  if (stableHash === undefined || stableHash === context.currentHash) return undefined;
  return context.replicaSets.get(stableHash);
}

function servedCanaryWeight(context: RolloutContext, canary: CanaryStrategy): number | undefined {
  const router = trafficRouterOf(canary);
  return router === undefined ? undefined : context.observed.trafficWeights[router];
}

function countsAt(context: RolloutContext, canary: CanaryStrategy, index: number): CanaryCounts {
  const stable = distinctStableReplicaSet(context);
  const wanted = canaryReplicasOrWeight(canary, context.status, index, {
    specReplicas: context.specReplicas,
    canary: currentReplicaSet(context),
    stable,
  });
  if (canary.trafficRouting !== undefined) {
    const served = servedCanaryWeight(context, canary);
    const fullWeight = maxTrafficWeight(canary);
    return calculateReplicaCountsForTrafficRoutedCanary({
      specReplicas: context.specReplicas,
      desiredWeight: wanted.weightPercent,
      canaryReplicasOverride: wanted.replicas,
      dynamicStableScale: canary.dynamicStableScale === true,
      minPodsPerReplicaSet: canary.minPodsPerReplicaSet,
      actualWeights:
        served === undefined ? undefined : { canary: (served * 100) / fullWeight, stable: ((fullWeight - served) * 100) / fullWeight },
      abort: context.status.abort,
    });
  }
  const { maxSurge, maxUnavailable } = canaryFenceposts(context.spec, canary);
  return calculateReplicaCountsForBasicCanary({
    specReplicas: context.specReplicas,
    desiredWeight: wanted.weightPercent,
    maxSurge,
    maxUnavailable,
    canary: observedReplicas(currentReplicaSet(context)),
    stable,
    others: otherReplicaSets(context),
  });
}

/**
 * Upstream `AtDesiredReplicaCountsForCanary`: the canary has the pods of this step available (or as many as
 * `replicaProgressThreshold` asks for) and the stable has its count.
 */
function atDesiredCounts(context: RolloutContext, canary: CanaryStrategy, counts: CanaryCounts): boolean {
  if (!replicaProgressThresholdMet(canary.replicaProgressThreshold, currentReplicaSet(context), counts.canary)) return false;
  const trafficRouted = canary.trafficRouting !== undefined;
  if (!trafficRouted || canary.dynamicStableScale !== true) {
    const stable = distinctStableReplicaSet(context);
    if (stable === undefined ? counts.stable !== 0 : counts.stable !== stable.replicas || counts.stable !== stable.currentReplicas)
      return false;
  }
  return trafficRouted || otherReplicaSets(context).every((replicaSet) => replicaSet.availableReplicas === 0);
}

/** Canary weight the router should serve: raised only once the canary is scaled for it. */
function routerCanaryWeight(context: RolloutContext, canary: CanaryStrategy, index: number, atDesired: boolean): number {
  const status = context.status;
  if (status.abort) {
    const observed = { specReplicas: context.specReplicas, canary: currentReplicaSet(context), stable: distinctStableReplicaSet(context) };
    return abortedCanaryWeight(canary, status, index, observed);
  }
  if (status.stableRS === context.currentHash) return 0;
  const steps = canary.steps ?? [];
  const fullWeight = maxTrafficWeight(canary);
  const weight = atDesired ? currentSetWeight(steps, index, fullWeight) : previousSetWeight(steps, index);
  return Math.min(Math.max(weight, 0), fullWeight);
}

function experimentStepOutcome(context: RolloutContext, experimentStep: RolloutExperimentStep, index: number): RunOutcome {
  const name = ownedRunName(context, String(index));
  context.wantedExperiments.push(name);
  context.status.canary.currentExperiment = name;
  const experiment = context.experiments.get(name);
  if (experiment === undefined) {
    context.experimentsToStart.push(experimentRequest(context, experimentStep, index, name));
    context.awaitingRun = true;
    return { state: 'waiting' };
  }
  const outcome = outcomeOfPhase(experiment.phase, experiment.message);
  if (outcome.state === 'waiting') context.awaitingRun = true;
  return outcome;
}

/** Folds a run's outcome into the step: success completes it, failure aborts, inconclusive pauses until promoted. */
function stepOutcomeOfRun(
  context: RolloutContext,
  outcome: RunOutcome,
  inconclusiveReason: 'InconclusiveAnalysisRun' | 'InconclusiveExperiment',
): StepOutcome {
  switch (outcome.state) {
    case 'successful':
      return 'complete';
    case 'failed':
      abortRollout(context, outcome.message);
      return 'waiting';
    case 'inconclusive':
      if (pauseWasPromoted(context.status)) return 'complete';
      addPause(context, inconclusiveReason);
      return 'waiting';
    case 'waiting':
      return 'waiting';
  }
}

function pauseStepOutcome(context: RolloutContext, pause: RolloutPause): StepOutcome {
  const status = context.status;
  const durationSeconds = pause.duration === undefined ? undefined : pauseDurationSeconds(pause.duration);
  if (durationSeconds !== undefined && durationSeconds <= 0) return 'complete';
  const condition = status.pauseConditions.find((candidate) => candidate.reason === 'CanaryPauseStep');
  if (condition === undefined) {
    if (pauseWasPromoted(status)) return 'complete';
    addPause(context, 'CanaryPauseStep');
    if (durationSeconds !== undefined) wakeUpAt(context, context.nowMs + durationSeconds * 1000);
    return 'waiting';
  }
  if (durationSeconds === undefined) return 'waiting';
  const endMs = Date.parse(condition.startTime) + durationSeconds * 1000;
  if (context.nowMs >= endMs) return 'complete';
  wakeUpAt(context, endMs);
  return 'waiting';
}

/** The step's analysis run or experiment, started or followed; undefined when the step has neither. */
function stepRunOutcome(context: RolloutContext, step: CanaryStep, index: number): StepOutcome | undefined {
  if (step.analysis !== undefined) {
    const run = requireAnalysisRun(context, 'step', String(index), step.analysis, index);
    context.status.canary.currentStepAnalysisRun = run.name;
    return stepOutcomeOfRun(context, run.outcome, 'InconclusiveAnalysisRun');
  }
  if (step.experiment !== undefined) {
    return stepOutcomeOfRun(context, experimentStepOutcome(context, step.experiment, index), 'InconclusiveExperiment');
  }
  return undefined;
}

/**
 * Whether the current step is done. A step may set several fields (setCanaryScale and the routes join any action):
 * each takes effect, and the first of pause, setCanaryScale, setWeight, experiment and analysis decides when the step
 * completes, as upstream's `completedCurrentCanaryStep`. A run the step starts still aborts the rollout when it fails,
 * or pauses it when inconclusive, whichever field decides.
 */
function evaluateStep(context: RolloutContext, canary: CanaryStrategy, step: CanaryStep, index: number): StepOutcome {
  const runOutcome = stepRunOutcome(context, step, index);
  const status = context.status;
  if (status.abort || hasPause(status, 'InconclusiveAnalysisRun') || hasPause(status, 'InconclusiveExperiment')) return 'waiting';
  if (step.pause !== undefined) {
    // Upstream starts a pause in a reconcile that resized nothing: beside setCanaryScale, once the canary has its size.
    const sizing = step.setCanaryScale !== undefined && !hasPause(status, 'CanaryPauseStep');
    if (sizing && currentReplicaSet(context)?.replicas !== countsAt(context, canary, index).canary) return 'waiting';
    return pauseStepOutcome(context, step.pause);
  }
  if (step.setWeight !== undefined || step.setCanaryScale !== undefined) {
    const atDesired = atDesiredCounts(context, canary, countsAt(context, canary, index));
    if (!atDesired) return 'waiting';
    if (step.setCanaryScale !== undefined || trafficRouterOf(canary) === undefined) return 'complete';
    return servedCanaryWeight(context, canary) === routerCanaryWeight(context, canary, index, true) ? 'complete' : 'waiting';
  }
  return runOutcome ?? 'complete';
}

/** Runs steps from the current index for as long as they complete on what is observed now. */
function advanceSteps(context: RolloutContext, canary: CanaryStrategy, steps: readonly CanaryStep[]): void {
  const status = context.status;
  while (!status.abort && (status.currentStepIndex ?? 0) < steps.length) {
    const index = status.currentStepIndex ?? 0;
    const step = steps[index] as CanaryStep;
    if (evaluateStep(context, canary, step, index) === 'waiting') return;
    // The step is done, but a freeze holds the next one back until it ends.
    if (context.progressHeld) return;
    context.events.push({ type: 'RolloutStepCompleted', stepIndex: index, stepCount: steps.length, step: describeStep(step) });
    status.currentStepIndex = index + 1;
    status.pauseConditions = [];
    status.controllerPause = false;
    status.canary.currentStepAnalysisRun = undefined;
    status.canary.currentExperiment = undefined;
    markProgress(context);
  }
}

function reconcileBackgroundAnalysis(context: RolloutContext, canary: CanaryStrategy, index: number): void {
  const analysis = canary.analysis;
  const status = context.status;
  if (analysis === undefined || status.promoteFull || index < (analysis.startingStep ?? 0)) return;
  const awaitingStepRun = context.awaitingRun;
  const run = requireAnalysisRun(context, 'background', 'background', analysis, undefined);
  context.awaitingRun = awaitingStepRun;
  status.canary.currentBackgroundAnalysisRun = run.name;
  if (run.outcome.state === 'failed') abortRollout(context, run.outcome.message);
  else if (run.outcome.state === 'inconclusive' && !pauseWasPromoted(status)) addPause(context, 'InconclusiveAnalysisRun');
}

/** Keeps the runs of a paused rollout alive without advancing anything. */
function keepCurrentRuns(context: RolloutContext): void {
  const { currentStepAnalysisRun, currentBackgroundAnalysisRun, currentExperiment } = context.status.canary;
  if (currentStepAnalysisRun !== undefined) context.wantedAnalysisRuns.push(currentStepAnalysisRun);
  if (currentBackgroundAnalysisRun !== undefined) context.wantedAnalysisRuns.push(currentBackgroundAnalysisRun);
  if (currentExperiment !== undefined) context.wantedExperiments.push(currentExperiment);
}

/** Marks the canary stable once every step is done and it runs (and, routed, serves) at full weight. */
function completeIfFullyPromoted(context: RolloutContext, canary: CanaryStrategy, stepCount: number): void {
  const status = context.status;
  const current = currentReplicaSet(context);
  if (current === undefined || current.replicas !== context.specReplicas) return;
  const threshold = canary.replicaProgressThreshold;
  if (current.availableReplicas < context.specReplicas && !replicaProgressThresholdMet(threshold, current, context.specReplicas)) return;
  if (!atDesiredCounts(context, canary, countsAt(context, canary, stepCount))) return;
  if (trafficRouterOf(canary) !== undefined && servedCanaryWeight(context, canary) !== maxTrafficWeight(canary)) return;
  const previousStable = status.stableRS;
  status.stableRS = context.currentHash;
  status.promoteFull = false;
  status.pauseConditions = [];
  status.controllerPause = false;
  status.canary.currentStepAnalysisRun = undefined;
  status.canary.currentBackgroundAnalysisRun = undefined;
  status.canary.currentExperiment = undefined;
  if (previousStable !== undefined && canary.trafficRouting !== undefined && canary.dynamicStableScale !== true)
    scheduleScaleDown(context, previousStable, scaleDownDelaySeconds(canary));
  context.events.push(
    { type: 'RolloutCompleted', revision: context.currentRevision, podTemplateHash: context.currentHash },
    { type: 'RevisionFinished', revision: context.currentRevision, podTemplateHash: context.currentHash, outcome: 'Healthy' },
  );
  markProgress(context);
}

function routesUpTo<Route extends { name: string }>(
  steps: readonly CanaryStep[],
  index: number,
  pick: (step: CanaryStep) => Route | undefined,
  isRemoval: (route: Route) => boolean,
): Route[] {
  const routes = new Map<string, Route>();
  for (let stepIndex = 0; stepIndex <= Math.min(index, steps.length - 1); stepIndex++) {
    const route = pick(steps[stepIndex] as CanaryStep);
    if (route === undefined) continue;
    if (isRemoval(route)) routes.delete(route.name);
    else routes.set(route.name, route);
  }
  return [...routes.values()];
}

function planTraffic(context: RolloutContext, canary: CanaryStrategy, index: number, canaryWeight: number): void {
  const router = trafficRouterOf(canary);
  const fullWeight = maxTrafficWeight(canary);
  const stableHash = context.status.stableRS ?? context.currentHash;
  const inFlight = stableHash !== context.currentHash && !context.status.abort;
  const steps = canary.steps ?? [];
  const additionalDestinations = inFlight ? experimentDestinations(context, canary, index) : [];
  const additionalWeight = additionalDestinations.reduce((sum, destination) => sum + destination.weight, 0);
  const stableWeight = Math.max(0, fullWeight - canaryWeight - additionalWeight);
  context.status.canary.weights = {
    canary: {
      weight: canaryWeight,
      podTemplateHash: context.currentHash,
      ...(canary.canaryService ? { serviceName: canary.canaryService } : {}),
    },
    stable: { weight: stableWeight, podTemplateHash: stableHash, ...(canary.stableService ? { serviceName: canary.stableService } : {}) },
    additionalDestinations,
  };
  if (router === undefined || canary.trafficRouting === undefined) return;
  context.trafficRouting = {
    router,
    routing: canary.trafficRouting,
    canaryService: canary.canaryService,
    stableService: canary.stableService,
    canaryPodTemplateHash: context.currentHash,
    stablePodTemplateHash: stableHash,
    canaryWeight,
    stableWeight,
    additionalDestinations,
    headerRoutes: inFlight
      ? routesUpTo<SetHeaderRoute>(
          steps,
          index,
          (step) => step.setHeaderRoute,
          (route) => route.match === undefined,
        )
      : [],
    mirrorRoutes: inFlight
      ? routesUpTo<SetMirrorRoute>(
          steps,
          index,
          (step) => step.setMirrorRoute,
          (route) => route.match === undefined,
        )
      : [],
  };
}

/**
 * Where a Service's selector should point, as upstream switches it: to a ReplicaSet with at least one available pod
 * (with every pod available when the Service selects no hash yet, so that adopting it does not overload a new
 * ReplicaSet); until then it stays where it is.
 */
function serviceTarget(context: RolloutContext, service: string, hash: string): { service: string; podTemplateHash: string } | undefined {
  const current = context.observed.serviceSelectors[service];
  const replicaSet = context.replicaSets.get(hash);
  const available = replicaSet?.availableReplicas ?? 0;
  const ready = current === undefined ? replicaSet !== undefined && available > 0 && available >= replicaSet.replicas : available > 0;
  if (current === hash || ready) return { service, podTemplateHash: hash };
  return current === undefined ? undefined : { service, podTemplateHash: current };
}

/**
 * Aborted, the canary Service goes back to the stable pods, as upstream: with `dynamicStableScale` only once the
 * router sends the canary nothing any more.
 */
function planServices(context: RolloutContext, canary: CanaryStrategy, routerWeight: number): void {
  const stableHash = context.status.stableRS ?? context.currentHash;
  const canaryDrained = canary.trafficRouting === undefined || canary.dynamicStableScale !== true || routerWeight === 0;
  const canaryHash = context.status.abort && canaryDrained ? stableHash : context.currentHash;
  const stable = canary.stableService ? serviceTarget(context, canary.stableService, stableHash) : undefined;
  const canaryTarget = canary.canaryService ? serviceTarget(context, canary.canaryService, canaryHash) : undefined;
  context.services = { ...(stable ? { stable } : {}), ...(canaryTarget ? { canary: canaryTarget } : {}) };
}

/**
 * Canary replicas once aborted with traffic routing (upstream `shouldDelayScaleDownOnAbort`): with
 * `abortScaleDownDelaySeconds` (30 by default, not by default with `dynamicStableScale`), the canary keeps its pods
 * until the stable is fully available, then for the delay, then goes to zero; otherwise it follows the counts.
 */
function abortedCanaryReplicas(context: RolloutContext, canary: CanaryStrategy, counted: number): number {
  const delaySeconds = abortScaleDownDelaySeconds(canary);
  const delayed = delaySeconds !== 0 && (canary.dynamicStableScale !== true || canary.abortScaleDownDelaySeconds !== undefined);
  const stable = distinctStableReplicaSet(context);
  if (!delayed || stable === undefined) return counted;
  if (stable.availableReplicas >= context.specReplicas) scheduleScaleDown(context, context.currentHash, delaySeconds);
  const deadline = context.status.scaleDownDeadlines[context.currentHash];
  const deadlineMs = deadline === undefined ? undefined : Date.parse(deadline);
  if (deadlineMs !== undefined && context.nowMs >= deadlineMs) return 0;
  if (deadlineMs !== undefined) wakeUpAt(context, deadlineMs);
  return currentReplicaSet(context)?.replicas ?? 0;
}

/** The router moves traffic only once the stable has the pods available to take its share; until then it stays. */
function weightTheStableCanTake(context: RolloutContext, canary: CanaryStrategy, canaryWeight: number): number {
  const served = context.status.canary.weights?.canary.weight;
  const stable = context.replicaSets.get(context.status.stableRS ?? context.currentHash);
  if (served === undefined || stable === undefined) return canaryWeight;
  return hasReplicasForWeight(canary, stable, context.specReplicas, maxTrafficWeight(canary) - canaryWeight) ? canaryWeight : served;
}

function planReplicaSets(context: RolloutContext, canary: CanaryStrategy, counts: CanaryCounts): void {
  const status = context.status;
  const trafficRouted = canary.trafficRouting !== undefined;
  const { maxUnavailable } = canaryFenceposts(context.spec, canary);
  const others = otherReplicaSets(context);
  const fullyPromoted = status.stableRS === context.currentHash;
  context.plan.set(context.currentHash, {
    replicas: !fullyPromoted && status.abort && trafficRouted ? abortedCanaryReplicas(context, canary, counts.canary) : counts.canary,
    role: fullyPromoted ? 'stable' : 'canary',
    metadata: fullyPromoted ? canary.stableMetadata : canary.canaryMetadata,
  });
  const stable = distinctStableReplicaSet(context);
  if (stable !== undefined)
    context.plan.set(stable.podTemplateHash, { replicas: counts.stable, role: 'stable', metadata: canary.stableMetadata });
  let totalAvailable = 0;
  for (const replicaSet of context.replicaSets.values()) totalAvailable += replicaSet.availableReplicas;
  // Upstream `scaleDownOldReplicaSetsForCanary`: with dynamicStableScale every old ReplicaSet goes to zero at once.
  const scaledDownAtOnce = trafficRouted && canary.dynamicStableScale === true;
  planOtherReplicaSets(context, others, {
    availabilityFloor: trafficRouted ? undefined : context.specReplicas - maxUnavailable,
    totalAvailable,
    revisionLimit: scaledDownAtOnce ? 0 : canary.scaleDownDelayRevisionLimit,
  });
}

/**
 * The canary strategy: walks the steps, runs background and step analysis, completes or aborts the revision, and
 * plans ReplicaSets, Services and router weights for the resulting state.
 */
export function reconcileCanary(context: RolloutContext, canary: CanaryStrategy): void {
  const status = context.status;
  const steps = canary.steps ?? [];
  if (status.stableRS !== context.currentHash) {
    if (status.promoteFull) status.currentStepIndex = steps.length;
    if (context.spec.paused === true) keepCurrentRuns(context);
    else if (!status.abort) {
      reconcileBackgroundAnalysis(context, canary, status.currentStepIndex ?? 0);
      if (!status.abort && !hasPause(status, 'InconclusiveAnalysisRun')) advanceSteps(context, canary, steps);
      if (!status.abort && !context.progressHeld && (status.currentStepIndex ?? 0) >= steps.length) {
        completeIfFullyPromoted(context, canary, steps.length);
      }
    }
  }
  const index = status.currentStepIndex ?? 0;
  const counts = countsAt(context, canary, index);
  planReplicaSets(context, canary, counts);
  const atDesired = status.stableRS === context.currentHash || atDesiredCounts(context, canary, counts);
  const routerWeight = routerCanaryWeight(context, canary, index, atDesired);
  if (canary.trafficRouting !== undefined) planTraffic(context, canary, index, weightTheStableCanTake(context, canary, routerWeight));
  else status.canary.weights = undefined;
  planServices(context, canary, routerWeight);
}

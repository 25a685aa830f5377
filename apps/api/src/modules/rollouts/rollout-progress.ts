import type { CanaryStep, RolloutSpec } from '@flotilla/argo-spec';
import type { AnalysisRunKind, RolloutCondition, RolloutStatus } from '@flotilla/rollout-engine';

export type StepState = 'done' | 'current' | 'pending';

export interface CanaryStepView {
  index: number;
  description: string;
  state: StepState;
}

export interface CurrentStepView {
  index: number;
  count: number;
  step: CanaryStepView | null;
}

export interface TrafficRouterWeightView {
  router: string;
  weight: number;
}

export interface WeightsView {
  setWeight: number;
  actualWeight: number;
  canary: number | null;
  stable: number | null;
  routers: TrafficRouterWeightView[];
}

export interface ReplicaCountsView {
  desired: number;
  current: number;
  updated: number;
  ready: number;
  available: number;
}

export interface ConditionView {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime: Date;
  lastUpdateTime: Date;
}

export interface PauseView {
  paused: boolean;
  specPaused: boolean;
  controllerPause: boolean;
  conditions: { reason: string; startTime: Date }[];
}

export interface AbortView {
  aborted: boolean;
  message: string | null;
  abortedAt: Date | null;
}

export interface CurrentAnalysisRunView {
  kind: Exclude<AnalysisRunKind, 'experiment'>;
  name: string;
}

export interface PodTemplateHashesView {
  current: string | null;
  stable: string | null;
  active: string | null;
  preview: string | null;
}

/** A rollout's status in typed parts, as people read it. */
export interface RolloutProgressView {
  currentStep: CurrentStepView | null;
  steps: CanaryStepView[];
  weights: WeightsView | null;
  replicas: ReplicaCountsView;
  conditions: ConditionView[];
  pause: PauseView;
  abort: AbortView;
  analysisRuns: CurrentAnalysisRunView[];
  podTemplateHashes: PodTemplateHashesView;
  fullyPromoted: boolean;
  updateInProgress: boolean;
}

/** What the progress is read from: the spec, the engine's status (null before its first reconcile) and what the agent saw. */
export interface RolloutProgressSource {
  spec: RolloutSpec;
  status: RolloutStatus | null;
  replicaSets: readonly { role: string; availableReplicas: number | null }[];
  observedTrafficWeights: Readonly<Record<string, number>>;
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const shareOf = (part: number, whole: number): number => (whole === 0 ? 0 : Math.round((part * 100) / whole));

function templateNames(names: readonly (string | undefined)[]): string {
  return names.length === 0 ? '—' : names.map((name) => name || '?').join(', ');
}

function describeCanaryScale(scale: NonNullable<CanaryStep['setCanaryScale']>): string {
  if (scale.matchTrafficWeight === true) return 'Canary scale: follow the weight';
  if (isCount(scale.replicas)) return `Canary scale: ${scale.replicas} pods`;
  if (isCount(scale.weight)) return `Canary scale: ${scale.weight}% of pods`;
  return 'Canary scale: follow the weight';
}

/** Each field a step sets, described, in the order Argo lists them. */
function describeStepFields(step: CanaryStep): string[] {
  const parts: string[] = [];
  if (step.setWeight !== undefined) parts.push(`Set weight ${step.setWeight}%`);
  if (step.pause !== undefined) {
    const { duration } = step.pause;
    parts.push(duration === undefined ? 'Pause until promoted' : `Pause for ${typeof duration === 'number' ? `${duration}s` : duration}`);
  }
  if (step.analysis !== undefined)
    parts.push(`Analysis: ${templateNames((step.analysis.templates ?? []).map((template) => template.templateName))}`);
  if (step.experiment !== undefined) {
    const { duration, templates } = step.experiment;
    parts.push(`Experiment${duration ? ` for ${duration}` : ''}: ${templateNames((templates ?? []).map((template) => template.name))}`);
  }
  if (step.setCanaryScale !== undefined) parts.push(describeCanaryScale(step.setCanaryScale));
  if (step.setHeaderRoute !== undefined) parts.push(`Header route: ${step.setHeaderRoute.name || '?'}`);
  if (step.setMirrorRoute !== undefined) parts.push(`Mirror route: ${step.setMirrorRoute.name || '?'}`);
  return parts;
}

/**
 * One line describing a canary step, in the words of the Argo manifest; a step that sets several fields names each.
 * @example describeStep({ pause: { duration: '10s' } }) === 'Pause for 10s'
 * @example describeStep({ setWeight: 20, setCanaryScale: { replicas: 2 } }) === 'Set weight 20%; Canary scale: 2 pods'
 */
export function describeStep(step: CanaryStep): string {
  const parts = describeStepFields(step);
  if (parts.length > 0) return parts.join('; ');
  return Object.keys(step).join(', ') || 'Empty step';
}

/** The new revision is the stable one: nothing is being rolled out. */
const isFullyPromoted = (status: RolloutStatus | null): boolean => Boolean(status?.stableRS) && status?.stableRS === status?.currentPodHash;

/** Argo's `GetCurrentCanaryStep` finds no step: there are none, the rollout is past the last one, or promoted. */
const isPastTheSteps = (steps: readonly CanaryStep[], status: RolloutStatus | null): boolean =>
  isFullyPromoted(status) || (status?.currentStepIndex ?? 0) >= steps.length;

/**
 * The canary weight the current step sets, as Argo's `GetCurrentSetWeight` reads it: 0 once aborted, 100 past the
 * last step or once promoted, else the nearest `setWeight` at or before the current step.
 */
function stepSetWeight(steps: readonly CanaryStep[], status: RolloutStatus | null): number {
  if (status?.abort === true) return 0;
  if (isPastTheSteps(steps, status)) return 100;
  for (let step = status?.currentStepIndex ?? 0; step >= 0; step -= 1) {
    const weight = steps[step]?.setWeight;
    if (weight !== undefined) return weight;
  }
  return 0;
}

/**
 * The share of traffic the canary gets, as Argo's rollout info reads it: all of it once past the steps (the canary is
 * the stable revision then, whatever a router still reports for the canary side); else, with traffic routing, the
 * weight a router reported (else the one it was asked for); without, the canary's share of the available pods (of
 * the updated pods before the agent reported any), since a basic canary splits traffic by pod count.
 */
function actualCanaryWeight(
  source: RolloutProgressSource,
  steps: readonly CanaryStep[],
  routers: readonly TrafficRouterWeightView[],
): number {
  const { status } = source;
  if (status?.abort !== true && isPastTheSteps(steps, status)) return 100;
  const routed = routers[0]?.weight ?? status?.canary?.weights?.canary.weight;
  if (routed !== undefined) return routed;
  const reported = source.replicaSets.filter((replicaSet) => replicaSet.availableReplicas !== null);
  if (reported.length > 0) {
    const canary = reported.find((replicaSet) => replicaSet.role === 'canary')?.availableReplicas ?? 0;
    return shareOf(
      canary,
      reported.reduce((sum, replicaSet) => sum + (replicaSet.availableReplicas ?? 0), 0),
    );
  }
  return shareOf(status?.updatedReplicas ?? 0, status?.replicas ?? 0);
}

function weightsOf(source: RolloutProgressSource, steps: readonly CanaryStep[]): WeightsView {
  const routed = source.status?.canary?.weights;
  const routers = Object.entries(source.observedTrafficWeights)
    .filter((entry): entry is [string, number] => isCount(entry[1]))
    .map(([router, weight]) => ({ router, weight }));
  return {
    setWeight: stepSetWeight(steps, source.status),
    actualWeight: actualCanaryWeight(source, steps, routers),
    canary: routed?.canary.weight ?? null,
    stable: routed?.stable.weight ?? null,
    routers,
  };
}

function conditionView(condition: RolloutCondition): ConditionView {
  return {
    type: condition.type,
    status: condition.status,
    reason: condition.reason,
    message: condition.message,
    lastTransitionTime: new Date(condition.lastTransitionTime),
    lastUpdateTime: new Date(condition.lastUpdateTime),
  };
}

function analysisRunsOf(status: RolloutStatus | null): CurrentAnalysisRunView[] {
  const runs: [CurrentAnalysisRunView['kind'], string | undefined][] = [
    ['step', status?.canary?.currentStepAnalysisRun],
    ['background', status?.canary?.currentBackgroundAnalysisRun],
    ['prePromotion', status?.blueGreen?.prePromotionAnalysisRun],
    ['postPromotion', status?.blueGreen?.postPromotionAnalysisRun],
  ];
  return runs.flatMap(([kind, name]) => (name ? [{ kind, name }] : []));
}

/**
 * Reads a rollout's progress from its spec and the engine's status: the step it is at, the weights, pod counts,
 * conditions, why it is paused, whether it was aborted and the analysis runs under way.
 * @example a canary paused at its second step of six: { currentStep: { index: 1, count: 6, … }, weights: { setWeight: 20, … }, pause: { paused: true, … } }
 */
export function rolloutProgress(source: RolloutProgressSource): RolloutProgressView {
  const { spec, status } = source;
  const isCanary = spec.strategy.blueGreen === undefined;
  const canarySteps = isCanary ? (spec.strategy.canary?.steps ?? []) : [];
  const fullyPromoted = isFullyPromoted(status);
  const reached = fullyPromoted ? canarySteps.length : (status?.currentStepIndex ?? 0);
  const steps = canarySteps.map((step, index): CanaryStepView => ({
    index,
    description: describeStep(step),
    state: index < reached ? 'done' : index === reached ? 'current' : 'pending',
  }));
  const stepIndex = Math.min(status?.currentStepIndex ?? 0, canarySteps.length);
  const pauseConditions = (status?.pauseConditions ?? []).map((condition) => ({
    reason: condition.reason,
    startTime: new Date(condition.startTime),
  }));
  const specPaused = spec.paused === true;
  const aborted = status?.abort === true;
  const abortCondition = (status?.conditions ?? []).find((condition) => condition.reason === 'RolloutAborted');
  return {
    currentStep: isCanary ? { index: stepIndex, count: canarySteps.length, step: steps[stepIndex] ?? null } : null,
    steps,
    weights: isCanary ? weightsOf(source, canarySteps) : null,
    replicas: {
      desired: spec.replicas ?? 1,
      current: status?.replicas ?? 0,
      updated: status?.updatedReplicas ?? 0,
      ready: status?.readyReplicas ?? 0,
      available: status?.availableReplicas ?? 0,
    },
    conditions: (status?.conditions ?? []).map(conditionView),
    pause: {
      paused: specPaused || pauseConditions.length > 0,
      specPaused,
      controllerPause: status?.controllerPause === true,
      conditions: pauseConditions,
    },
    abort: {
      aborted,
      message: aborted ? (abortCondition?.message ?? null) : null,
      abortedAt: aborted && status?.abortedAt ? new Date(status.abortedAt) : null,
    },
    analysisRuns: analysisRunsOf(status),
    podTemplateHashes: {
      current: status?.currentPodHash || null,
      stable: status?.stableRS || null,
      active: status?.blueGreen?.activeSelector || null,
      preview: status?.blueGreen?.previewSelector || null,
    },
    fullyPromoted,
    updateInProgress: Boolean(status?.currentPodHash) && Boolean(status?.stableRS) && !fullyPromoted,
  };
}

import type { RolloutDetail, Strategy } from '../api/documents.js';

/** The parts of a rollout's spec and engine status the pages read, checked field by field since both are JSON. */
export interface RolloutFacts {
  strategy: Strategy;
  specReplicas: number;
  specPaused: boolean;
  steps: Record<string, unknown>[];
  currentStepIndex: number | undefined;
  stableHash: string | undefined;
  currentHash: string | undefined;
  activeHash: string | undefined;
  previewHash: string | undefined;
  aborted: boolean;
  pauseReasons: string[];
  /** Canary weight the traffic router is asked to serve; only set with traffic routing. */
  routedCanaryWeight: number | undefined;
  /** Canary weight a traffic router reported serving, as the agent observed it. */
  observedRouterWeight: number | undefined;
  /** Available pods of the canary ReplicaSet and of all ReplicaSets, as the agent reported them. */
  canaryAvailable: number | undefined;
  totalAvailable: number | undefined;
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

export function rolloutFacts(
  rollout: Pick<RolloutDetail, 'spec' | 'status' | 'strategy' | 'replicaSets' | 'observedTrafficWeights'>,
): RolloutFacts {
  const spec = record(rollout.spec);
  const status = record(rollout.status);
  const canarySpec = record(record(spec.strategy).canary);
  const blueGreen = record(status.blueGreen);
  const pauseConditions = Array.isArray(status.pauseConditions) ? status.pauseConditions : [];
  return {
    strategy: rollout.strategy,
    specReplicas: count(spec.replicas) ?? 1,
    specPaused: spec.paused === true,
    steps: Array.isArray(canarySpec.steps) ? canarySpec.steps.map(record) : [],
    currentStepIndex: count(status.currentStepIndex),
    stableHash: text(status.stableRS),
    currentHash: text(status.currentPodHash),
    activeHash: text(blueGreen.activeSelector),
    previewHash: text(blueGreen.previewSelector),
    aborted: status.abort === true,
    pauseReasons: pauseConditions
      .map((condition) => text(record(condition).reason))
      .filter((reason): reason is string => reason !== undefined),
    routedCanaryWeight: count(record(record(record(status.canary).weights).canary).weight),
    observedRouterWeight: Object.values(rollout.observedTrafficWeights)
      .map(count)
      .find((weight) => weight !== undefined),
    ...availableShares(rollout.replicaSets),
    replicas: count(status.replicas) ?? 0,
    updatedReplicas: count(status.updatedReplicas) ?? 0,
    readyReplicas: count(status.readyReplicas) ?? 0,
    availableReplicas: count(status.availableReplicas) ?? 0,
  };
}

function availableShares(replicaSets: RolloutDetail['replicaSets']): Pick<RolloutFacts, 'canaryAvailable' | 'totalAvailable'> {
  const reported = replicaSets.filter((replicaSet) => replicaSet.availableReplicas !== null);
  if (reported.length === 0) return { canaryAvailable: undefined, totalAvailable: undefined };
  const canary = reported.find((replicaSet) => replicaSet.role === 'canary');
  return {
    canaryAvailable: canary?.availableReplicas ?? 0,
    totalAvailable: reported.reduce((sum, replicaSet) => sum + (replicaSet.availableReplicas ?? 0), 0),
  };
}

/** The new revision is the stable one: nothing is being rolled out. */
export const fullyPromoted = (facts: RolloutFacts): boolean => facts.stableHash !== undefined && facts.stableHash === facts.currentHash;

/** A new revision is on its way and has not been aborted. */
export const updateInProgress = (facts: RolloutFacts): boolean =>
  facts.currentHash !== undefined && facts.stableHash !== undefined && facts.stableHash !== facts.currentHash;

/**
 * The canary weight the current step sets, as Argo's `GetCurrentSetWeight` reads it: 0 once aborted, 100 past the
 * last step or once promoted, else the nearest `setWeight` at or before the current step.
 * @example setWeight({ ...facts, steps: [{ setWeight: 20 }, { pause: {} }], currentStepIndex: 1, stableHash: 'a', currentHash: 'b' }) === 20
 */
export function setWeight(facts: RolloutFacts): number {
  if (facts.aborted) return 0;
  const index = facts.currentStepIndex ?? 0;
  if (fullyPromoted(facts) || index >= facts.steps.length) return 100;
  for (let step = Math.min(index, facts.steps.length - 1); step >= 0; step -= 1) {
    const weight = count(facts.steps[step]?.setWeight);
    if (weight !== undefined) return weight;
  }
  return 0;
}

/**
 * The share of traffic the canary gets: with traffic routing the weight the router reported (else the one it was
 * asked for); without, the canary's share of the available pods, since a basic canary splits traffic by pod count.
 * @example actualWeight({ ...facts, canaryAvailable: 1, totalAvailable: 5, stableHash: 'a', currentHash: 'b' }) === 20
 */
export function actualWeight(facts: RolloutFacts): number {
  if (facts.observedRouterWeight !== undefined) return facts.observedRouterWeight;
  if (facts.routedCanaryWeight !== undefined) return facts.routedCanaryWeight;
  if (fullyPromoted(facts)) return 100;
  if (facts.canaryAvailable !== undefined && facts.totalAvailable !== undefined) {
    return facts.totalAvailable === 0 ? 0 : Math.round((facts.canaryAvailable * 100) / facts.totalAvailable);
  }
  return facts.replicas === 0 ? 0 : Math.round((facts.updatedReplicas * 100) / facts.replicas);
}

/** What the ReplicaSet of a pod-template-hash is to the rollout: `stable`, `canary`, `active`, `preview`, or nothing. */
export function replicaSetRoles(facts: RolloutFacts, podTemplateHash: string): string[] {
  if (facts.strategy === 'BlueGreen') {
    return [
      ...(podTemplateHash === facts.stableHash ? ['stable'] : []),
      ...(podTemplateHash === facts.activeHash ? ['active'] : []),
      ...(podTemplateHash === facts.previewHash && podTemplateHash !== facts.activeHash ? ['preview'] : []),
    ];
  }
  if (podTemplateHash === facts.stableHash) return ['stable'];
  return podTemplateHash === facts.currentHash ? ['canary'] : [];
}

/**
 * One line describing a canary step, in the words of the Argo manifest.
 * @example describeStep({ pause: { duration: '10s' } }) === 'Pause for 10s'
 * @example describeStep({ analysis: { templates: [{ templateName: 'success-rate' }] } }) === 'Analysis: success-rate'
 */
export function describeStep(step: Record<string, unknown>): string {
  if ('setWeight' in step) return `Set weight ${String(step.setWeight)}%`;
  if ('pause' in step) {
    const duration = record(step.pause).duration;
    return duration === undefined
      ? 'Pause until promoted'
      : `Pause for ${typeof duration === 'number' ? `${duration}s` : String(duration)}`;
  }
  if ('analysis' in step) return `Analysis: ${templateNames(record(step.analysis).templates)}`;
  if ('experiment' in step) {
    const experiment = record(step.experiment);
    return `Experiment${text(experiment.duration) ? ` for ${String(experiment.duration)}` : ''}: ${templateNames(experiment.templates, 'name')}`;
  }
  if ('setCanaryScale' in step) {
    const scale = record(step.setCanaryScale);
    if (count(scale.replicas) !== undefined) return `Canary scale: ${String(scale.replicas)} pods`;
    if (count(scale.weight) !== undefined) return `Canary scale: ${String(scale.weight)}% of pods`;
    return 'Canary scale: follow the weight';
  }
  if ('setHeaderRoute' in step) return `Header route: ${text(record(step.setHeaderRoute).name) ?? '?'}`;
  if ('setMirrorRoute' in step) return `Mirror route: ${text(record(step.setMirrorRoute).name) ?? '?'}`;
  if ('plugin' in step) return `Plugin: ${text(record(step.plugin).name) ?? '?'}`;
  return Object.keys(step).join(', ') || 'Empty step';
}

function templateNames(templates: unknown, key = 'templateName'): string {
  if (!Array.isArray(templates) || templates.length === 0) return '—';
  return templates.map((template) => text(record(template)[key]) ?? '?').join(', ');
}

export type StepState = 'done' | 'current' | 'pending';

/** Whether a step is behind, at or ahead of the rollout; every step is done once the revision is promoted. */
export function stepState(facts: RolloutFacts, index: number): StepState {
  const current = fullyPromoted(facts) ? facts.steps.length : (facts.currentStepIndex ?? 0);
  if (index < current) return 'done';
  return index === current ? 'current' : 'pending';
}

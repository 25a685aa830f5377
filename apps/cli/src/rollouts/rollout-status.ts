import type { RolloutDetail, RolloutSummary } from '../api/queries.js';

/** The parts of the engine's status and the spec that the CLI reads, checked field by field since both are JSON. */
export interface RolloutFacts {
  specReplicas: number;
  steps: { setWeight?: number }[];
  stableHash: string | undefined;
  currentHash: string | undefined;
  currentStepIndex: number | undefined;
  aborted: boolean;
  /** Canary weight the router is asked to serve; only set with traffic routing. */
  routedCanaryWeight: number | undefined;
  activeHash: string | undefined;
  previewHash: string | undefined;
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

export function rolloutFacts(rollout: Pick<RolloutDetail, 'spec' | 'status'>): RolloutFacts {
  const spec = record(rollout.spec);
  const status = record(rollout.status);
  const canarySpec = record(record(spec.strategy).canary);
  const steps = Array.isArray(canarySpec.steps)
    ? canarySpec.steps.map((step) => ({
        ...(count(record(step).setWeight) === undefined ? {} : { setWeight: count(record(step).setWeight) as number }),
      }))
    : [];
  const blueGreen = record(status.blueGreen);
  return {
    specReplicas: count(spec.replicas) ?? 1,
    steps,
    stableHash: text(status.stableRS),
    currentHash: text(status.currentPodHash),
    currentStepIndex: count(status.currentStepIndex),
    aborted: status.abort === true,
    routedCanaryWeight: count(record(record(record(status.canary).weights).canary).weight),
    activeHash: text(blueGreen.activeSelector),
    previewHash: text(blueGreen.previewSelector),
    replicas: count(status.replicas) ?? 0,
    updatedReplicas: count(status.updatedReplicas) ?? 0,
    readyReplicas: count(status.readyReplicas) ?? 0,
    availableReplicas: count(status.availableReplicas) ?? 0,
  };
}

const fullyPromoted = (facts: RolloutFacts): boolean => facts.stableHash !== undefined && facts.stableHash === facts.currentHash;

/**
 * The weight the current step sets, as Argo's `GetCurrentSetWeight` reads it: 0 once aborted, 100 past the last step
 * or once promoted, else the nearest `setWeight` at or before the current step.
 * @example setWeight({ ...facts, steps: [{ setWeight: 20 }, {}, { setWeight: 40 }], currentStepIndex: 1 }) === 20
 */
export function setWeight(facts: RolloutFacts): number {
  if (facts.routedCanaryWeight !== undefined) return facts.routedCanaryWeight;
  if (facts.aborted) return 0;
  const index = facts.currentStepIndex ?? 0;
  if (fullyPromoted(facts) || index >= facts.steps.length) return 100;
  for (let step = index; step >= 0; step -= 1) {
    const weight = facts.steps[step]?.setWeight;
    if (weight !== undefined) return weight;
  }
  return 0;
}

/**
 * The share of traffic the canary gets: the routed weight with traffic routing, else its share of the pods
 * (updated pods over all pods), since basic canaries split traffic by pod count.
 * @example actualWeight({ ...facts, replicas: 5, updatedReplicas: 1 }) === 20
 */
export function actualWeight(facts: RolloutFacts): number {
  if (facts.routedCanaryWeight !== undefined) return facts.routedCanaryWeight;
  if (fullyPromoted(facts)) return 100;
  if (facts.replicas === 0) return 0;
  return Math.round((facts.updatedReplicas * 100) / facts.replicas);
}

/** What a ReplicaSet is to the rollout: `stable`, `canary`, `active`, `preview`, or nothing. */
export function replicaSetRoles(facts: RolloutFacts, strategy: 'Canary' | 'BlueGreen', podTemplateHash: string): string[] {
  if (strategy === 'BlueGreen') {
    return [
      ...(podTemplateHash === facts.stableHash ? ['stable'] : []),
      ...(podTemplateHash === facts.activeHash ? ['active'] : []),
      ...(podTemplateHash === facts.previewHash ? ['preview'] : []),
    ];
  }
  if (podTemplateHash === facts.stableHash) return ['stable'];
  return podTemplateHash === facts.currentHash ? ['canary'] : [];
}

/** `2/6` while a canary walks its steps, `-` for blue-green. */
export function stepText(rollout: Pick<RolloutSummary, 'stepCount' | 'currentStepIndex' | 'strategy'>): string {
  if (rollout.strategy === 'BlueGreen') return '-';
  return `${rollout.currentStepIndex ?? 0}/${rollout.stepCount}`;
}

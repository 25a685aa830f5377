import { reconcile, type ReconcileInput } from '@flotilla/rollout-engine';
import type { FleetRollout, FleetScenario } from './engine-fleet.js';

export interface DecisionRateOptions {
  warmupPasses: number;
  timedPasses: number;
  /**
   * Give every pass its own deep copy of the inputs, as a worker loading rows from Postgres has; otherwise the
   * same objects come back each pass and the engine's per-object template hash cache answers.
   */
  freshObjects: boolean;
  progress?: (message: string) => void;
}

export interface DecisionRate {
  /** Median of the timed passes. */
  decisionsPerSecond: number;
  passRates: number[];
}

/** Runs `reconcile` over every input once; returns the seconds taken. */
function timePass(inputs: readonly ReconcileInput[]): number {
  let desiredReplicaSets = 0;
  const started = performance.now();
  for (const input of inputs) desiredReplicaSets += reconcile(input).desired.replicaSets.length;
  const seconds = (performance.now() - started) / 1000;
  // Using the decisions keeps the work observable; a fleet always has ReplicaSets to desire.
  if (desiredReplicaSets === 0) throw new Error('the engine desired no ReplicaSet for the whole fleet');
  return seconds;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

function passInputs(inputs: readonly ReconcileInput[], fresh: boolean): readonly ReconcileInput[] {
  return fresh ? structuredClone(inputs) : inputs;
}

/** Pure decisions per second over the whole fleet, single-threaded, after warm-up passes. */
export function measureDecisionRate(fleet: readonly FleetRollout[], options: DecisionRateOptions): DecisionRate {
  const inputs = fleet.map((rollout) => rollout.input);
  for (let pass = 0; pass < options.warmupPasses; pass++) timePass(passInputs(inputs, options.freshObjects));
  const passRates: number[] = [];
  for (let pass = 0; pass < options.timedPasses; pass++) {
    const rate = inputs.length / timePass(passInputs(inputs, options.freshObjects));
    passRates.push(rate);
    options.progress?.(`pass ${pass + 1}/${options.timedPasses}: ${Math.round(rate).toLocaleString('en')} decisions/s`);
  }
  return { decisionsPerSecond: median(passRates), passRates };
}

/** Decisions per second of each scenario on its own (fresh objects, median of `passes`). */
export function decisionRateByScenario(fleet: readonly FleetRollout[], passes: number): Map<FleetScenario, number> {
  const groups = new Map<FleetScenario, ReconcileInput[]>();
  for (const { scenario, input } of fleet) {
    const group = groups.get(scenario) ?? [];
    group.push(input);
    groups.set(scenario, group);
  }
  const rates = new Map<FleetScenario, number>();
  for (const [scenario, inputs] of groups) {
    const passRates = Array.from({ length: passes }, () => inputs.length / timePass(structuredClone(inputs)));
    rates.set(scenario, median(passRates));
  }
  return rates;
}

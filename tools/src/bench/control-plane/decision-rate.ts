import { createHash } from 'node:crypto';
import { reconcile, type ReconcileInput } from '@flotilla/rollout-engine';
import type { BenchRollout, FleetScenario } from './engine-fleet.js';
import { copyAsLoaded } from './loaded-copy.js';

export interface DecisionRateOptions<Input> {
  warmupPasses: number;
  timedPasses: number;
  /**
   * Makes every pass its own copy of each input (`copyAsLoaded`: as a worker loading rows from Postgres has them);
   * without it the same objects come back each pass, warm in the processor's caches.
   */
  copy?: (input: Input) => Input;
  progress?: (message: string) => void;
}

export interface DecisionRate {
  /** Median over the timed passes, by the wall clock. */
  decisionsPerSecond: number;
  /**
   * Median over the timed passes, by the CPU time of this process: what one dedicated core would do, much less
   * disturbed than the wall clock by other processes on a shared machine.
   */
  decisionsPerCpuSecond: number;
}

interface PassTime {
  wallSeconds: number;
  cpuSeconds: number;
}

const cpuSeconds = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

/**
 * Runs `decide` over every input once. `decide` returns a count taken from its decision: using the decisions keeps
 * the work observable, and a pass whose decisions add up to nothing means the fixture is wrong.
 */
function timePass<Input>(inputs: readonly Input[], decide: (input: Input) => number): PassTime {
  let observed = 0;
  const startedCpu = cpuSeconds();
  const started = performance.now();
  for (const input of inputs) observed += decide(input);
  const wallSeconds = (performance.now() - started) / 1000;
  const passCpu = cpuSeconds() - startedCpu;
  if (observed === 0) throw new Error('the decisions over the whole fleet added up to nothing');
  return { wallSeconds, cpuSeconds: passCpu };
}

/** A fleet always has ReplicaSets to desire. */
const reconcileOnce = (input: ReconcileInput): number => reconcile(input).desired.replicaSets.length;

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

function passInputs<Input>(inputs: readonly Input[], copy: ((input: Input) => Input) | undefined): readonly Input[] {
  return copy ? inputs.map((input) => copy(input)) : inputs;
}

/** Pure decisions per second of `decide` over `inputs`, single-threaded, after warm-up passes. */
export function measurePureDecisionRate<Input>(
  inputs: readonly Input[],
  decide: (input: Input) => number,
  options: DecisionRateOptions<Input>,
): DecisionRate {
  for (let pass = 0; pass < options.warmupPasses; pass++) timePass(passInputs(inputs, options.copy), decide);
  const wallRates: number[] = [];
  const cpuRates: number[] = [];
  for (let pass = 0; pass < options.timedPasses; pass++) {
    const time = timePass(passInputs(inputs, options.copy), decide);
    wallRates.push(inputs.length / time.wallSeconds);
    cpuRates.push(inputs.length / time.cpuSeconds);
    const perSecond = (rate: number | undefined): string => Math.round(rate ?? Number.NaN).toLocaleString('en');
    options.progress?.(
      `pass ${pass + 1}/${options.timedPasses}: ${perSecond(wallRates.at(-1))} decisions/s, ${perSecond(cpuRates.at(-1))} per CPU second`,
    );
  }
  return { decisionsPerSecond: median(wallRates), decisionsPerCpuSecond: median(cpuRates) };
}

/** Pure `reconcile` decisions per second over the whole fleet, single-threaded, after warm-up passes. */
export function measureDecisionRate(fleet: readonly BenchRollout[], options: DecisionRateOptions<ReconcileInput>): DecisionRate {
  return measurePureDecisionRate(
    fleet.map((rollout) => rollout.input),
    reconcileOnce,
    options,
  );
}

/** Decisions per CPU second of each scenario on its own (inputs as loaded, median of `passes`). */
export function decisionRateByScenario(fleet: readonly BenchRollout[], passes: number): Map<FleetScenario, number> {
  const groups = new Map<FleetScenario, ReconcileInput[]>();
  for (const { scenario, input } of fleet) {
    const group = groups.get(scenario) ?? [];
    group.push(input);
    groups.set(scenario, group);
  }
  const rates = new Map<FleetScenario, number>();
  for (const [scenario, inputs] of groups) {
    const cpuRates = Array.from({ length: passes }, () => inputs.length / timePass(inputs.map(copyAsLoaded), reconcileOnce).cpuSeconds);
    rates.set(scenario, median(cpuRates));
  }
  return rates;
}

/**
 * SHA-256 of every decision over the fleet (fresh copies, as JSON): two builds of the engine that decide alike print
 * the same digest, so a change meant only to be faster shows that it changed no decision.
 */
export function decisionsDigest(fleet: readonly BenchRollout[]): string {
  const hash = createHash('sha256');
  for (const { input } of fleet) hash.update(JSON.stringify(reconcile(structuredClone(input))));
  return hash.digest('hex');
}

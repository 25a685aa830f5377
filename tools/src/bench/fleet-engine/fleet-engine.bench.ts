import { availableParallelism, loadavg } from 'node:os';
import { decideRelease, type ReleaseInput } from '@flotilla/fleet-engine';
import { measurePureDecisionRate, type DecisionRate } from '../control-plane/decision-rate.js';
import { buildReleaseFleets, type ReleaseScenario } from './release-fleets.js';

/**
 * How fast the fleet engine decides: pure `decideRelease` decisions over 1,000 fleets of 50 clusters each, their
 * releases spread across waves and member states (changing, soaking, awaiting approval, halted, rolling back,
 * paused, finished), with the same input objects every pass and with fresh copies (as a worker loads them).
 */
const FLEETS = 1_000;
const CLUSTERS_PER_FLEET = 50;
const GOAL_DECISIONS_PER_SECOND = 20_000;

const log = (message: string): void => void process.stderr.write(`[bench:fleet-engine] ${message}\n`);
const rate = (value: number): string => `${Math.round(value).toLocaleString('en')}/s`;
const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
/** A release has at least one wave: a count the pass cannot optimise away. */
const decideOnce = (input: ReleaseInput): number => decideRelease(input).status.waves.length;

const loadAtStart = load();
log(`load average ${loadAtStart} on ${availableParallelism()} cores`);
log(`building ${FLEETS.toLocaleString('en')} fleets of ${CLUSTERS_PER_FLEET} clusters, each release carried to its state by the engine`);
const fleets = buildReleaseFleets(FLEETS, CLUSTERS_PER_FLEET, (built) => log(`  ${built.toLocaleString('en')} built`));
const inputs = fleets.map((fleet) => fleet.input);
const byScenario = new Map<ReleaseScenario, number>();
for (const { scenario } of fleets) byScenario.set(scenario, (byScenario.get(scenario) ?? 0) + 1);
log(`releases by state: ${[...byScenario].map(([scenario, count]) => `${scenario} ${count}`).join(', ')}`);

log('pure decisions, the same input objects every pass');
const sameObjects: DecisionRate = measurePureDecisionRate(inputs, decideOnce, {
  warmupPasses: 2,
  timedPasses: 5,
  progress: (message) => log(`  ${message}`),
});
log('pure decisions, fresh copies of the inputs every pass (structuredClone)');
const freshObjects: DecisionRate = measurePureDecisionRate(inputs, decideOnce, {
  warmupPasses: 1,
  timedPasses: 5,
  copy: (input) => structuredClone(input),
  progress: (message) => log(`  ${message}`),
});

const note = (measured: DecisionRate): string => {
  const met = (value: number): string => (value >= GOAL_DECISIONS_PER_SECOND ? 'meets' : 'MISSES');
  return `${rate(measured.decisionsPerCpuSecond)} per CPU second; ${met(measured.decisionsPerSecond)} the goal of ≥ ${rate(GOAL_DECISIONS_PER_SECOND)} by the wall clock, ${met(measured.decisionsPerCpuSecond)} it per CPU second`;
};
const row = (label: string, measured: DecisionRate): string =>
  `  ${label.padEnd(66)}${rate(measured.decisionsPerSecond).padStart(10)}  ${note(measured)}`;
const fleetsLabel = `${FLEETS.toLocaleString('en')} fleets × ${CLUSTERS_PER_FLEET} clusters`;
process.stdout.write(
  [
    '',
    `bench:fleet-engine (${availableParallelism()} cores; load average ${loadAtStart} at the start, ${load()} at the end)`,
    row(`pure decideRelease, ${fleetsLabel}, same input objects each pass`, sameObjects),
    row(`pure decideRelease, ${fleetsLabel}, fresh copies each pass`, freshObjects),
    `  releases by state: ${[...byScenario].map(([scenario, count]) => `${scenario} ${count}`).join(', ')}`,
    '',
  ].join('\n'),
);

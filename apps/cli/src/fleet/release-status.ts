import type { FleetReleasePhase, FleetReleaseReading } from '../api/fleet-queries.js';
import { ExitCode } from '../cli/cli-error.js';

/** Phases a release leaves only when someone acts (retry, abort), so that waiting for it to end stops there. */
const ENDS_WAITING: ReadonlySet<FleetReleasePhase> = new Set(['Halted', 'Aborted', 'RolledBack', 'Superseded']);

/**
 * What waiting on a release ends with, with the exit codes of `status`: Succeeded exits 0; Halted, Aborted, RolledBack
 * and Superseded exit 5, as a Degraded rollout does; Progressing, Paused and RollingBack keep waiting. A Halted
 * release is still active, but nothing changes until someone retries or aborts it.
 * @example releaseVerdict('Succeeded') === ExitCode.Ok; releaseVerdict('Halted') === ExitCode.TimeoutOrDegraded
 */
export function releaseVerdict(phase: FleetReleasePhase): ExitCode | undefined {
  if (phase === 'Succeeded') return ExitCode.Ok;
  if (ENDS_WAITING.has(phase)) return ExitCode.TimeoutOrDegraded;
  return undefined;
}

/**
 * One line per distinct state of a release: its phase, the wave under way while it is active, and its message.
 * @example
 * releaseStatusLine({ number: 3, phase: 'Progressing', message: 'waiting for approval', currentWave: 0, supersededBy: null, waves: [{ name: 'canary' }, { name: 'rest' }] })
 * // => 'Progressing (wave 1/2 canary) - waiting for approval'
 */
export function releaseStatusLine(release: FleetReleaseReading): string {
  const wave = release.waves[release.currentWave];
  const active = releaseVerdict(release.phase) === undefined || release.phase === 'Halted';
  const where = active && wave !== undefined ? ` (wave ${release.currentWave + 1}/${release.waves.length} ${wave.name})` : '';
  const superseded = release.supersededBy === null ? '' : ` by release ${release.supersededBy}`;
  return `${release.phase}${superseded}${where}${release.message ? ` - ${release.message}` : ''}`;
}

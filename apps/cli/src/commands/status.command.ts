import { ROLLOUT_STATUS, type RolloutStatusReading } from '../api/queries.js';
import { CliError, ExitCode } from '../cli/cli-error.js';
import type { Command } from '../cli/command.js';
import { humanDuration } from '../output/time.js';
import { followRollout } from '../rollouts/follow-rollout.js';
import { resolveRolloutRef, ROLLOUT_LOCATION_FLAGS } from '../rollouts/rollout-lookup.js';
import { TIMEOUT_FLAG, timeoutMs } from './duration-flag.js';
import { WATCH_FLAG } from './get.command.js';

const POLL_MS = 2000;

const pendingOperations = (reading: RolloutStatusReading): string[] =>
  reading.rolloutOperations.filter((operation) => operation.state === 'Pending').map((operation) => operation.type);

/**
 * One line per distinct state: `Paused - CanaryPauseStep`, or what the rollout engine has still to take up.
 * @example statusLine({ rollout: { phase: 'Healthy', message: '', generation: 2, observedGeneration: 2 }, rolloutOperations: [{ type: 'setImage', state: 'Pending' }] })
 * // => 'Waiting for the rollout engine to carry out setImage'
 */
export function statusLine(reading: RolloutStatusReading): string {
  const { rollout } = reading;
  const pending = pendingOperations(reading);
  if (pending.length > 0) return `Waiting for the rollout engine to carry out ${pending.join(', ')}`;
  if (rollout.observedGeneration < rollout.generation) return `Waiting for the rollout engine to take up generation ${rollout.generation}`;
  return rollout.message ? `${rollout.phase} - ${rollout.message}` : rollout.phase;
}

/**
 * Settled once no operation is pending and the engine has taken up the latest spec: Healthy exits 0, Degraded 5;
 * anything else keeps waiting, so that `set image` followed at once by `status` waits for the new revision.
 */
export function statusVerdict(reading: RolloutStatusReading): ExitCode | undefined {
  const { rollout } = reading;
  if (pendingOperations(reading).length > 0 || rollout.observedGeneration < rollout.generation) return undefined;
  if (rollout.phase === 'Healthy') return ExitCode.Ok;
  if (rollout.phase === 'Degraded') return ExitCode.TimeoutOrDegraded;
  return undefined;
}

const degraded = (where: string, reading: RolloutStatusReading | undefined): CliError =>
  new CliError(ExitCode.TimeoutOrDegraded, `${where} is Degraded: ${reading?.rollout.message || 'no reason given'}`);

export const statusCommand: Command = {
  path: ['status'],
  synopsis: 'NAME [--cluster CLUSTER] [--namespace NAMESPACE] [--timeout DURATION] [--watch=false]',
  summary: 'Wait until the rollout is Healthy (exit 0) or Degraded (exit 5), printing each change; exit 5 on timeout',
  details: ['With --watch=false it prints the status once and exits 0, or 5 when the rollout is Degraded.'],
  flags: [
    ...ROLLOUT_LOCATION_FLAGS,
    TIMEOUT_FLAG,
    { ...WATCH_FLAG, description: 'wait for the outcome (the default); --watch=false prints the status once' },
  ],
  online: true,
  async run(context) {
    const { invocation, terminal } = context;
    const name = invocation.positional(0, 'the rollout NAME');
    invocation.atMostPositionals(1);
    const limit = timeoutMs(invocation);
    const rollout = await resolveRolloutRef(context, name);
    const where = `${rollout.cluster}/${rollout.namespace}/${rollout.name}`;
    const read = (): Promise<RolloutStatusReading> => context.api().request<RolloutStatusReading>(ROLLOUT_STATUS, { ...rollout, rollout });
    if (!invocation.booleanOnByDefault('watch')) {
      const reading = await read();
      terminal.out(`${statusLine(reading)}\n`);
      if (reading.rollout.phase === 'Degraded') throw degraded(where, reading);
      return ExitCode.Ok;
    }
    let last: RolloutStatusReading | undefined;
    let lastLine: string | undefined;
    const outcome = await followRollout({
      api: context.api(),
      rollout,
      read,
      onReading: (reading) => {
        last = reading;
        const line = statusLine(reading);
        if (line !== lastLine) terminal.out(`${line}\n`);
        lastLine = line;
        return statusVerdict(reading);
      },
      pollMs: POLL_MS,
      ...(limit === undefined ? {} : { timeoutMs: limit }),
      stopSignal: context.stopSignal,
    });
    if (outcome.kind === 'timeout') {
      throw new CliError(
        ExitCode.TimeoutOrDegraded,
        `timed out after ${humanDuration(limit ?? 0)} waiting for ${where} to be Healthy`,
        last ? [`it is ${statusLine(last)}`] : [],
      );
    }
    if (outcome.kind === 'stopped') return ExitCode.Failure;
    if (outcome.exitCode === ExitCode.TimeoutOrDegraded) throw degraded(where, last);
    return outcome.exitCode;
  },
};

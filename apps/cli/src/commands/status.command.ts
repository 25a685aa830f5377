import { ROLLOUT, type RolloutDetail } from '../api/queries.js';
import { CliError, ExitCode } from '../cli/cli-error.js';
import type { Command } from '../cli/command.js';
import { humanDuration } from '../output/time.js';
import { followRollout } from '../rollouts/follow-rollout.js';
import { resolveRolloutRef, ROLLOUT_LOCATION_FLAGS } from '../rollouts/rollout-lookup.js';
import { TIMEOUT_FLAG, timeoutMs } from './duration-flag.js';

const POLL_MS = 2000;

type Reading = Pick<RolloutDetail, 'phase' | 'message' | 'generation' | 'observedGeneration'>;

/** One line per distinct state: `Paused - CanaryPauseStep`, or the wait for the engine to take up a new spec. */
export function statusLine(rollout: Reading): string {
  if (rollout.observedGeneration < rollout.generation) return `Waiting for the rollout engine to take up generation ${rollout.generation}`;
  return rollout.message ? `${rollout.phase} - ${rollout.message}` : rollout.phase;
}

/** Healthy once the engine has taken up the latest spec: 0; Degraded: 5; anything else: keep waiting. */
export function statusVerdict(rollout: Reading): ExitCode | undefined {
  if (rollout.observedGeneration < rollout.generation) return undefined;
  if (rollout.phase === 'Healthy') return ExitCode.Ok;
  if (rollout.phase === 'Degraded') return ExitCode.TimeoutOrDegraded;
  return undefined;
}

export const statusCommand: Command = {
  path: ['status'],
  synopsis: 'NAME [--cluster CLUSTER] [--namespace NAMESPACE] [--timeout DURATION]',
  summary: 'Wait until the rollout is Healthy (exit 0) or Degraded (exit 5), printing each change; exit 5 on timeout',
  flags: [...ROLLOUT_LOCATION_FLAGS, TIMEOUT_FLAG],
  online: true,
  async run(context) {
    const { invocation, terminal } = context;
    const name = invocation.positional(0, 'the rollout NAME');
    invocation.atMostPositionals(1);
    const limit = timeoutMs(invocation);
    const rollout = await resolveRolloutRef(context, name);
    let last: Reading | undefined;
    let lastLine: string | undefined;
    const outcome = await followRollout({
      api: context.api(),
      rollout,
      read: async () => (await context.api().request<{ rollout: RolloutDetail }>(ROLLOUT, { ...rollout })).rollout,
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
    const where = `${rollout.cluster}/${rollout.namespace}/${rollout.name}`;
    if (outcome.kind === 'timeout') {
      throw new CliError(ExitCode.TimeoutOrDegraded, `timed out after ${humanDuration(limit ?? 0)} waiting for ${where} to be Healthy`, last ? [`it is ${statusLine(last)}`] : []);
    }
    if (outcome.kind === 'stopped') return ExitCode.Failure;
    if (outcome.exitCode === ExitCode.TimeoutOrDegraded) throw new CliError(ExitCode.TimeoutOrDegraded, `${where} is Degraded: ${last?.message || 'no reason given'}`);
    return outcome.exitCode;
  },
};

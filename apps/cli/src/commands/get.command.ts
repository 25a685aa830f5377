import { ROLLOUT_TREE, type RolloutRef, type RolloutTreeData } from '../api/queries.js';
import type { FlagSpec } from '../cli/flags.js';
import { ExitCode } from '../cli/cli-error.js';
import type { Command, CommandContext } from '../cli/command.js';
import { framePrinter } from '../output/frames.js';
import { printedStructured } from '../output/structured.js';
import { followRollout } from '../rollouts/follow-rollout.js';
import { resolveRolloutRef, ROLLOUT_LOCATION_FLAGS } from '../rollouts/rollout-lookup.js';
import { renderRolloutTree } from '../rollouts/rollout-tree.js';
import { TIMEOUT_FLAG, timeoutMs } from './duration-flag.js';

/** How often a watch on a terminal redraws relative times, and reads again without an event. */
export const WATCH_TICK_MS = 1000;
export const WATCH_POLL_MS = 10_000;

export const WATCH_FLAG: FlagSpec = { name: 'watch', short: 'w', kind: 'boolean', description: 'follow changes live' };

function readTree(context: CommandContext, rollout: RolloutRef): Promise<RolloutTreeData> {
  return context.api().request<RolloutTreeData>(ROLLOUT_TREE, { ...rollout, rollout });
}

/**
 * Redraws the tree on each change. On a terminal each frame replaces the last and relative times are redrawn every
 * second; otherwise each changed frame is printed after the last, separated by a blank line.
 */
async function watchTree(context: CommandContext, rollout: RolloutRef): Promise<ExitCode> {
  const { terminal, now } = context;
  let latest: RolloutTreeData | undefined;
  const print = framePrinter(terminal);
  const draw = (): void => {
    if (latest !== undefined) print(renderRolloutTree(latest, now(), terminal.style));
  };
  const limit = timeoutMs(context.invocation);
  await followRollout({
    api: context.api(),
    rollout,
    read: () => readTree(context, rollout),
    onReading: (data) => {
      latest = data;
      draw();
      return undefined;
    },
    ...(terminal.isTTY ? { onTick: draw, tickMs: WATCH_TICK_MS } : {}),
    pollMs: WATCH_POLL_MS,
    ...(limit === undefined ? {} : { timeoutMs: limit }),
    stopSignal: context.stopSignal,
  });
  return ExitCode.Ok;
}

export const getRolloutCommand: Command = {
  path: ['get', 'rollout'],
  aliases: ['ro', 'rollouts'],
  synopsis: 'NAME [--cluster CLUSTER] [--namespace NAMESPACE] [--watch [--timeout DURATION]]',
  summary: 'Show a rollout as a tree of its revisions, ReplicaSets and analysis runs; --watch follows it live',
  details: [
    'With --watch the tree is redrawn on every change until Ctrl-C (or --timeout); without a terminal each frame is printed in turn.',
  ],
  flags: [...ROLLOUT_LOCATION_FLAGS, WATCH_FLAG, TIMEOUT_FLAG],
  outputs: ['json', 'yaml'],
  online: true,
  async run(context) {
    const { invocation, terminal, output } = context;
    const name = invocation.positional(0, 'the rollout NAME');
    invocation.atMostPositionals(1);
    const rollout = await resolveRolloutRef(context, name);
    if (invocation.boolean('watch')) return watchTree(context, rollout);
    const data = await readTree(context, rollout);
    if (printedStructured(terminal, output, data)) return ExitCode.Ok;
    terminal.out(renderRolloutTree(data, context.now(), terminal.style));
    return ExitCode.Ok;
  },
};

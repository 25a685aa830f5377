import { followChanges } from '../api/follow-changes.js';
import { ROLLOUT_CHANGED, type RolloutSummary } from '../api/queries.js';
import { parsePairs } from '../cli/flags.js';
import { ExitCode, usageError } from '../cli/cli-error.js';
import type { Command, CommandContext } from '../cli/command.js';
import { printedStructured } from '../output/structured.js';
import { columnWidths, formatRow, formatTable } from '../output/table.js';
import type { Styles } from '../output/terminal.js';
import { age } from '../output/time.js';
import { phaseText } from '../rollouts/phase.js';
import {
  ALL_NAMESPACES_FLAG,
  listAllRollouts,
  listedLocation,
  ROLLOUT_LOCATION_FLAGS,
  type RolloutFilter,
} from '../rollouts/rollout-lookup.js';
import { TIMEOUT_FLAG, timeoutMs } from './duration-flag.js';
import { WATCH_FLAG, WATCH_POLL_MS } from './get.command.js';

/** `2/6` while a canary walks its steps, `-` for blue-green. Columns after it are the Argo plugin's: SET-WEIGHT, READY (ready/current), DESIRED, UP-TO-DATE, AVAILABLE. */
function stepText(rollout: Pick<RolloutSummary, 'stepCount' | 'currentStepIndex' | 'strategy'>): string {
  if (rollout.strategy === 'BlueGreen') return '-';
  return `${rollout.currentStepIndex ?? 0}/${rollout.stepCount}`;
}

const HEADERS = ['CLUSTER', 'NAMESPACE', 'NAME', 'STRATEGY', 'STATUS', 'STEP', 'SET-WEIGHT', 'READY', 'DESIRED', 'UP-TO-DATE', 'AVAILABLE'];
const WIDE_HEADERS = ['IMAGES', 'AGE', 'GENERATION', 'MESSAGE'];

function rolloutRow(rollout: RolloutSummary, style: Styles): string[] {
  const { weights, replicas } = rollout.progress;
  return [
    rollout.cluster,
    rollout.namespace,
    rollout.name,
    rollout.strategy,
    phaseText(rollout.phase, style),
    stepText(rollout),
    rollout.strategy === 'Canary' && weights !== null ? String(weights.setWeight) : '-',
    `${replicas.ready}/${replicas.current}`,
    String(replicas.desired),
    String(replicas.updated),
    String(replicas.available),
  ];
}

function wideColumns(rollout: RolloutSummary, now: Date): string[] {
  return [rollout.images.join(','), age(rollout.createdAt, now), `${rollout.observedGeneration}/${rollout.generation}`, rollout.message];
}

/** The time `--timestamps` prints before a line, as the Argo plugin does: UTC to the second. */
export const timestampText = (now: Date): string => `${now.toISOString().slice(0, 19)}Z`;

const rolloutKey = (rollout: RolloutSummary): string => `${rollout.cluster}/${rollout.namespace}/${rollout.name}`;

/**
 * Each reading of `--watch` lists every page of what is watched; the events announce changes of the cluster and
 * namespace only (of every rollout of the organization with -A and no context), not of --phase or -l. A burst of
 * them costs one more reading after this rest, not one each.
 */
const WATCH_REST_MS = 1000;

/**
 * `--watch`: after the table, a line for each rollout whose line changed (or that appeared), in the columns of the
 * table, until Ctrl-C or --timeout; upstream's `PrintRolloutUpdates`.
 */
async function watchRollouts(
  context: CommandContext,
  filter: RolloutFilter,
  shown: readonly RolloutSummary[],
  matches: (rollout: RolloutSummary) => boolean,
  widths: readonly number[],
): Promise<ExitCode> {
  const { terminal, now } = context;
  const stamped = context.invocation.boolean('timestamps');
  const lines = new Map(shown.map((rollout) => [rolloutKey(rollout), formatRow(rolloutRow(rollout, terminal.style), widths)]));
  const limit = timeoutMs(context.invocation);
  const name = context.invocation.string('name');
  const announced = { cluster: filter.cluster, namespace: filter.namespace, name };
  await followChanges({
    api: context.api(),
    changes: [
      { document: ROLLOUT_CHANGED, variables: Object.fromEntries(Object.entries(announced).filter(([, value]) => value !== undefined)) },
    ],
    read: () => listAllRollouts(context.api(), filter),
    onReading: (rollouts) => {
      for (const rollout of rollouts.filter(matches)) {
        const cells = rolloutRow(rollout, terminal.style);
        const line = formatRow(cells, widths);
        if (lines.get(rolloutKey(rollout)) === line) continue;
        lines.set(rolloutKey(rollout), line);
        terminal.out(stamped ? formatRow([timestampText(now()), ...cells], [20, ...widths]) : line);
      }
      return undefined;
    },
    pollMs: WATCH_POLL_MS,
    restMs: WATCH_REST_MS,
    ...(limit === undefined ? {} : { timeoutMs: limit }),
    stopSignal: context.stopSignal,
  });
  return ExitCode.Ok;
}

export const listRolloutsCommand: Command = {
  path: ['list', 'rollouts'],
  aliases: ['ro', 'rollout'],
  synopsis:
    '[--cluster CLUSTER] [--namespace NAMESPACE | --all-namespaces] [--name NAME] [--phase PHASE] [-l KEY=VALUE]... [--watch [--timestamps] [--timeout DURATION]]',
  summary: "List rollouts, in the context's namespace unless --namespace or --all-namespaces says otherwise",
  details: [
    'Without a context, --cluster or --namespace, every rollout of every cluster is listed.',
    'With --watch, after the table a line is printed for each rollout whose line changes, until Ctrl-C (or --timeout); --timestamps puts the time before each line.',
  ],
  flags: [
    ...ROLLOUT_LOCATION_FLAGS,
    ALL_NAMESPACES_FLAG,
    { name: 'name', kind: 'string', valueName: 'NAME', description: 'only the rollout of this name' },
    { name: 'phase', kind: 'string', valueName: 'PHASE', description: 'Pending, Progressing, Paused, Healthy or Degraded' },
    { name: 'selector', short: 'l', kind: 'string', repeatable: true, valueName: 'KEY=VALUE', description: 'label the rollouts must have' },
    WATCH_FLAG,
    { name: 'timestamps', kind: 'boolean', description: 'print the time before each line' },
    TIMEOUT_FLAG,
  ],
  outputs: ['json', 'yaml', 'wide'],
  online: true,
  async run(context) {
    const { invocation, terminal, output, now } = context;
    invocation.atMostPositionals(0);
    const watch = invocation.boolean('watch');
    if (watch && output !== undefined) throw usageError('--watch prints a line per change and takes no -o');
    if (invocation.boolean('timestamps') && !watch) throw usageError('--timestamps needs --watch');
    const labels = parsePairs(invocation.strings('selector'), '-l');
    const phase = invocation.string('phase');
    const filter: RolloutFilter = {
      ...listedLocation(context),
      ...(phase === undefined ? {} : { phase }),
      ...(Object.keys(labels).length > 0 ? { labels: Object.entries(labels).map(([key, value]) => `${key}=${value}`) } : {}),
    };
    const name = invocation.string('name');
    const matches = (rollout: RolloutSummary): boolean => name === undefined || rollout.name === name;
    const rollouts = (await listAllRollouts(context.api(), filter)).filter(matches);
    if (printedStructured(terminal, output, rollouts)) return ExitCode.Ok;
    if (rollouts.length === 0 && !watch) {
      terminal.out('No rollouts found.\n');
      return ExitCode.Ok;
    }
    const wide = output === 'wide';
    const rows = rollouts.map((rollout) => [...rolloutRow(rollout, terminal.style), ...(wide ? wideColumns(rollout, now()) : [])]);
    const headers = [...HEADERS, ...(wide ? WIDE_HEADERS : [])];
    if (!watch) {
      terminal.out(formatTable(headers, rows));
      return ExitCode.Ok;
    }
    const widths = columnWidths(headers, rows);
    if (invocation.boolean('timestamps')) {
      const stamp = timestampText(now());
      terminal.out(
        formatTable(
          ['TIMESTAMP', ...headers],
          rows.map((row) => [stamp, ...row]),
        ),
      );
    } else terminal.out(formatTable(headers, rows));
    return watchRollouts(context, filter, rollouts, matches, widths);
  },
};

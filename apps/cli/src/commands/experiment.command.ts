import { parseGoDuration, type ExperimentSpec } from '@flotilla/argo-spec';
import { followChanges, type ChangeFeed } from '../api/follow-changes.js';
import { EXPERIMENT, experimentOperationMutation, type ExperimentDetail, type ExperimentRow } from '../api/experiment-queries.js';
import { ROLLOUT_CHANGED, type RolloutRef } from '../api/queries.js';
import { ExitCode } from '../cli/cli-error.js';
import type { Command, CommandContext } from '../cli/command.js';
import { isCompletedPhase, renderExperimentTree } from '../experiments/experiment-tree.js';
import { listAllExperiments, resolveExperimentRef } from '../experiments/experiment-lookup.js';
import { framePrinter } from '../output/frames.js';
import { printedStructured } from '../output/structured.js';
import { formatTable } from '../output/table.js';
import { age, humanDuration } from '../output/time.js';
import { ALL_NAMESPACES_FLAG, listedLocation, ROLLOUT_LOCATION_FLAGS } from '../rollouts/rollout-lookup.js';
import { TIMEOUT_FLAG, timeoutMs } from './duration-flag.js';
import { WATCH_FLAG, WATCH_TICK_MS } from './get.command.js';
import { REASON_FLAG } from './operations.command.js';

/** Experiments have no change feed of their own: a watch reads them this often, and on each change of their rollout. */
export const EXPERIMENT_POLL_MS = 2000;

async function readExperiment(context: CommandContext, experiment: RolloutRef): Promise<ExperimentDetail> {
  return (await context.api().request<{ experiment: ExperimentDetail }>(EXPERIMENT, { ...experiment })).experiment;
}

async function watchExperiment(context: CommandContext, first: ExperimentDetail): Promise<ExitCode> {
  const { terminal, now } = context;
  let latest = first;
  const print = framePrinter(terminal);
  const draw = (): void => print(renderExperimentTree(latest, now(), terminal.style));
  const changes: ChangeFeed[] =
    first.rollout === null
      ? []
      : [{ document: ROLLOUT_CHANGED, variables: { cluster: first.cluster, namespace: first.namespace, name: first.rollout } }];
  const limit = timeoutMs(context.invocation);
  await followChanges({
    api: context.api(),
    changes,
    read: () => readExperiment(context, first),
    onReading: (data) => {
      latest = data;
      draw();
      return undefined;
    },
    ...(terminal.isTTY ? { onTick: draw, tickMs: WATCH_TICK_MS } : {}),
    pollMs: EXPERIMENT_POLL_MS,
    ...(limit === undefined ? {} : { timeoutMs: limit }),
    stopSignal: context.stopSignal,
  });
  return ExitCode.Ok;
}

export const getExperimentCommand: Command = {
  path: ['get', 'experiment'],
  aliases: ['exp', 'experiments'],
  synopsis: 'NAME [--cluster CLUSTER] [--namespace NAMESPACE] [--watch [--timeout DURATION]]',
  summary: 'Show an experiment as a tree of its template ReplicaSets and analysis runs; --watch follows it live',
  details: [
    'With --watch the tree is redrawn on every change until Ctrl-C (or --timeout); without a terminal each changed frame is printed in turn.',
  ],
  flags: [...ROLLOUT_LOCATION_FLAGS, WATCH_FLAG, TIMEOUT_FLAG],
  outputs: ['json', 'yaml'],
  online: true,
  async run(context) {
    const { invocation, terminal, output } = context;
    const name = invocation.positional(0, 'the experiment NAME');
    invocation.atMostPositionals(1);
    const experiment = await readExperiment(context, await resolveExperimentRef(context, name));
    if (invocation.boolean('watch')) return watchExperiment(context, experiment);
    if (printedStructured(terminal, output, experiment)) return ExitCode.Ok;
    terminal.out(renderExperimentTree(experiment, context.now(), terminal.style));
    return ExitCode.Ok;
  },
};

/**
 * DURATION and REMAINING of `list experiments`, as upstream computes them: `-` without a duration; the time left
 * counts from when every template first ran its replicas, and only while the experiment is not completed.
 */
function durationColumns(experiment: ExperimentRow, now: Date): [string, string] {
  const text = (experiment.spec as ExperimentSpec).duration;
  const duration = text === undefined ? undefined : parseGoDuration(text);
  if (duration === undefined) return ['-', '-'];
  if (isCompletedPhase(experiment.phase) || experiment.availableAt === null) return [humanDuration(duration), '-'];
  const remaining = Date.parse(experiment.availableAt) + duration - now.getTime();
  return [humanDuration(duration), remaining > 0 ? humanDuration(remaining) : '-'];
}

export const listExperimentsCommand: Command = {
  path: ['list', 'experiments'],
  aliases: ['exp', 'experiment'],
  synopsis: '[--cluster CLUSTER] [--namespace NAMESPACE | --all-namespaces]',
  summary: "List experiments, in the context's namespace unless --namespace or --all-namespaces says otherwise",
  flags: [...ROLLOUT_LOCATION_FLAGS, ALL_NAMESPACES_FLAG],
  outputs: ['json', 'yaml'],
  online: true,
  async run(context) {
    const { invocation, terminal, output, now } = context;
    invocation.atMostPositionals(0);
    const experiments = await listAllExperiments(context, listedLocation(context));
    if (printedStructured(terminal, output, experiments)) return ExitCode.Ok;
    if (experiments.length === 0) {
      terminal.err('No resources found.\n');
      return ExitCode.Ok;
    }
    const rows = experiments.map((experiment) => [
      experiment.cluster,
      experiment.namespace,
      experiment.name,
      experiment.phase,
      ...durationColumns(experiment, now()),
      age(experiment.createdAt, now()),
    ]);
    terminal.out(formatTable(['CLUSTER', 'NAMESPACE', 'NAME', 'STATUS', 'DURATION', 'REMAINING', 'AGE'], rows));
    return ExitCode.Ok;
  },
};

interface ExperimentOperationSpec {
  verb: 'terminate' | 'retry';
  mutation: 'terminateExperiment' | 'retryExperiment';
  summary: string;
  /** When the API refuses it, said in --help. */
  refused: string;
}

/** `VERB experiment NAME`: one operation on one experiment, printing `experiment 'NAME' VERBed` as the Argo plugin does. */
export function experimentOperationCommand(spec: ExperimentOperationSpec): Command {
  return {
    path: [spec.verb, 'experiment'],
    aliases: ['exp', 'experiments'],
    synopsis: 'NAME [--cluster CLUSTER] [--namespace NAMESPACE] [--reason TEXT]',
    summary: spec.summary,
    details: [spec.refused],
    flags: [...ROLLOUT_LOCATION_FLAGS, REASON_FLAG],
    outputs: ['json', 'yaml'],
    online: true,
    async run(context) {
      const { invocation, terminal, output } = context;
      const name = invocation.positional(0, 'the experiment NAME');
      invocation.atMostPositionals(1);
      const ref = await resolveExperimentRef(context, name);
      const { experiment } = await context.api().request<{ experiment: ExperimentRow }>(experimentOperationMutation(spec.mutation), {
        ...ref,
        reason: invocation.string('reason') ?? null,
      });
      if (printedStructured(terminal, output, experiment)) return ExitCode.Ok;
      terminal.out(`experiment '${experiment.name}' ${spec.verb === 'retry' ? 'retried' : 'terminated'}\n`);
      return ExitCode.Ok;
    },
  };
}

export const retryExperimentCommand: Command = experimentOperationCommand({
  verb: 'retry',
  mutation: 'retryExperiment',
  summary: 'Retry a failed or terminated experiment: it starts over, its templates created again and its analyses run anew',
  refused: 'An experiment that is still running, or that succeeded without being terminated, is refused (exit 1).',
});

import { allPages } from '../api/all-pages.js';
import { ANALYSIS_RUN_PLACES, TERMINATE_ANALYSIS_RUN, type AnalysisRunPlace, type TerminatedRun } from '../api/analysis-run-queries.js';
import type { RolloutRef } from '../api/queries.js';
import { ExitCode } from '../cli/cli-error.js';
import type { Command, CommandContext } from '../cli/command.js';
import { printedStructured } from '../output/structured.js';
import { resolveNamedRef, ROLLOUT_LOCATION_FLAGS } from '../rollouts/rollout-lookup.js';
import { experimentOperationCommand } from './experiment.command.js';
import { REASON_FLAG } from './operations.command.js';

/** The analysis run a command acts on, found as a rollout is (see `resolveNamedRef`); pooled runs have no cluster of their own. */
function resolveAnalysisRunRef(context: CommandContext, name: string): Promise<RolloutRef> {
  return resolveNamedRef(context, 'analysis_run', name, async (filter) =>
    (await allPages<AnalysisRunPlace>(context.api(), ANALYSIS_RUN_PLACES, 'analysisRuns', { filter })).flatMap((run) =>
      run.cluster === null ? [] : [{ cluster: run.cluster, namespace: run.namespace, name: run.name }],
    ),
  );
}

export const terminateAnalysisRunCommand: Command = {
  path: ['terminate', 'analysisrun'],
  aliases: ['ar', 'analysisruns'],
  synopsis: 'NAME [--cluster CLUSTER] [--namespace NAMESPACE] [--reason TEXT]',
  summary: 'Terminate an analysis run: it stops measuring and ends with the worst phase of its metrics (Successful when none completed)',
  details: ['A run that has ended already is refused (exit 1).'],
  flags: [...ROLLOUT_LOCATION_FLAGS, REASON_FLAG],
  outputs: ['json', 'yaml'],
  online: true,
  async run(context) {
    const { invocation, terminal, output } = context;
    const name = invocation.positional(0, 'the analysis run NAME');
    invocation.atMostPositionals(1);
    const ref = await resolveAnalysisRunRef(context, name);
    const { run } = await context
      .api()
      .request<{ run: TerminatedRun }>(TERMINATE_ANALYSIS_RUN, { ...ref, reason: invocation.string('reason') ?? null });
    if (printedStructured(terminal, output, run)) return ExitCode.Ok;
    terminal.out(`analysisRun '${run.name}' terminated\n`);
    return ExitCode.Ok;
  },
};

export const terminateExperimentCommand: Command = experimentOperationCommand({
  verb: 'terminate',
  mutation: 'terminateExperiment',
  summary: 'Terminate an experiment: its analysis runs stop and its templates scale down on its next reconcile',
  refused: 'An experiment that completed, or is terminating already, is refused (exit 1).',
});

import { allPages } from '../api/all-pages.js';
import { EXPERIMENTS, type ExperimentFilter, type ExperimentRow } from '../api/experiment-queries.js';
import type { RolloutRef } from '../api/queries.js';
import type { CommandContext } from '../cli/command.js';
import { resolveNamedRef } from '../rollouts/rollout-lookup.js';

/** Every experiment matching `filter`, newest first, reading page after page. */
export function listAllExperiments(context: Pick<CommandContext, 'api'>, filter: ExperimentFilter): Promise<ExperimentRow[]> {
  return allPages<ExperimentRow>(context.api(), EXPERIMENTS, 'experiments', { filter });
}

/** The experiment a command acts on, found as a rollout is (see `resolveNamedRef`). */
export function resolveExperimentRef(context: CommandContext, name: string): Promise<RolloutRef> {
  return resolveNamedRef(context, 'experiment', name, (filter) => listAllExperiments(context, filter));
}

import { ROLLOUT_REVISIONS, type RolloutRevision } from '../api/queries.js';
import { ExitCode } from '../cli/cli-error.js';
import type { Command } from '../cli/command.js';
import { printedStructured } from '../output/structured.js';
import { formatTable } from '../output/table.js';
import { age, humanDuration } from '../output/time.js';
import { phaseText } from '../rollouts/phase.js';
import { resolveRolloutRef, ROLLOUT_LOCATION_FLAGS } from '../rollouts/rollout-lookup.js';

/** How long a revision took to finish, or has been going. */
export function revisionDuration(revision: Pick<RolloutRevision, 'startedAt' | 'finishedAt'>, now: Date): string {
  const end = revision.finishedAt === null ? now.getTime() : Date.parse(revision.finishedAt);
  const text = humanDuration(end - Date.parse(revision.startedAt));
  return revision.finishedAt === null ? `${text} so far` : text;
}

export const historyCommand: Command = {
  path: ['history'],
  synopsis: 'NAME [--cluster CLUSTER] [--namespace NAMESPACE]',
  summary: 'Show the release history of a rollout: revision, images, who, when, outcome and duration',
  flags: ROLLOUT_LOCATION_FLAGS,
  outputs: ['json', 'yaml', 'wide'],
  online: true,
  async run(context) {
    const { invocation, terminal, output, now } = context;
    const name = invocation.positional(0, 'the rollout NAME');
    invocation.atMostPositionals(1);
    const rollout = await resolveRolloutRef(context, name);
    const { rolloutRevisions } = await context.api().request<{ rolloutRevisions: RolloutRevision[] }>(ROLLOUT_REVISIONS, { rollout });
    if (printedStructured(terminal, output, rolloutRevisions)) return ExitCode.Ok;
    const wide = output === 'wide';
    const headers = ['REVISION', 'IMAGES', 'BY', 'STARTED', 'OUTCOME', 'DURATION', ...(wide ? ['STARTED AT', 'POD TEMPLATE HASH'] : [])];
    const rows = rolloutRevisions.map((revision) => [
      String(revision.revision),
      revision.images.join(','),
      revision.startedBy,
      `${age(revision.startedAt, now())} ago`,
      phaseText(revision.outcome, terminal.style),
      revisionDuration(revision, now()),
      ...(wide ? [revision.startedAt, revision.podTemplateHash] : []),
    ]);
    terminal.out(rows.length === 0 ? 'No revisions yet: the rollout engine has not reconciled it.\n' : formatTable(headers, rows));
    return ExitCode.Ok;
  },
};

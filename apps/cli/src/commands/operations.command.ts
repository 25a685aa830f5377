import { operationMutation, type OperationType, type RolloutOperation } from '../api/queries.js';
import type { FlagSpec } from '../cli/flags.js';
import { imageReferenceProblem, parseGoDuration, quoted } from '@flotilla/argo-spec';
import { ExitCode, usageError } from '../cli/cli-error.js';
import type { Command, Invocation } from '../cli/command.js';
import { printedStructured } from '../output/structured.js';
import { operationOutcomeLine, waitForOperation } from '../rollouts/operation-outcome.js';
import { resolveRolloutRef, ROLLOUT_LOCATION_FLAGS } from '../rollouts/rollout-lookup.js';

export const REASON_FLAG: FlagSpec = { name: 'reason', kind: 'string', valueName: 'TEXT', description: 'why, kept in the audit record' };

const DEFAULT_WAIT = '5s';

const WAIT_FLAG: FlagSpec = {
  name: 'wait',
  kind: 'string',
  valueName: 'DURATION',
  description: `how long to wait for the engine to apply or refuse it (default ${DEFAULT_WAIT}; 0: do not wait)`,
};

/** The --wait text and its milliseconds. */
function waitFor(invocation: Invocation): { text: string; milliseconds: number } {
  const text = invocation.string('wait') ?? DEFAULT_WAIT;
  const milliseconds = parseGoDuration(text);
  if (milliseconds === undefined || milliseconds < 0) throw usageError(`--wait takes a duration such as 5s or 1m, not "${text}"`);
  return { text, milliseconds };
}

/** What an operation adds to the mutation beyond the rollout and reason. */
interface OperationArguments {
  variables: Record<string, unknown>;
  /** Declarations such as `, $full: Boolean!`. */
  declarations: string;
  /** Arguments such as `, full: $full`. */
  arguments: string;
}

const NO_ARGUMENTS: OperationArguments = { variables: {}, declarations: '', arguments: '' };

interface OperationSpec {
  path: readonly string[];
  type: OperationType;
  synopsis: string;
  summary: string;
  flags?: readonly FlagSpec[];
  /** Positionals after NAME. */
  extraPositionals?: number;
  /** Words that may come before NAME, as in Argo's `retry rollout NAME`. */
  kindWords?: readonly string[];
  arguments?(invocation: Invocation): OperationArguments;
}

/** A command that asks the rollout engine for one operation on one rollout, prints the request, then what the engine made of it. */
function operationCommand(spec: OperationSpec): Command {
  return {
    path: spec.path,
    synopsis: `${spec.synopsis} [--cluster CLUSTER] [--namespace NAMESPACE] [--reason TEXT] [--wait DURATION]`,
    summary: spec.summary,
    details: [
      `The rollout engine carries the operation out on its next reconcile: the command waits up to --wait (${DEFAULT_WAIT}) for it, and exits 1 with the engine's reason when the engine refuses it.`,
      '"flotilla status NAME" then waits for the rollout to be Healthy.',
    ],
    flags: [...ROLLOUT_LOCATION_FLAGS, REASON_FLAG, WAIT_FLAG, ...(spec.flags ?? [])],
    outputs: ['json', 'yaml'],
    online: true,
    async run(context) {
      const { invocation, terminal, output } = context;
      const [first, second] = invocation.positionals;
      const kindGiven = second !== undefined && first !== undefined && (spec.kindWords ?? []).includes(first) ? 1 : 0;
      const name = invocation.positional(kindGiven, 'the rollout NAME');
      invocation.atMostPositionals(kindGiven + 1 + (spec.extraPositionals ?? 0));
      const extra = spec.arguments?.(invocation) ?? NO_ARGUMENTS;
      const rollout = await resolveRolloutRef(context, name);
      const reason = invocation.string('reason') ?? null;
      const wait = waitFor(invocation);
      const where = `${rollout.cluster}/${rollout.namespace}/${rollout.name}`;
      const target = `rollout ${terminal.style.bold(where)}`;
      const { operation } = await context
        .api()
        .request<{ operation: RolloutOperation }>(operationMutation(spec.type, extra.declarations, extra.arguments), {
          rollout,
          reason,
          ...extra.variables,
        });
      if (output !== 'json' && output !== 'yaml') {
        const parameters = Object.entries(operation.parameters).map(
          ([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
        );
        terminal.out(
          `${target}: ${operation.type}${parameters.length > 0 ? ` (${parameters.join(', ')})` : ''} requested, operation ${operation.id} is ${operation.state}\n`,
        );
      }
      const settled =
        wait.milliseconds === 0
          ? undefined
          : await waitForOperation({
              api: context.api(),
              rollout,
              operationId: operation.id,
              waitMs: wait.milliseconds,
              stopSignal: context.stopSignal,
            });
      const outcome = settled === undefined ? undefined : operationOutcomeLine(settled, operation.type, wait.text);
      const exitCode = outcome?.exitCode ?? ExitCode.Ok;
      if (printedStructured(terminal, output, { ...operation, ...settled })) return exitCode;
      if (outcome === undefined) return exitCode;
      if (exitCode === ExitCode.Ok) terminal.out(`${target}: ${outcome.line}\n`);
      else terminal.err(`error: rollout ${where}: ${outcome.line}\n`);
      return exitCode;
    },
  };
}

/**
 * Reads `CONTAINER=IMAGE`, refusing an image that is not a valid reference; `what` names the argument in errors.
 * @example parseContainerImage('checkout=shop/checkout:2', 'set image') // => { container: 'checkout', image: 'shop/checkout:2' }
 */
export function parseContainerImage(assignment: string, what: string): { container: string; image: string } {
  const equals = assignment.indexOf('=');
  if (equals <= 0 || equals === assignment.length - 1) throw usageError(`${what} takes CONTAINER=IMAGE, not "${assignment}"`);
  const image = assignment.slice(equals + 1);
  const imageProblem = imageReferenceProblem(image);
  if (imageProblem !== undefined) throw usageError(`the image ${quoted(image)} ${imageProblem}`);
  return { container: assignment.slice(0, equals), image };
}

function setImageArguments(invocation: Invocation): OperationArguments {
  const { container, image } = parseContainerImage(invocation.positional(1, 'CONTAINER=IMAGE'), 'set image');
  return {
    variables: { container, image },
    declarations: ', $container: String!, $image: String!',
    arguments: ', container: $container, image: $image',
  };
}

export const operationCommands: readonly Command[] = [
  operationCommand({
    path: ['set', 'image'],
    type: 'setImage',
    synopsis: 'NAME CONTAINER=IMAGE',
    summary: "Set a container's image (every container's with *=IMAGE), starting a new revision",
    extraPositionals: 1,
    arguments: setImageArguments,
  }),
  operationCommand({
    path: ['promote'],
    type: 'promote',
    synopsis: 'NAME [--full]',
    summary: 'Skip the current pause or step; with --full, go straight to 100% skipping the remaining steps and analysis',
    flags: [{ name: 'full', kind: 'boolean', description: 'promote fully' }],
    arguments: (invocation) => ({
      variables: { full: invocation.boolean('full') },
      declarations: ', $full: Boolean!',
      arguments: ', full: $full',
    }),
  }),
  operationCommand({
    path: ['abort'],
    type: 'abort',
    synopsis: 'NAME',
    summary: 'Abort the update: the stable revision back to full size and all traffic',
  }),
  operationCommand({
    path: ['retry'],
    type: 'retry',
    synopsis: '[rollout] NAME',
    summary: 'Retry an aborted update from its first step',
    kindWords: ['rollout', 'ro', 'rollouts'],
  }),
  operationCommand({ path: ['pause'], type: 'pause', synopsis: 'NAME', summary: 'Pause the rollout' }),
  operationCommand({ path: ['resume'], type: 'resume', synopsis: 'NAME', summary: 'Resume a paused rollout' }),
  operationCommand({
    path: ['restart'],
    type: 'restart',
    synopsis: 'NAME [--in DURATION]',
    summary: 'Restart every pod, a few at a time; with --in, that long from now (at most 168h)',
    flags: [
      { name: 'in', short: 'i', kind: 'string', valueName: 'DURATION', description: 'how long before the restart, such as 30s, 5m or 1h' },
    ],
    arguments: (invocation) => {
      const delay = invocation.string('in');
      return delay === undefined ? NO_ARGUMENTS : { variables: { in: delay }, declarations: ', $in: String', arguments: ', in: $in' };
    },
  }),
  operationCommand({
    path: ['undo'],
    type: 'undo',
    synopsis: 'NAME [--to-revision N]',
    summary: 'Roll back to a revision of the release history (the previous one by default)',
    flags: [{ name: 'to-revision', kind: 'string', valueName: 'N', description: 'revision number' }],
    arguments: (invocation) => {
      const toRevision = invocation.integer('to-revision', 1);
      return toRevision === undefined
        ? NO_ARGUMENTS
        : { variables: { toRevision }, declarations: ', $toRevision: Int', arguments: ', toRevision: $toRevision' };
    },
  }),
];

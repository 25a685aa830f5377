import { FLEET_OPERATIONS, RELEASE_FLEET, type FleetOperation, type FleetReleaseSummary } from '../api/fleet-queries.js';
import type { FlagSpec } from '../cli/flags.js';
import { ExitCode, usageError } from '../cli/cli-error.js';
import type { Command, CommandContext, Invocation } from '../cli/command.js';
import { describeChange } from '../fleet/fleet-tree.js';
import { readTemplateFile } from '../fleet/template-file.js';
import { readReleaseStatus, waitForRelease } from '../fleet/wait-for-release.js';
import { printedStructured } from '../output/structured.js';
import { phaseText } from '../rollouts/phase.js';
import { TIMEOUT_FLAG, timeoutMs } from './duration-flag.js';
import { parseContainerImage, REASON_FLAG } from './operations.command.js';

/** `fleet NAME release N: <what>, <phase> - <message>`: what an operation did, and the release as it is after it. */
function printRelease(context: CommandContext, release: FleetReleaseSummary, what: string): void {
  const { terminal } = context;
  terminal.out(
    `fleet ${terminal.style.bold(release.fleetRollout)} release ${release.number}: ${what}, ${phaseText(release.phase, terminal.style)}${release.message ? ` - ${release.message}` : ''}\n`,
  );
}

/** The change a release makes: exactly one of --image CONTAINER=IMAGE and --template-file FILE. */
async function releaseChange(context: CommandContext): Promise<Record<string, unknown>> {
  const { invocation } = context;
  const image = invocation.string('image');
  const templateFile = invocation.string('template-file');
  if ((image === undefined) === (templateFile === undefined))
    throw usageError('fleet release takes exactly one of --image CONTAINER=IMAGE and --template-file FILE');
  if (image !== undefined) return parseContainerImage(image, '--image');
  return { template: await readTemplateFile(templateFile as string, context.readStdin) };
}

export const fleetReleaseCommand: Command = {
  path: ['fleet', 'release'],
  synopsis: 'NAME (--image CONTAINER=IMAGE | --template-file FILE) [--reason TEXT] [--wait [--timeout DURATION]]',
  summary: "Start a release of a FleetRollout: every member's Rollout changed wave by wave",
  details: [
    "--image sets one container's image in each member's own template; --template-file replaces the members' pod",
    'template with the one in FILE (a pod template, or a Rollout whose spec.template is taken; - for stdin).',
    'A release started while another is active supersedes it: the new one starts again at the first wave.',
    `With --wait, waits as "fleet status" does: exit 0 once Succeeded, ${ExitCode.TimeoutOrDegraded} once Halted, Aborted, RolledBack or Superseded, or on --timeout.`,
  ],
  flags: [
    { name: 'image', kind: 'string', valueName: 'CONTAINER=IMAGE', description: "the container's new image" },
    { name: 'template-file', kind: 'string', valueName: 'FILE', description: 'the new pod template (- for stdin)' },
    REASON_FLAG,
    { name: 'wait', kind: 'boolean', description: 'wait until the release ends' },
    TIMEOUT_FLAG,
  ],
  outputs: ['json', 'yaml'],
  online: true,
  async run(context) {
    const { invocation, terminal, output } = context;
    const name = invocation.positional(0, 'the FleetRollout NAME');
    invocation.atMostPositionals(1);
    const limit = timeoutMs(invocation);
    const change = await releaseChange(context);
    const { release } = await context.api().request<{ release: FleetReleaseSummary }>(RELEASE_FLEET, {
      name,
      ...change,
      reason: invocation.string('reason') ?? null,
    });
    const structured = printedStructured(terminal, output, release);
    if (!structured) printRelease(context, release, `started (${describeChange(release.change)})`);
    if (!invocation.boolean('wait')) return ExitCode.Ok;
    // Progress lines go to stderr under -o, so that stdout stays one document.
    const print = structured ? (line: string) => terminal.err(`${line}\n`) : (line: string) => terminal.out(`${line}\n`);
    return waitForRelease(context, name, release.number, limit, print);
  },
};

export const fleetStatusCommand: Command = {
  path: ['fleet', 'status'],
  synopsis: 'NAME [--timeout DURATION]',
  summary: `Wait until the current release of a FleetRollout Succeeded (exit 0) or stops short (exit ${ExitCode.TimeoutOrDegraded}), printing each change`,
  details: [
    'The current release is the active one, else the newest. It stops short when Halted (until retried or aborted),',
    `Aborted, RolledBack or Superseded by a newer release; each of those, and --timeout, exits ${ExitCode.TimeoutOrDegraded}.`,
  ],
  flags: [TIMEOUT_FLAG],
  online: true,
  async run(context) {
    const { invocation, terminal } = context;
    const name = invocation.positional(0, 'the FleetRollout NAME');
    invocation.atMostPositionals(1);
    const limit = timeoutMs(invocation);
    const current = await readReleaseStatus(context, name, null);
    return waitForRelease(context, name, current.number, limit, (line) => terminal.out(`${line}\n`));
  },
};

interface FleetOperationSpec {
  name: string;
  operation: FleetOperation;
  synopsis: string;
  summary: string;
  /** What it did, for the line printed after it, such as `paused`. */
  done: string;
  flags?: readonly FlagSpec[];
  /** Whether it acts on one member: CLUSTER after NAME, and --reason required. */
  member?: boolean;
  variables?(invocation: Invocation): Record<string, unknown>;
}

/** A command asking for one operation on the FleetRollout's active release, printing the release as it is after it. */
function fleetOperationCommand(spec: FleetOperationSpec): Command {
  return {
    path: ['fleet', spec.name],
    synopsis: spec.member ? spec.synopsis : `${spec.synopsis} [--reason TEXT]`,
    summary: spec.summary,
    flags: [...(spec.flags ?? []), REASON_FLAG],
    outputs: ['json', 'yaml'],
    online: true,
    async run(context) {
      const { invocation, terminal, output } = context;
      const name = invocation.positional(0, 'the FleetRollout NAME');
      const cluster = spec.member ? invocation.positional(1, 'the member CLUSTER') : undefined;
      invocation.atMostPositionals(spec.member ? 2 : 1);
      const reason = invocation.string('reason');
      if (spec.member && !reason) throw usageError(`fleet ${spec.name} needs --reason: acting on one member is kept in the audit with why`);
      const { release } = await context.api().request<{ release: FleetReleaseSummary }>(FLEET_OPERATIONS[spec.operation], {
        name,
        reason: reason ?? null,
        ...(cluster === undefined ? {} : { cluster }),
        ...spec.variables?.(invocation),
      });
      if (printedStructured(terminal, output, release)) return ExitCode.Ok;
      printRelease(context, release, cluster === undefined ? spec.done : `${cluster} ${spec.done}`);
      return ExitCode.Ok;
    },
  };
}

export const fleetOperationCommands: readonly Command[] = [
  fleetOperationCommand({
    name: 'approve',
    operation: 'approve',
    synopsis: 'NAME [--wave WAVE]',
    summary: 'Approve the wave waiting for a manual approval, so that the next wave may start',
    done: 'approved',
    flags: [{ name: 'wave', kind: 'string', valueName: 'WAVE', description: 'the wave to approve (refused unless it is the one waiting)' }],
    variables: (invocation) => ({ wave: invocation.string('wave') ?? null }),
  }),
  fleetOperationCommand({
    name: 'promote',
    operation: 'promote',
    synopsis: 'NAME',
    summary: "Promote every member of the current wave waiting at a pause of its Rollout's steps",
    done: 'promoted',
  }),
  fleetOperationCommand({
    name: 'pause',
    operation: 'pause',
    synopsis: 'NAME',
    summary: 'Pause the release: no member is changed until resumed',
    done: 'paused',
  }),
  fleetOperationCommand({ name: 'resume', operation: 'resume', synopsis: 'NAME', summary: 'Resume a paused release', done: 'resumed' }),
  fleetOperationCommand({
    name: 'abort',
    operation: 'abort',
    synopsis: 'NAME [--rollback]',
    summary: "Abort the release; with --rollback, every changed member's template is set back",
    done: 'aborted',
    flags: [{ name: 'rollback', kind: 'boolean', description: 'set the changed members back to their previous template' }],
    variables: (invocation) => ({ rollback: invocation.boolean('rollback') }),
  }),
  fleetOperationCommand({
    name: 'retry',
    operation: 'retry',
    synopsis: 'NAME',
    summary: 'Retry a Halted release: its failed members are released again',
    done: 'retried',
  }),
  fleetOperationCommand({
    name: 'skip',
    operation: 'skip',
    synopsis: 'NAME CLUSTER --reason TEXT',
    summary: 'Pass over one member of the release, so that its wave can pass without it',
    done: 'skipped',
    member: true,
  }),
  fleetOperationCommand({
    name: 'retry-member',
    operation: 'retryMember',
    synopsis: 'NAME CLUSTER --reason TEXT',
    summary: 'Release one failed member again',
    done: 'retried',
    member: true,
  }),
];

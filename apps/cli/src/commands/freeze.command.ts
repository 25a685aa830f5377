import {
  BREAK_GLASS,
  BREAK_GLASS_OVERRIDES,
  CONFIRM_BREAK_GLASS,
  FREEZE_WINDOW,
  FREEZE_WINDOWS,
  REVOKE_BREAK_GLASS,
  type BreakGlassOverride,
  type BreakGlassOverridePage,
  type BreakGlassTarget,
  type FreezeWindowRow,
} from '../api/freeze-queries.js';
import { CliError, ExitCode, usageError } from '../cli/cli-error.js';
import type { Command, CommandContext, Invocation } from '../cli/command.js';
import { breakGlassSeconds, overrideLine, renderFreezeList, renderFreezeWindow, renderOverrides } from '../freezes/freeze-view.js';
import { printedStructured } from '../output/structured.js';
import { resolveRolloutRef, ROLLOUT_LOCATION_FLAGS } from '../rollouts/rollout-lookup.js';
import { REASON_FLAG } from './operations.command.js';

const OVERRIDES_PAGE_SIZE = 100;

export const freezeListCommand: Command = {
  path: ['freeze', 'list'],
  synopsis: '',
  summary: 'List the FreezeWindows of the organization: policy, reason, the period in effect now and the next one',
  flags: [],
  outputs: ['json', 'yaml', 'wide'],
  online: true,
  async run({ api, invocation, terminal, output, now }) {
    invocation.atMostPositionals(0);
    const { freezeWindows } = await api().request<{ freezeWindows: FreezeWindowRow[] }>(FREEZE_WINDOWS);
    if (printedStructured(terminal, output, freezeWindows)) return ExitCode.Ok;
    if (freezeWindows.length === 0) {
      terminal.out('No FreezeWindows yet: apply one with "flotilla apply -f freeze.yaml".\n');
      return ExitCode.Ok;
    }
    terminal.out(renderFreezeList(freezeWindows, now(), terminal.style, output === 'wide'));
    return ExitCode.Ok;
  },
};

export const freezeGetCommand: Command = {
  path: ['freeze', 'get'],
  synopsis: 'NAME',
  summary: 'Show one FreezeWindow: its schedule or dates, what it covers, and its current and next period',
  flags: [],
  outputs: ['json', 'yaml'],
  online: true,
  async run({ api, invocation, terminal, output, now }) {
    const name = invocation.positional(0, 'the FreezeWindow NAME');
    invocation.atMostPositionals(1);
    const { freezeWindow } = await api().request<{ freezeWindow: FreezeWindowRow | null }>(FREEZE_WINDOW, { name });
    if (freezeWindow === null) throw new CliError(ExitCode.NotFound, `freeze/not_found: no FreezeWindow named ${name}`);
    if (printedStructured(terminal, output, freezeWindow)) return ExitCode.Ok;
    terminal.out(renderFreezeWindow(freezeWindow, now(), terminal.style));
    return ExitCode.Ok;
  },
};

/** What `break-glass` asks for, as its flags say: a rollout by name (found as other commands find it) or a FleetRollout. */
export interface BreakGlassArguments {
  target: { rolloutName: string } | { fleetRollout: string };
  reason: string;
  durationSeconds: number;
}

/**
 * Reads and checks `break-glass`'s flags before anything is asked of the API.
 * @example breakGlassArguments(['--fleet', 'checkout', '--reason', 'hotfix', '--duration', '2h'])
 * // => { target: { fleetRollout: 'checkout' }, reason: 'hotfix', durationSeconds: 7200 }
 */
export function breakGlassArguments(invocation: Invocation): BreakGlassArguments {
  invocation.atMostPositionals(0);
  const rollout = invocation.string('rollout');
  const fleet = invocation.string('fleet');
  if ((rollout === undefined) === (fleet === undefined))
    throw usageError('break-glass takes exactly one of --rollout NAME and --fleet NAME');
  if (fleet !== undefined && (invocation.string('cluster') !== undefined || invocation.string('namespace') !== undefined))
    throw usageError('--cluster and --namespace name a rollout: --fleet takes neither');
  const reason = invocation.string('reason');
  if (reason === undefined || reason.trim() === '') throw usageError('break-glass needs --reason: say why freezes are overridden');
  const duration = invocation.string('duration');
  if (duration === undefined) throw usageError('break-glass needs --duration, such as 30m or 2h');
  return {
    target: fleet === undefined ? { rolloutName: rollout as string } : { fleetRollout: fleet },
    reason,
    durationSeconds: breakGlassSeconds(duration),
  };
}

/** The override's target as the API takes it: the rollout named, with --cluster and --namespace as needed. */
async function breakGlassTarget(context: CommandContext, target: BreakGlassArguments['target']): Promise<BreakGlassTarget> {
  return 'fleetRollout' in target ? target : { rollout: await resolveRolloutRef(context, target.rolloutName) };
}

function printOverride(context: CommandContext, override: BreakGlassOverride): ExitCode {
  const { terminal, output } = context;
  if (!printedStructured(terminal, output, override)) terminal.out(`${overrideLine(override, context.now(), terminal.style)}\n`);
  return ExitCode.Ok;
}

export const breakGlassCommand: Command = {
  path: ['break-glass'],
  synopsis: '(--rollout NAME [--cluster CLUSTER] [--namespace NAMESPACE] | --fleet NAME) --reason TEXT --duration DURATION',
  summary: 'Override freezes for one rollout or the active release of one FleetRollout, for a while (admin)',
  details: [
    'While the override is in effect, operations that a freeze refuses (set image, promote, retry, resume, fleet release,',
    'approve, promote) are allowed for its target, and each is marked with the override in the audit. It expires by',
    'itself after --duration (1m to 24h). When the organization asks for a second admin, it takes effect only once',
    'another admin runs "flotilla break-glass confirm ID".',
  ],
  flags: [
    { name: 'rollout', kind: 'string', valueName: 'NAME', description: 'the rollout to override freezes for' },
    ...ROLLOUT_LOCATION_FLAGS,
    { name: 'fleet', kind: 'string', valueName: 'NAME', description: 'the FleetRollout whose active release to override freezes for' },
    { ...REASON_FLAG, description: 'why, kept in the audit record (required)' },
    { name: 'duration', kind: 'string', valueName: 'DURATION', description: 'how long it lasts once in effect, such as 30m or 2h' },
  ],
  outputs: ['json', 'yaml'],
  online: true,
  async run(context) {
    const { reason, durationSeconds, ...asked } = breakGlassArguments(context.invocation);
    const target = await breakGlassTarget(context, asked.target);
    const { override } = await context.api().request<{ override: BreakGlassOverride }>(BREAK_GLASS, { target, reason, durationSeconds });
    return printOverride(context, override);
  },
};

export const breakGlassListCommand: Command = {
  path: ['break-glass', 'list'],
  synopsis: '',
  summary: 'List break-glass overrides: active first, then newest first',
  flags: [],
  outputs: ['json', 'yaml', 'wide'],
  online: true,
  async run({ api, invocation, terminal, output, now }) {
    invocation.atMostPositionals(0);
    const { breakGlassOverrides } = await api().request<{ breakGlassOverrides: BreakGlassOverridePage }>(BREAK_GLASS_OVERRIDES, {
      page: { first: OVERRIDES_PAGE_SIZE },
    });
    const overrides = breakGlassOverrides.nodes;
    if (printedStructured(terminal, output, overrides)) return ExitCode.Ok;
    if (overrides.length === 0) {
      terminal.out('No break-glass overrides.\n');
      return ExitCode.Ok;
    }
    terminal.out(renderOverrides(overrides, now(), terminal.style, output === 'wide'));
    if (breakGlassOverrides.pageInfo.hasNextPage) terminal.out(`(the newest ${OVERRIDES_PAGE_SIZE}; -o json for the same)\n`);
    return ExitCode.Ok;
  },
};

export const breakGlassConfirmCommand: Command = {
  path: ['break-glass', 'confirm'],
  synopsis: 'ID',
  summary: "Confirm another admin's pending override: it takes effect now, for its duration (admin)",
  flags: [],
  outputs: ['json', 'yaml'],
  online: true,
  async run(context) {
    const id = context.invocation.positional(0, 'the override ID');
    context.invocation.atMostPositionals(1);
    const { override } = await context.api().request<{ override: BreakGlassOverride }>(CONFIRM_BREAK_GLASS, { id });
    return printOverride(context, override);
  },
};

export const breakGlassRevokeCommand: Command = {
  path: ['break-glass', 'revoke'],
  synopsis: 'ID [--reason TEXT]',
  summary: 'End an override, pending or in effect, before its time (admin)',
  flags: [REASON_FLAG],
  outputs: ['json', 'yaml'],
  online: true,
  async run(context) {
    const id = context.invocation.positional(0, 'the override ID');
    context.invocation.atMostPositionals(1);
    const { override } = await context.api().request<{ override: BreakGlassOverride }>(REVOKE_BREAK_GLASS, {
      id,
      reason: context.invocation.string('reason') ?? null,
    });
    return printOverride(context, override);
  },
};

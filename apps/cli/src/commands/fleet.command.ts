import { followChanges, type ChangeFeed } from '../api/follow-changes.js';
import {
  FLEET_PLAN,
  FLEET_RELEASE_CHANGED,
  FLEET_RELEASES,
  FLEET_ROLLOUTS,
  FLEET_TREE,
  type FleetPlan,
  type FleetReleasePage,
  type FleetReleaseSummary,
  type FleetRolloutRow,
  type FleetTreeData,
} from '../api/fleet-queries.js';
import { ROLLOUT_CHANGED } from '../api/queries.js';
import { ExitCode } from '../cli/cli-error.js';
import type { Command, CommandContext } from '../cli/command.js';
import { describeChange, renderFleetTree } from '../fleet/fleet-tree.js';
import { foundFleetRollout, foundRelease } from '../fleet/wait-for-release.js';
import { framePrinter } from '../output/frames.js';
import { printedStructured } from '../output/structured.js';
import { formatTable } from '../output/table.js';
import { age } from '../output/time.js';
import { phaseText } from '../rollouts/phase.js';
import { TIMEOUT_FLAG, timeoutMs } from './duration-flag.js';
import { WATCH_FLAG, WATCH_POLL_MS, WATCH_TICK_MS } from './get.command.js';
import { revisionDuration } from './history.command.js';

const HISTORY_PAGE_SIZE = 100;

export const fleetListCommand: Command = {
  path: ['fleet', 'list'],
  synopsis: '',
  summary: 'List the FleetRollouts of the organization with their current release',
  flags: [],
  outputs: ['json', 'yaml', 'wide'],
  online: true,
  async run({ api, invocation, terminal, output, now }) {
    invocation.atMostPositionals(0);
    const { fleetRollouts } = await api().request<{ fleetRollouts: FleetRolloutRow[] }>(FLEET_ROLLOUTS);
    if (printedStructured(terminal, output, fleetRollouts)) return ExitCode.Ok;
    if (fleetRollouts.length === 0) {
      terminal.out('No FleetRollouts yet: apply one with "flotilla apply -f fleet.yaml".\n');
      return ExitCode.Ok;
    }
    const wide = output === 'wide';
    const headers = [
      'NAME',
      'ROLLOUT',
      'WAVES',
      'POLICY',
      'RELEASE',
      'PHASE',
      ...(wide ? ['GENERATION', 'APPLIED BY', 'AGE', 'MESSAGE'] : []),
    ];
    const rows = fleetRollouts.map((fleet) => [
      fleet.name,
      `${fleet.rolloutNamespace}/${fleet.rolloutName}`,
      fleet.waves.map((wave) => wave.name).join(','),
      fleet.failurePolicy,
      fleet.currentRelease === null ? '-' : String(fleet.currentRelease.number),
      fleet.currentRelease === null ? '-' : phaseText(fleet.currentRelease.phase, terminal.style),
      ...(wide ? [String(fleet.generation), fleet.appliedBy, age(fleet.createdAt, now()), fleet.currentRelease?.message ?? ''] : []),
    ]);
    terminal.out(formatTable(headers, rows));
    return ExitCode.Ok;
  },
};

export const fleetPlanCommand: Command = {
  path: ['fleet', 'plan'],
  synopsis: 'NAME',
  summary: 'Show which cluster falls in which wave of a FleetRollout now, and the clusters no wave takes',
  details: ["The plan follows the clusters' labels as they are now; a release freezes its members when it starts."],
  flags: [],
  outputs: ['json', 'yaml'],
  online: true,
  async run({ api, invocation, terminal, output }) {
    const name = invocation.positional(0, 'the FleetRollout NAME');
    invocation.atMostPositionals(1);
    const { fleetPlan } = await api().request<{ fleetPlan: FleetPlan }>(FLEET_PLAN, { name });
    if (printedStructured(terminal, output, fleetPlan)) return ExitCode.Ok;
    const rows = fleetPlan.waves.map((wave) => [wave.wave, wave.clusters.join(',') || '<none>']);
    terminal.out(formatTable(['WAVE', 'CLUSTERS'], rows));
    terminal.out(
      fleetPlan.unassigned.length === 0 ? 'Every selected cluster is in a wave.\n' : `Unassigned: ${fleetPlan.unassigned.join(', ')}\n`,
    );
    return ExitCode.Ok;
  },
};

function readFleetTree(context: CommandContext, name: string, number: number | null): Promise<FleetTreeData> {
  return context.api().request<FleetTreeData>(FLEET_TREE, { name, number });
}

/**
 * Redraws the release on each change of a release of the FleetRollout and of its members' Rollouts, as
 * `get rollout --watch` does; without a release yet, says so until one starts.
 */
async function watchFleetTree(
  context: CommandContext,
  name: string,
  number: number | null,
  fleetRollout: NonNullable<FleetTreeData['fleetRollout']>,
  first: FleetTreeData,
): Promise<ExitCode> {
  const { terminal, now } = context;
  const print = framePrinter(terminal);
  let latest = first;
  const draw = (): void => {
    const { fleetRelease } = latest;
    print(
      fleetRelease === null
        ? `FleetRollout ${name} has no release${number === null ? ' yet' : ` ${number}`}: waiting for one.\n`
        : renderFleetTree(latest, fleetRelease, now(), terminal.style),
    );
  };
  const changes: ChangeFeed[] = [
    { document: FLEET_RELEASE_CHANGED, variables: { name } },
    { document: ROLLOUT_CHANGED, variables: { namespace: fleetRollout.rolloutNamespace, name: fleetRollout.rolloutName } },
  ];
  const limit = timeoutMs(context.invocation);
  await followChanges({
    api: context.api(),
    changes,
    read: () => readFleetTree(context, name, number),
    onReading: (data) => {
      foundFleetRollout(name, data.fleetRollout);
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

export const fleetGetCommand: Command = {
  path: ['fleet', 'get'],
  synopsis: 'NAME [--release N] [--watch [--timeout DURATION]]',
  summary: 'Show a fleet release as a tree of its waves, gates and members; --watch follows it live',
  details: [
    'Without --release, the current release: the active one, else the newest. Each member shows its Rollout now:',
    'phase, step and canary weight. With --watch the tree is redrawn on every change until Ctrl-C (or --timeout).',
  ],
  flags: [
    { name: 'release', kind: 'string', valueName: 'N', description: 'the release number (default: the current release)' },
    WATCH_FLAG,
    TIMEOUT_FLAG,
  ],
  outputs: ['json', 'yaml'],
  online: true,
  async run(context) {
    const { invocation, terminal, output } = context;
    const name = invocation.positional(0, 'the FleetRollout NAME');
    invocation.atMostPositionals(1);
    const number = invocation.integer('release', 1) ?? null;
    const data = await readFleetTree(context, name, number);
    if (invocation.boolean('watch')) return watchFleetTree(context, name, number, foundFleetRollout(name, data.fleetRollout), data);
    const release = foundRelease(name, number, data);
    if (printedStructured(terminal, output, data)) return ExitCode.Ok;
    terminal.out(renderFleetTree(data, release, context.now(), terminal.style));
    return ExitCode.Ok;
  },
};

/** Every release of a FleetRollout, newest first, reading page after page. */
async function allReleases(context: CommandContext, name: string): Promise<FleetReleaseSummary[]> {
  const releases: FleetReleaseSummary[] = [];
  let after: string | null = null;
  do {
    const page: { fleetReleases: FleetReleasePage } = await context.api().request(FLEET_RELEASES, {
      name,
      page: { first: HISTORY_PAGE_SIZE, after },
    });
    releases.push(...page.fleetReleases.nodes);
    after = page.fleetReleases.pageInfo.hasNextPage ? page.fleetReleases.pageInfo.endCursor : null;
  } while (after !== null);
  return releases;
}

export const fleetHistoryCommand: Command = {
  path: ['fleet', 'history'],
  synopsis: 'NAME',
  summary: 'Show the releases of a FleetRollout, newest first: change, who, when, duration and outcome',
  flags: [],
  outputs: ['json', 'yaml', 'wide'],
  online: true,
  async run(context) {
    const { invocation, terminal, output, now } = context;
    const name = invocation.positional(0, 'the FleetRollout NAME');
    invocation.atMostPositionals(1);
    const releases = await allReleases(context, name);
    if (printedStructured(terminal, output, releases)) return ExitCode.Ok;
    if (releases.length === 0) {
      terminal.out(`No releases of ${name} yet.\n`);
      return ExitCode.Ok;
    }
    const wide = output === 'wide';
    const headers = ['RELEASE', 'PHASE', 'CHANGE', 'BY', 'STARTED', 'DURATION', 'MESSAGE', ...(wide ? ['REASON', 'STARTED AT'] : [])];
    const rows = releases.map((release) => [
      String(release.number),
      phaseText(release.phase, terminal.style),
      describeChange(release.change),
      release.startedBy,
      `${age(release.startedAt, now())} ago`,
      revisionDuration(release, now()),
      release.supersededBy === null
        ? release.message
        : `superseded by ${release.supersededBy}${release.message ? `: ${release.message}` : ''}`,
      ...(wide ? [release.reason ?? '', release.startedAt] : []),
    ]);
    terminal.out(formatTable(headers, rows));
    return ExitCode.Ok;
  },
};

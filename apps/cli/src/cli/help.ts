import type { FlagSpec } from './arguments.js';
import type { Command } from './command.js';

export const PROGRAM = 'flotilla';

export const EXIT_CODE_HELP = [
  'Exit codes:',
  '  0  success',
  '  1  failure, or problems found (apply, lint)',
  '  2  usage error',
  '  3  not found (rollout, cluster, revision, FleetRollout, fleet release)',
  '  4  authentication or permission refused',
  '  5  status: the rollout is Degraded, or --timeout passed; fleet status, fleet release --wait: the release is',
  '     Halted, Aborted, RolledBack or Superseded, or --timeout passed',
  '  6  audit verify: the audit chain is broken, or does not match the checkpoint',
];

const CONNECTION_HELP = [
  'The API and its token come from --server/--token, else FLOTILLA_SERVER/FLOTILLA_TOKEN, else the config file',
  '(~/.config/flotilla/config.yaml, or FLOTILLA_CONFIG, with server, token or tokenFile), else the local demo:',
  'http://127.0.0.1:3000 and .flotilla/token in the working directory or a parent.',
];

function flagLine(flag: FlagSpec): [string, string] {
  const value = flag.kind === 'string' ? ` ${flag.valueName ?? 'VALUE'}` : '';
  const names = `${flag.short ? `-${flag.short}, ` : '    '}--${flag.name}${value}`;
  return [names, `${flag.description}${flag.repeatable ? ' (repeatable)' : ''}`];
}

function columns(rows: readonly [string, string][]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

export function commandName(command: Command): string {
  return command.path.join(' ');
}

/**
 * The arguments the overview shows of a synopsis: up to its first optional flag, choice of flags or long flag.
 * @example overviewSynopsis('NAME (--image CONTAINER=IMAGE | --template-file FILE) [--wait]') === 'NAME'
 */
export function overviewSynopsis(synopsis: string): string {
  return synopsis.split(/\s*\[-|\s*\(-|\s+--/)[0] ?? '';
}

/** The overview printed by `flotilla --help`. */
export function programHelp(commands: readonly Command[], globalFlags: readonly FlagSpec[]): string {
  return [
    `${PROGRAM}: operate progressive releases of every cluster from a terminal`,
    '',
    `Usage: ${PROGRAM} [global flags] COMMAND [arguments] [flags]`,
    '',
    'Commands:',
    ...columns(commands.map((command) => [`${commandName(command)} ${overviewSynopsis(command.synopsis)}`.trimEnd(), command.summary])),
    '',
    'Global flags:',
    ...columns(globalFlags.map(flagLine)),
    '',
    ...CONNECTION_HELP,
    'Colours are used only on a terminal and never when NO_COLOR is set.',
    '',
    ...EXIT_CODE_HELP,
    '',
    `Run "${PROGRAM} COMMAND --help" for a command's flags.`,
    '',
  ].join('\n');
}

/** The help of one command, printed by `flotilla COMMAND --help`. */
export function commandHelp(command: Command, globalFlags: readonly FlagSpec[]): string {
  const globals = globalFlags.filter((flag) =>
    flag.name === 'output' ? command.outputs !== undefined : flag.name === 'help' || command.online,
  );
  const output = command.outputs === undefined ? [] : [`Output formats (-o): ${command.outputs.join(', ')}.`, ''];
  return [
    `Usage: ${PROGRAM} ${commandName(command)} ${command.synopsis}`.trimEnd(),
    '',
    command.summary,
    ...(command.details === undefined ? [] : ['', ...command.details]),
    '',
    ...(command.flags.length > 0 ? ['Flags:', ...columns(command.flags.map(flagLine)), ''] : []),
    'Global flags:',
    ...columns(globals.map(flagLine)),
    '',
    ...output,
    ...EXIT_CODE_HELP,
    '',
  ].join('\n');
}

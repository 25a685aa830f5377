import { ApiClient } from '../api/api-client.js';
import { resolveConnection } from '../config/connection.js';
import type { Terminal } from '../output/terminal.js';
import { parseArguments, type FlagSpec } from './arguments.js';
import { CliError, ExitCode } from './cli-error.js';
import { Invocation, type Command, type CommandContext, type OutputFormat } from './command.js';
import { commandHelp, commandName, PROGRAM, programHelp } from './help.js';

const OUTPUT_FORMATS: readonly OutputFormat[] = ['json', 'yaml', 'wide'];

export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: 'server', kind: 'string', valueName: 'URL', description: 'API base URL (default http://127.0.0.1:3000)' },
  { name: 'token', kind: 'string', valueName: 'TOKEN', description: 'API token' },
  { name: 'output', short: 'o', kind: 'string', valueName: 'FORMAT', description: 'json, yaml or wide, where the command has them' },
  { name: 'help', short: 'h', kind: 'boolean', description: 'show help' },
];

/** Everything a run of the program reads from its process, so that tests and main can supply it. */
export interface CliEnvironment {
  terminal: Terminal;
  environment: Readonly<Record<string, string | undefined>>;
  cwd: string;
  home: string;
  readStdin: () => Promise<string>;
  stopSignal: AbortSignal;
  now: () => Date;
}

/** The command named by the first words, the longest match winning (`clusters register` over `clusters`). */
function findCommand(commands: readonly Command[], words: readonly string[]): Command | undefined {
  let best: Command | undefined;
  for (const command of commands) {
    const matches = command.path.every((word, index) => words[index] === word);
    if (matches && command.path.length > (best?.path.length ?? 0)) best = command;
  }
  return best;
}

/** Global flags written before the command, such as `flotilla --server URL list rollouts`. */
function splitLeadingFlags(argv: readonly string[]): { leading: string[]; rest: string[] } {
  let index = 0;
  while (index < argv.length && (argv[index] as string).startsWith('-') && argv[index] !== '-') {
    const token = argv[index] as string;
    const takesValue = GLOBAL_FLAGS.some(
      (flag) => flag.kind === 'string' && (token === `--${flag.name}` || (flag.short !== undefined && token === `-${flag.short}`)),
    );
    index += takesValue ? 2 : 1;
  }
  return { leading: argv.slice(0, index), rest: argv.slice(index) };
}

function outputFormat(command: Command, requested: string | undefined): OutputFormat | undefined {
  if (requested === undefined) return undefined;
  const allowed = command.outputs ?? [];
  if (!OUTPUT_FORMATS.includes(requested as OutputFormat) || !allowed.includes(requested as OutputFormat)) {
    const accepted = allowed.length > 0 ? `: use ${allowed.join(', ')}` : '';
    throw new CliError(ExitCode.Usage, `${commandName(command)} does not print -o ${requested}${accepted}`);
  }
  return requested as OutputFormat;
}

function printError(terminal: Terminal, error: CliError, command: Command | undefined): void {
  const lines = [`error: ${error.message}`, ...error.details.map((detail) => `  ${detail}`)];
  if (error.exitCode === ExitCode.Usage) lines.push(`Run "${PROGRAM} ${command ? `${commandName(command)} ` : ''}--help" for usage.`);
  terminal.err(`${lines.join('\n')}\n`);
}

async function dispatch(
  commands: readonly Command[],
  argv: readonly string[],
  cli: CliEnvironment,
  found: { command?: Command },
): Promise<ExitCode> {
  const { leading, rest } = splitLeadingFlags(argv);
  const leadingFlags = parseArguments(leading, GLOBAL_FLAGS);
  const wantsHelp = leadingFlags.booleans.has('help');
  if (rest[0] === 'help') return dispatch(commands, [...rest.slice(1), '--help'], cli, found);
  if (rest.length === 0) {
    if (wantsHelp) {
      cli.terminal.out(programHelp(commands, GLOBAL_FLAGS));
      return ExitCode.Ok;
    }
    cli.terminal.err(programHelp(commands, GLOBAL_FLAGS));
    return ExitCode.Usage;
  }
  const command = findCommand(commands, rest);
  if (command === undefined)
    throw new CliError(
      ExitCode.Usage,
      `unknown command "${rest
        .filter((word) => !word.startsWith('-'))
        .slice(0, 2)
        .join(' ')}"`,
    );
  found.command = command;
  const parsed = parseArguments([...leading, ...rest.slice(command.path.length)], [...command.flags, ...GLOBAL_FLAGS]);
  if (parsed.booleans.has('help')) {
    cli.terminal.out(commandHelp(command, GLOBAL_FLAGS));
    return ExitCode.Ok;
  }
  const invocation = new Invocation(commandName(command), parsed);
  const output = outputFormat(command, invocation.string('output'));
  let api: ApiClient | undefined;
  const context: CommandContext = {
    invocation,
    terminal: cli.terminal,
    output,
    cwd: cli.cwd,
    api: () => {
      const server = invocation.string('server');
      const token = invocation.string('token');
      api ??= new ApiClient(
        resolveConnection({
          flags: { ...(server === undefined ? {} : { server }), ...(token === undefined ? {} : { token }) },
          environment: cli.environment,
          cwd: cli.cwd,
          home: cli.home,
        }),
      );
      return api;
    },
    readStdin: cli.readStdin,
    now: cli.now,
    stopSignal: cli.stopSignal,
  };
  return command.run(context);
}

/** Runs one command line and returns its exit code; every failure is printed to stderr, never thrown. */
export async function runCli(commands: readonly Command[], argv: readonly string[], cli: CliEnvironment): Promise<ExitCode> {
  const found: { command?: Command } = {};
  try {
    return await dispatch(commands, argv, cli, found);
  } catch (error) {
    if (error instanceof CliError) {
      printError(cli.terminal, error, found.command);
      return error.exitCode;
    }
    cli.terminal.err(`error: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return ExitCode.Failure;
  }
}

import { ApiClient } from '../api/api-client.js';
import { configFilePath, resolveConnection } from '../config/connection.js';
import { currentContext } from '../config/contexts.js';
import { printableLine, printableLines } from '../output/printable.js';
import type { Terminal } from '../output/terminal.js';
import { CliError, ExitCode } from './cli-error.js';
import type { Command, CommandContext, Invocation, OutputFormat } from './command.js';
import { commandName, PROGRAM } from './help.js';
import { cliVersion } from './version.js';
import { booleanFlagNames, buildProgram, normalizedTokens } from './program.js';

const OUTPUT_FORMATS: readonly OutputFormat[] = ['json', 'yaml', 'wide'];

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
  if (error.message === '') return;
  const lines = [`error: ${printableLine(error.message)}`, ...error.details.map((detail) => `  ${printableLine(detail)}`)];
  const helpCommand = error.helpCommand ?? (command ? commandName(command) : '');
  if (error.exitCode === ExitCode.Usage) lines.push(`Run "${[PROGRAM, helpCommand, '--help'].filter(Boolean).join(' ')}" for usage.`);
  terminal.err(`${lines.join('\n')}\n`);
}

/**
 * The terminal of a run: whatever goes to stderr (errors with the API's messages, progress lines under `-o`) has its
 * control characters shown, since the CLI colours nothing there.
 */
const runTerminal = (terminal: Terminal): Terminal => ({ ...terminal, err: (text) => terminal.err(printableLines(text)) });

function commandContext(invocation: Invocation, output: OutputFormat | undefined, cli: CliEnvironment): CommandContext {
  let api: ApiClient | undefined;
  const configPath = configFilePath(cli);
  return {
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
        output === 'json' || output === 'yaml' ? 'as-sent' : 'printable',
      );
      return api;
    },
    readStdin: cli.readStdin,
    environment: cli.environment,
    configPath,
    currentContext: () => currentContext(configPath),
    now: cli.now,
    stopSignal: cli.stopSignal,
  };
}

/** Runs one command line and returns its exit code; every failure is printed to stderr, never thrown. */
export async function runCli(commands: readonly Command[], argv: readonly string[], given: CliEnvironment): Promise<ExitCode> {
  const cli = { ...given, terminal: runTerminal(given.terminal) };
  let found: Command | undefined;
  let exitCode: ExitCode = ExitCode.Ok;
  const program = buildProgram(
    commands,
    {
      run: async (command, invocation) => {
        found = command;
        exitCode = await command.run(commandContext(invocation, outputFormat(command, invocation.string('output')), cli));
      },
      out: (text) => cli.terminal.out(text),
      err: (text) => cli.terminal.err(text),
    },
    cliVersion(),
  );
  try {
    await program.parseAsync(normalizedTokens(argv, booleanFlagNames(commands)), { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CliError) {
      printError(cli.terminal, error, found);
      return error.exitCode;
    }
    cli.terminal.err(`error: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return ExitCode.Failure;
  }
}

import { Command as CommanderCommand, CommanderError, Help, Option } from 'commander';
import { CliError, ExitCode, usageError } from './cli-error.js';
import { Invocation, type Command, type ParsedArguments } from './command.js';
import type { FlagSpec } from './flags.js';
import { commandName, CONNECTION_HELP, EXIT_CODE_HELP, overviewSynopsis, PROGRAM } from './help.js';

export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: 'server', kind: 'string', valueName: 'URL', description: 'API base URL (default http://127.0.0.1:3000)' },
  { name: 'token', kind: 'string', valueName: 'TOKEN', description: 'API token' },
  { name: 'output', short: 'o', kind: 'string', valueName: 'FORMAT', description: 'json, yaml or wide, where the command has them' },
];

/** What the program does with a command line once it is parsed, and where it prints help. */
export interface ProgramHandlers {
  run(command: Command, invocation: Invocation): Promise<void>;
  out(text: string): void;
  err(text: string): void;
}

/** Help from commander's generator, with every runnable command listed under its full path. */
class FlotillaHelp extends Help {
  constructor(private readonly descriptors: ReadonlyMap<CommanderCommand, Command>) {
    super();
    this.showGlobalOptions = true;
  }

  override visibleCommands(command: CommanderCommand): CommanderCommand[] {
    const runnable: CommanderCommand[] = [];
    const visit = (parent: CommanderCommand): void => {
      for (const child of parent.commands) {
        if (this.descriptors.has(child)) runnable.push(child);
        visit(child);
      }
    };
    visit(command);
    return runnable;
  }

  override subcommandTerm(command: CommanderCommand): string {
    const descriptor = this.descriptors.get(command);
    return descriptor === undefined ? command.name() : `${commandName(descriptor)} ${overviewSynopsis(descriptor.synopsis)}`.trimEnd();
  }

  override subcommandDescription(command: CommanderCommand): string {
    const aliases = this.descriptors.get(command)?.aliases ?? [];
    return `${command.description()}${aliases.length > 0 ? ` (also: ${aliases.join(', ')})` : ''}`;
  }
}

function flagTerm(flag: FlagSpec): string {
  const value = flag.kind === 'string' ? ` <${flag.valueName ?? 'VALUE'}>` : '';
  return `${flag.short ? `-${flag.short}, ` : ''}--${flag.name}${value}`;
}

/** The options of one flag: a boolean also gets a hidden `--no-NAME`, which `--NAME=false` is read as. */
function optionsFor(flag: FlagSpec): Option[] {
  const option = new Option(flagTerm(flag), `${flag.description}${flag.repeatable ? ' (repeatable)' : ''}`);
  if (flag.kind === 'boolean') return [option, new Option(`--no-${flag.name}`).hideHelp()];
  option.argParser((value: string, previous: string[] | undefined) => {
    if (previous !== undefined && !flag.repeatable) throw usageError(`--${flag.name} may be given only once`);
    return [...(previous ?? []), value];
  });
  return [option];
}

function addFlags(command: CommanderCommand, flags: readonly FlagSpec[]): void {
  for (const flag of flags) for (const option of optionsFor(flag)) command.addOption(option);
}

/** The parsed flags of a command, by long name, from commander's values. */
function parsedArguments(positionals: string[], flags: readonly FlagSpec[], values: Record<string, unknown>): ParsedArguments {
  const parsed: ParsedArguments = { positionals, values: new Map(), booleans: new Set(), negated: new Set() };
  for (const flag of flags) {
    const value = values[new Option(`--${flag.name}`).attributeName()];
    if (flag.kind === 'boolean' && value === true) parsed.booleans.add(flag.name);
    if (flag.kind === 'boolean' && value === false) parsed.negated.add(flag.name);
    if (flag.kind === 'string' && Array.isArray(value)) parsed.values.set(flag.name, value as string[]);
  }
  return parsed;
}

const quotedName = (message: string): string => /'([^']*)'/.exec(message)?.[1] ?? '';

/** Commander's parse errors as usage errors in the program's own words, naming the command they concern. */
function translated(error: CommanderError, words: readonly string[]): CliError {
  const where = words.join(' ');
  const refused = (message: string): CliError => new CliError(ExitCode.Usage, message, [], where);
  switch (error.code) {
    case 'commander.helpDisplayed':
    case 'commander.version':
      return new CliError(ExitCode.Ok, '');
    case 'commander.help':
      return new CliError(error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage, '');
    case 'commander.unknownOption':
      return refused(`unknown flag ${quotedName(error.message)}${where ? ` for ${where}` : ''}`);
    case 'commander.unknownCommand':
      return refused(`unknown command "${[...words, quotedName(error.message)].join(' ')}"`);
    case 'commander.optionMissingArgument': {
      const [, flag, valueName] = /(--[\w-]+) <([^>]+)>/.exec(error.message) ?? [];
      return refused(`${flag ?? 'a flag'} needs a value${valueName ? ` (${valueName})` : ''}`);
    }
    default:
      return refused(error.message.replace(/^error: /, ''));
  }
}

const BOOLEAN_VALUE = /^--([\w-]+)=(true|false)$/;
const SHORT_WITH_EQUALS = /^-(\w)=(.*)$/s;

/** kubectl's spellings commander does not read: `--watch=false` as `--no-watch`, `-n=shop` as `-n shop`. */
export function normalizedTokens(tokens: readonly string[], booleanFlags: ReadonlySet<string>): string[] {
  const end = tokens.indexOf('--');
  const flags = end < 0 ? tokens : tokens.slice(0, end);
  const rest = end < 0 ? [] : tokens.slice(end);
  return [
    ...flags.flatMap((token) => {
      const boolean = BOOLEAN_VALUE.exec(token);
      if (boolean?.[1] !== undefined && booleanFlags.has(boolean[1]))
        return [boolean[2] === 'true' ? `--${boolean[1]}` : `--no-${boolean[1]}`];
      const short = SHORT_WITH_EQUALS.exec(token);
      return short ? [`-${short[1]}`, short[2] as string] : [token];
    }),
    ...rest,
  ];
}

/** Builds the commander tree of every command: each path word a subcommand, aliases and flags declared on it. */
export function buildProgram(commands: readonly Command[], handlers: ProgramHandlers, version: string): CommanderCommand {
  const descriptors = new Map<CommanderCommand, Command>();
  class FlotillaCommand extends CommanderCommand {
    override createCommand(name?: string): FlotillaCommand {
      return new FlotillaCommand(name);
    }

    override createHelp(): Help {
      return new FlotillaHelp(descriptors);
    }
  }
  const root = new FlotillaCommand(PROGRAM)
    .usage('[global flags] COMMAND [arguments] [flags]')
    .description('operate progressive releases of every cluster from a terminal')
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ writeOut: (text) => handlers.out(text), writeErr: (text) => handlers.err(text), outputError: () => undefined })
    .helpOption('-h, --help', 'show help')
    .version(`${PROGRAM}: v${version}`, '--version', 'print the version')
    .helpCommand('help [COMMAND]', 'show the help of a command')
    .addHelpText(
      'after',
      ['', ...CONNECTION_HELP, 'Colours are used only on a terminal and never when NO_COLOR is set.', '', ...EXIT_CODE_HELP].join('\n'),
    )
    .exitOverride((error) => {
      throw translated(error, []);
    });
  addFlags(root, GLOBAL_FLAGS);

  const node = (words: readonly string[]): CommanderCommand => {
    let parent = root;
    for (const [index, word] of words.entries()) {
      const found = parent.commands.find((child) => child.name() === word);
      parent =
        found ??
        parent.command(word).exitOverride((error) => {
          throw translated(error, words.slice(0, index + 1));
        });
    }
    return parent;
  };

  for (const command of commands) {
    const target = node(command.path);
    descriptors.set(target, command);
    target
      .aliases(command.aliases ?? [])
      .usage(command.synopsis)
      .description(command.summary)
      .argument('[arguments...]')
      .addHelpText('after', commandHelpTail(command))
      .action(async (positionals: string[], _options: unknown, self: CommanderCommand) => {
        const flags = [...command.flags, ...GLOBAL_FLAGS];
        await handlers.run(command, new Invocation(commandName(command), parsedArguments(positionals, flags, self.optsWithGlobals())));
      });
    addFlags(target, command.flags);
  }
  return root;
}

function commandHelpTail(command: Command): string {
  const output = command.outputs === undefined ? [] : [`Output formats (-o): ${command.outputs.join(', ')}.`, ''];
  return ['', ...(command.details ?? []), ...(command.details ? [''] : []), ...output, ...EXIT_CODE_HELP].join('\n');
}

/** Every boolean flag name of the commands, for {@link normalizedTokens}. */
export function booleanFlagNames(commands: readonly Command[]): Set<string> {
  return new Set(commands.flatMap((command) => command.flags).flatMap((flag) => (flag.kind === 'boolean' ? [flag.name] : [])));
}

/** Parses the flags and positionals of one command alone, as the program would: for tests of a command's arguments. */
export function parseInvocation(command: Command, tokens: readonly string[]): Invocation {
  let parsed: Invocation | undefined;
  const program = buildProgram(
    [command],
    {
      run: (_command, invocation) => {
        parsed = invocation;
        return Promise.resolve();
      },
      out: () => undefined,
      err: () => undefined,
    },
    '',
  );
  program.parse([...command.path, ...normalizedTokens(tokens, booleanFlagNames([command]))], { from: 'user' });
  if (parsed === undefined) throw new Error(`${commandName(command)} did not parse`);
  return parsed;
}

import type { ApiClient } from '../api/api-client.js';
import type { CliContext } from '../config/contexts.js';
import type { Terminal } from '../output/terminal.js';
import type { FlagSpec } from './flags.js';
import { usageError, type ExitCode } from './cli-error.js';

export type OutputFormat = 'json' | 'yaml' | 'wide';

/**
 * What the parser read from a command line: positionals, string flags by long name (every value of a repeatable one),
 * booleans set, and booleans turned off (`--watch=false`).
 */
export interface ParsedArguments {
  positionals: string[];
  values: Map<string, string[]>;
  booleans: Set<string>;
  negated: Set<string>;
}

/** The parsed command line of one command, with checked accessors. */
export class Invocation {
  constructor(
    readonly commandName: string,
    private readonly parsed: ParsedArguments,
  ) {}

  get positionals(): readonly string[] {
    return this.parsed.positionals;
  }

  /** The positional at `index`, or a usage error naming it. */
  positional(index: number, name: string): string {
    const value = this.parsed.positionals[index];
    if (value === undefined) throw usageError(`${this.commandName} needs ${name}`);
    return value;
  }

  /** Fails when more than `count` positionals were given. */
  atMostPositionals(count: number): void {
    const extra = this.parsed.positionals.slice(count);
    if (extra.length > 0) throw usageError(`${this.commandName} does not take ${extra.map((value) => `"${value}"`).join(' ')}`);
  }

  string(flag: string): string | undefined {
    return this.parsed.values.get(flag)?.at(-1);
  }

  strings(flag: string): string[] {
    return this.parsed.values.get(flag) ?? [];
  }

  boolean(flag: string): boolean {
    return this.parsed.booleans.has(flag);
  }

  /** A boolean flag that is on unless turned off with `--NAME=false` (or `--no-NAME`). */
  booleanOnByDefault(flag: string): boolean {
    return !this.parsed.negated.has(flag);
  }

  /** A whole-number flag of at least `minimum`. */
  integer(flag: string, minimum: number): number | undefined {
    const text = this.string(flag);
    if (text === undefined) return undefined;
    if (!/^-?\d+$/.test(text) || Number(text) < minimum)
      throw usageError(`--${flag} takes a whole number of at least ${minimum}, not "${text}"`);
    return Number(text);
  }
}

/** What a command can reach while it runs. */
export interface CommandContext {
  invocation: Invocation;
  terminal: Terminal;
  output: OutputFormat | undefined;
  cwd: string;
  /** The API client, created on first use from flags, environment, config file or the local demo. */
  api: () => ApiClient;
  readStdin: () => Promise<string>;
  /** The process environment, read-only. */
  environment: Readonly<Record<string, string | undefined>>;
  /** The user's config file, which holds the contexts. */
  configPath: string;
  /** The context chosen with `flotilla config use-context`, if any. */
  currentContext: () => CliContext | undefined;
  now: () => Date;
  /** Aborted on Ctrl-C or SIGTERM; long-running commands stop cleanly on it. */
  stopSignal: AbortSignal;
}

export interface Command {
  /** The words that name it, such as `['get', 'rollout']`. */
  path: readonly string[];
  /** Other words for its last word, such as `ro` for `rollout`. */
  aliases?: readonly string[];
  /** Argument synopsis after the path, such as `NAME [--watch]`. */
  synopsis: string;
  summary: string;
  /** Paragraphs shown by `--help` after the summary. */
  details?: readonly string[];
  flags: readonly FlagSpec[];
  /** The `-o` formats it honours; none means it prints text only. */
  outputs?: readonly OutputFormat[];
  /** Whether it calls the API (offline commands take no --server or --token). */
  online: boolean;
  run(context: CommandContext): Promise<ExitCode>;
}

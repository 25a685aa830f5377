/** Exit codes of every command, as documented in `flotilla --help`. */
export const ExitCode = {
  Ok: 0,
  Failure: 1,
  Usage: 2,
  NotFound: 3,
  Auth: 4,
  TimeoutOrDegraded: 5,
  AuditMismatch: 6,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the user can act on: its message, optional detail lines, and the exit code it ends with. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    readonly details: readonly string[] = [],
    /** The command whose help a usage error points to, when no command was reached to run. */
    readonly helpCommand?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string): CliError => new CliError(ExitCode.Usage, message);

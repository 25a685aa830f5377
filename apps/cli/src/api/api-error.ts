import { CliError, ExitCode } from '../cli/cli-error.js';

/** A problem with one field of a request, as the API reports it in `extensions.problems`. */
export interface ApiProblem {
  path: string;
  message: string;
  documentIndex?: number;
}

/** Names a document of an apply for the reader: `doc[1]` by default, `rollout.yaml:doc[0]` when files are known. */
export type DocumentLabel = (documentIndex: number) => string;

export const plainDocumentLabel: DocumentLabel = (documentIndex) => `doc[${documentIndex}]`;

/** Which exit code an API error code ends the command with. */
export function exitCodeOf(code: string): ExitCode {
  if (code.startsWith('auth/')) return ExitCode.Auth;
  if (code.endsWith('not_found')) return ExitCode.NotFound;
  return ExitCode.Failure;
}

/**
 * One readable line per problem, led by the error code.
 * @example
 * describeProblem('manifest/invalid', { documentIndex: 1, path: 'spec.replicas', message: 'must be at least 0' })
 * // => 'manifest/invalid: doc[1] spec.replicas: must be at least 0'
 */
export function describeProblem(code: string, problem: ApiProblem, label: DocumentLabel = plainDocumentLabel): string {
  const where = [problem.documentIndex === undefined ? undefined : label(problem.documentIndex), problem.path || undefined]
    .filter(Boolean)
    .join(' ');
  return `${code}: ${where ? `${where}: ` : ''}${problem.message}`;
}

/** An error answered by the API, with its stable code and field problems. */
export class ApiError extends CliError {
  constructor(
    readonly code: string,
    message: string,
    readonly problems: readonly ApiProblem[] = [],
    label: DocumentLabel = plainDocumentLabel,
  ) {
    super(
      exitCodeOf(code),
      `${code}: ${message}`,
      problems.map((problem) => describeProblem(code, problem, label)),
    );
    this.name = 'ApiError';
  }

  /** The same error with documents named by `label`, such as their file. */
  withDocumentLabels(label: DocumentLabel): ApiError {
    return new ApiError(this.code, this.message.slice(this.code.length + 2), this.problems, label);
  }
}

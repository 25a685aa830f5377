import { parseArgs } from 'node:util';
import { dns1123LabelProblem } from '@flotilla/argo-spec';

export const BOOTSTRAP_USAGE =
  'usage: node dist/bootstrap.js --organization NAME [--token-file PATH] [--new-token]\n' +
  '  --organization NAME  the organization to create, a DNS-1123 label (lowercase letters, digits and "-")\n' +
  '  --token-file PATH    where the admin token is written, mode 0600 (default: standard output)\n' +
  '  --new-token          issue another admin token even when the organization already has one\n';

/** What the operator asked the bootstrap command for. */
export interface BootstrapRequest {
  organization: string;
  /** Undefined writes the token to standard output. */
  tokenFile: string | undefined;
  newToken: boolean;
}

/** A command line the bootstrap command cannot act on; `message` names the option at fault. */
export class BootstrapUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BootstrapUsageError';
  }
}

/** Reads the bootstrap command's arguments (those after the script), naming the option at fault when they are wrong. */
export function parseBootstrapArguments(args: readonly string[]): BootstrapRequest {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        organization: { type: 'string' },
        'token-file': { type: 'string' },
        'new-token': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new BootstrapUsageError(error instanceof Error ? error.message : String(error));
  }
  const { organization, 'token-file': tokenFile, 'new-token': newToken } = parsed.values;
  if (organization === undefined) throw new BootstrapUsageError('--organization is required');
  const problem = dns1123LabelProblem(organization);
  if (problem !== undefined) throw new BootstrapUsageError(`--organization ${problem}`);
  if (tokenFile === '') throw new BootstrapUsageError('--token-file must name a file');
  return { organization, tokenFile, newToken: newToken === true };
}

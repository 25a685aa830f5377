import { parseGoDuration } from '@flotilla/argo-spec';
import type { FlagSpec } from '../cli/flags.js';
import { usageError } from '../cli/cli-error.js';
import type { Invocation } from '../cli/command.js';

export const TIMEOUT_FLAG: FlagSpec = {
  name: 'timeout',
  short: 't',
  kind: 'string',
  valueName: 'DURATION',
  description: 'give up after this long, such as 90s or 5m (0: never)',
};

/** Milliseconds of --timeout, `undefined` when absent or 0. */
export function timeoutMs(invocation: Invocation): number | undefined {
  const text = invocation.string('timeout');
  if (text === undefined) return undefined;
  const milliseconds = parseGoDuration(text);
  if (milliseconds === undefined || milliseconds < 0) throw usageError(`--timeout takes a duration such as 90s or 5m, not "${text}"`);
  return milliseconds === 0 ? undefined : milliseconds;
}

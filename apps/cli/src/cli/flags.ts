import { usageError } from './cli-error.js';

export interface FlagSpec {
  /** Long name without dashes, such as `namespace`. */
  name: string;
  /** One letter, used as `-n`. */
  short?: string;
  kind: 'string' | 'boolean';
  /** Whether the flag may be given more than once; its values are then kept in order. */
  repeatable?: boolean;
  /** Placeholder shown in help, such as `NAME`. */
  valueName?: string;
  description: string;
}

/**
 * Reads `key=value` pairs such as the values of `--label` and `-l`.
 * @example parsePairs(['env=prod', 'team=shop'], '--label') // => { env: 'prod', team: 'shop' }
 */
export function parsePairs(values: readonly string[], flag: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf('=');
    if (equals <= 0) throw usageError(`${flag} takes key=value, not "${value}"`);
    pairs[value.slice(0, equals)] = value.slice(equals + 1);
  }
  return pairs;
}

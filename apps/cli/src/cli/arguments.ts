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

export interface ParsedArguments {
  positionals: string[];
  /** String flags by long name; repeatable ones hold every value. */
  values: Map<string, string[]>;
  booleans: Set<string>;
}

function findFlag(flags: readonly FlagSpec[], token: string): { spec: FlagSpec; inlineValue: string | undefined } {
  const isLong = token.startsWith('--');
  const body = token.slice(isLong ? 2 : 1);
  const equals = body.indexOf('=');
  const key = equals < 0 ? body : body.slice(0, equals);
  const inlineValue = equals < 0 ? undefined : body.slice(equals + 1);
  const spec = flags.find((flag) => (isLong ? flag.name === key : flag.short === key));
  if (spec === undefined) throw usageError(`unknown flag ${isLong ? '--' : '-'}${key}`);
  return { spec, inlineValue };
}

function booleanValue(flag: FlagSpec, inlineValue: string | undefined): boolean {
  if (inlineValue === undefined || inlineValue === 'true') return true;
  if (inlineValue === 'false') return false;
  throw usageError(`--${flag.name} takes no value other than true or false, not "${inlineValue}"`);
}

const looksLikeFlag = (token: string): boolean => token.length > 1 && token.startsWith('-');

/**
 * Splits command-line tokens into positionals and flags: `--name value`, `--name=value`, `-n value`, `-n=value`,
 * booleans as `--watch` or `--watch=false`, `-` as a positional, and everything after `--` as positionals.
 * @example
 * parseArguments(['checkout', '-n', 'shop', '--watch'], flags)
 * // => { positionals: ['checkout'], values: Map { 'namespace' => ['shop'] }, booleans: Set { 'watch' } }
 */
export function parseArguments(tokens: readonly string[], flags: readonly FlagSpec[]): ParsedArguments {
  const parsed: ParsedArguments = { positionals: [], values: new Map(), booleans: new Set() };
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index] as string;
    if (token === '--') {
      parsed.positionals.push(...tokens.slice(index + 1));
      break;
    }
    if (!looksLikeFlag(token)) {
      parsed.positionals.push(token);
      continue;
    }
    const { spec, inlineValue } = findFlag(flags, token);
    if (spec.kind === 'boolean') {
      if (booleanValue(spec, inlineValue)) parsed.booleans.add(spec.name);
      else parsed.booleans.delete(spec.name);
      continue;
    }
    let value = inlineValue;
    if (value === undefined) {
      const next = tokens[index + 1];
      if (next === undefined || (looksLikeFlag(next) && next !== '-'))
        throw usageError(`--${spec.name} needs a value${spec.valueName ? ` (${spec.valueName})` : ''}`);
      value = next;
      index += 1;
    }
    const previous = parsed.values.get(spec.name);
    if (previous !== undefined && !spec.repeatable) throw usageError(`--${spec.name} may be given only once`);
    parsed.values.set(spec.name, [...(previous ?? []), value]);
  }
  return parsed;
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

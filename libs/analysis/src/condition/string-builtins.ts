import type { Builtin } from './builtins.js';
import { typeMismatch } from './evaluation-failure.js';
import { isConditionArray, typeName } from './values.js';

const UTF8 = new TextEncoder();

function text(name: string, value: unknown): string {
  if (typeof value !== 'string') throw typeMismatch(`${name}() expects string, got ${typeName(value)}`);
  return value;
}

function strings(name: string, count: number, run: (...values: string[]) => unknown): Builtin {
  return { parameters: count, apply: (values) => run(...values.map((value) => text(name, value))) };
}

/** Go's `strings.Index`: a byte offset into the UTF-8 text, -1 when absent. */
function byteIndex(haystack: string, at: number): bigint {
  return at < 0 ? -1n : BigInt(UTF8.encode(haystack.slice(0, at)).length);
}

/** Go's `strings.Trim(text, cutset)`: removes the cutset's characters from both ends. */
function trim(value: string, cutset: string | undefined): string {
  if (cutset === undefined) return value.trim();
  const cut = new Set(cutset);
  const characters = [...value];
  let start = 0;
  let end = characters.length;
  while (start < end && cut.has(characters[start] as string)) start += 1;
  while (end > start && cut.has(characters[end - 1] as string)) end -= 1;
  return characters.slice(start, end).join('');
}

/** expr-lang's string built-ins, with Go's `strings` semantics. */
export const STRING_BUILTINS: Readonly<Record<string, Builtin>> = {
  upper: strings('upper', 1, (value) => value.toUpperCase()),
  lower: strings('lower', 1, (value) => value.toLowerCase()),
  trim: {
    parameters: 1,
    maxParameters: 2,
    apply: ([value, cutset]) => trim(text('trim', value), cutset === undefined ? undefined : text('trim', cutset)),
  },
  trimPrefix: strings('trimPrefix', 2, (value, prefix) => (value.startsWith(prefix) ? value.slice(prefix.length) : value)),
  trimSuffix: strings('trimSuffix', 2, (value, suffix) =>
    suffix !== '' && value.endsWith(suffix) ? value.slice(0, -suffix.length) : value,
  ),
  hasPrefix: strings('hasPrefix', 2, (value, prefix) => value.startsWith(prefix)),
  hasSuffix: strings('hasSuffix', 2, (value, suffix) => value.endsWith(suffix)),
  split: strings('split', 2, (value, separator) => (separator === '' ? [...value] : value.split(separator))),
  replace: strings('replace', 3, (value, old, replacement) => value.replaceAll(old, replacement)),
  repeat: {
    parameters: 2,
    apply: ([value, count]) => {
      if (typeof count !== 'bigint' || count < 0n) throw typeMismatch(`repeat() expects a non-negative int, got ${typeName(count)}`);
      const repeated = text('repeat', value);
      if (BigInt(repeated.length) * count > 1_000_000n) throw typeMismatch('repeat() would build a string longer than 1000000 characters');
      return repeated.repeat(Number(count));
    },
  },
  indexOf: strings('indexOf', 2, (value, part) => byteIndex(value, value.indexOf(part))),
  lastIndexOf: strings('lastIndexOf', 2, (value, part) => byteIndex(value, value.lastIndexOf(part))),
  join: {
    parameters: 1,
    maxParameters: 2,
    apply: ([items, separator]) => {
      if (!isConditionArray(items)) throw typeMismatch(`join() expects an array, got ${typeName(items)}`);
      return items.map((item) => text('join', item)).join(separator === undefined ? '' : text('join', separator));
    },
  },
};

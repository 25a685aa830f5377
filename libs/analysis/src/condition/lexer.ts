import { argumentOfTag } from '../placeholders.js';

export type Token =
  | { type: 'number'; value: number | bigint; start: number }
  | { type: 'string'; value: string; start: number }
  | { type: 'name'; value: string; start: number }
  | { type: 'element'; start: number }
  | { type: 'placeholder'; argument: string; start: number }
  | { type: 'punctuation'; value: string; start: number }
  | { type: 'end'; start: number };

export type ParseFailureCode = 'syntax' | 'unknown-function';

/** A lexing or parsing failure at a character offset of the condition. */
export class ConditionParseFailure extends Error {
  override readonly name = 'ConditionParseFailure';

  constructor(
    readonly reason: string,
    readonly position: number,
    readonly code: ParseFailureCode = 'syntax',
  ) {
    super(`${reason} at position ${position}`);
  }
}

const TWO_CHARACTER_PUNCTUATION = new Set(['**', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '..']);
const ONE_CHARACTER_PUNCTUATION = new Set([...'+-*/%^<>!?:.,()[]{}|']);
const ESCAPES: ReadonlyMap<string, string> = new Map([
  ['n', '\n'],
  ['t', '\t'],
  ['r', '\r'],
  ['b', '\b'],
  ['f', '\f'],
  ['v', '\v'],
  ['0', '\0'],
  ['\\', '\\'],
  ["'", "'"],
  ['"', '"'],
]);
// Integers may be written in hex, octal or binary and with `_` between digits; `1..3` is a range, not `1.` `.3`.
const RADIX_INTEGER = /0(?:[xX][0-9a-fA-F_]+|[oO][0-7_]+|[bB][01_]+)/y;
const NUMBER = /(?:\d[\d_]*(?:\.(?!\.)\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const IDENTIFIER = /[A-Za-z_$][A-Za-z0-9_$]*/y;
const HEX_DIGITS = /^[0-9a-fA-F]+$/;

/** Splits a condition into tokens; throws {@link ConditionParseFailure} on a character it cannot read. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < source.length) {
    const character = source[position] as string;
    if (/\s/.test(character)) {
      position += 1;
      continue;
    }
    const start = position;
    if (source.startsWith('{{', position)) {
      const close = source.indexOf('}}', position + 2);
      if (close < 0) throw new ConditionParseFailure('unterminated placeholder', start);
      const argument = argumentOfTag(source.slice(position + 2, close));
      if (argument === undefined) throw new ConditionParseFailure('placeholder must have the form {{args.name}}', start);
      tokens.push({ type: 'placeholder', argument, start });
      position = close + 2;
      continue;
    }
    if (character === '"' || character === "'" || character === '`') {
      const { value, end } = readString(source, position);
      tokens.push({ type: 'string', value, start });
      position = end;
      continue;
    }
    const number = /[\d.]/.test(character) ? readNumber(source, position) : undefined;
    if (number) {
      tokens.push({ type: 'number', value: number.value, start });
      position += number.length;
      continue;
    }
    IDENTIFIER.lastIndex = position;
    const identifier = IDENTIFIER.exec(source);
    if (identifier) {
      tokens.push({ type: 'name', value: identifier[0], start });
      position += identifier[0].length;
      continue;
    }
    if (character === '#') {
      if (/[A-Za-z_]/.test(source[position + 1] ?? '')) throw new ConditionParseFailure('only # is supported as a closure variable', start);
      tokens.push({ type: 'element', start });
      position += 1;
      continue;
    }
    const pair = source.slice(position, position + 2);
    // `a ? .5 : b` is a ternary with a number, not optional chaining.
    if (TWO_CHARACTER_PUNCTUATION.has(pair) && !(pair === '?.' && /\d/.test(source[position + 2] ?? ''))) {
      tokens.push({ type: 'punctuation', value: pair, start });
      position += 2;
      continue;
    }
    if (ONE_CHARACTER_PUNCTUATION.has(character)) {
      tokens.push({ type: 'punctuation', value: character, start });
      position += 1;
      continue;
    }
    throw new ConditionParseFailure(`unexpected character ${JSON.stringify(character)}`, start);
  }
  tokens.push({ type: 'end', start: source.length });
  return tokens;
}

function readNumber(source: string, start: number): { value: number | bigint; length: number } | undefined {
  RADIX_INTEGER.lastIndex = start;
  NUMBER.lastIndex = start;
  const radix = RADIX_INTEGER.exec(source);
  const decimal = radix ? null : NUMBER.exec(source);
  const text = radix?.[0] ?? decimal?.[0];
  if (text === undefined) return undefined;
  const digits = text.replaceAll('_', '');
  if (radix || /^\d+$/.test(digits)) {
    const value = BigInt(digits);
    if (value > 0x7fffffffffffffffn) throw new ConditionParseFailure(`integer literal ${text} is too large for int`, start);
    return { value, length: text.length };
  }
  return { value: Number(digits), length: text.length };
}

function readString(source: string, start: number): { value: string; end: number } {
  const quote = source[start] as string;
  let value = '';
  let position = start + 1;
  while (position < source.length) {
    const character = source[position] as string;
    if (character === quote) return { value, end: position + 1 };
    if (character === '\\' && quote !== '`') {
      const { text, length } = readEscape(source, position);
      value += text;
      position += length;
      continue;
    }
    value += character;
    position += 1;
  }
  throw new ConditionParseFailure('unterminated string', start);
}

function readEscape(source: string, backslash: number): { text: string; length: number } {
  const letter = source[backslash + 1] ?? '';
  const simple = ESCAPES.get(letter);
  if (simple !== undefined) return { text: simple, length: 2 };
  const hexLength = letter === 'x' ? 2 : letter === 'u' ? 4 : letter === 'U' ? 8 : 0;
  const digits = source.slice(backslash + 2, backslash + 2 + hexLength);
  if (hexLength > 0 && digits.length === hexLength && HEX_DIGITS.test(digits)) {
    const codePoint = Number.parseInt(digits, 16);
    if (codePoint <= 0x10ffff) return { text: String.fromCodePoint(codePoint), length: 2 + hexLength };
  }
  throw new ConditionParseFailure(`invalid escape sequence \\${letter}`, backslash);
}

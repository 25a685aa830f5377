import { formatGoTime, GoTime } from './go-time.js';
import { formatNumber, goTypeName, GoFunction, isMap, isTrue, NO_VALUE, printValue, TemplateFailure, toJsonValue } from './values.js';

/** A function a template may call by name: Go's built-ins and the Sprig functions notification templates use. */
export interface TemplateFunction {
  /** Fewest and most arguments; `Infinity` for variadic. */
  arity: readonly [number, number];
  apply(args: readonly unknown[]): unknown;
}

const fn = (minimum: number, maximum: number, apply: (args: readonly unknown[]) => unknown): TemplateFunction => ({
  arity: [minimum, maximum],
  apply,
});

/** Sprig's `toInt64`: numbers truncate, numeric strings parse, anything else is 0. */
function toInteger(value: unknown): number {
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'string' && /^\s*[+-]?\d+(\.\d+)?\s*$/.test(value)) return Math.trunc(Number(value));
  if (typeof value === 'boolean') return value ? 1 : 0;
  return 0;
}

/** Sprig's `toString`. */
function toText(value: unknown): string {
  if (value === NO_VALUE || value === null || value === undefined) return '';
  return printValue(value);
}

function length(value: unknown): number {
  if (value === NO_VALUE) throw new TemplateFailure('error calling len: len of missing value');
  if (value === null || value === undefined) throw new TemplateFailure('error calling len: len of nil pointer');
  if (typeof value === 'string') return new TextEncoder().encode(value).length;
  if (Array.isArray(value)) return value.length;
  if (isMap(value)) return Object.keys(value).length;
  throw new TemplateFailure(`error calling len: len of type ${goTypeName(value)}`);
}

type Kind = 'number' | 'string' | 'bool' | 'nil' | 'other';

function kindOf(value: unknown): Kind {
  if (value === NO_VALUE || value === null || value === undefined) return 'nil';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  return 'other';
}

/** Go's `eq`: basic values of one kind compare; a missing or nil value equals only another one. */
function equal(name: string, left: unknown, right: unknown): boolean {
  const leftKind = kindOf(left);
  const rightKind = kindOf(right);
  if (leftKind === 'nil' || rightKind === 'nil') return leftKind === rightKind;
  if (leftKind !== rightKind || leftKind === 'other') throw new TemplateFailure(`error calling ${name}: incompatible types for comparison`);
  return left === right;
}

function less(name: string, left: unknown, right: unknown): boolean {
  const leftKind = kindOf(left);
  if ((leftKind !== 'number' && leftKind !== 'string') || kindOf(right) !== leftKind)
    throw new TemplateFailure(
      `error calling ${name}: ${leftKind === kindOf(right) ? 'invalid type' : 'incompatible types'} for comparison`,
    );
  return (left as number | string) < (right as number | string);
}

function index(item: unknown, keys: readonly unknown[]): unknown {
  let current = item;
  for (const key of keys) {
    if (Array.isArray(current) || typeof current === 'string') {
      if (typeof key !== 'number' || !Number.isInteger(key))
        throw new TemplateFailure(`error calling index: cannot index slice/array with type ${goTypeName(key)}`);
      if (key < 0 || key >= current.length) throw new TemplateFailure(`error calling index: index out of range: ${key}`);
      current = Array.isArray(current) ? (current[key] as unknown) : current.charCodeAt(key);
    } else if (isMap(current)) {
      if (typeof key !== 'string') throw new TemplateFailure(`error calling index: value has type ${goTypeName(key)}; should be string`);
      current = Object.hasOwn(current, key) ? current[key] : null;
    } else if (current === null || current === NO_VALUE) {
      throw new TemplateFailure('error calling index: index of untyped nil');
    } else {
      throw new TemplateFailure(`error calling index: can't index item of type ${goTypeName(current)}`);
    }
  }
  return current;
}

/** Go's `fmt.Sprint`: a space between operands when neither is a string. */
function sprint(args: readonly unknown[]): string {
  return args
    .map(
      (arg, position) => (position > 0 && typeof arg !== 'string' && typeof args[position - 1] !== 'string' ? ' ' : '') + printValue(arg),
    )
    .join('');
}

const VERB = /%([-+ 0#]*)(\d+)?(?:\.(\d+))?([%vsdfqtxXeg])/g;

/** Go's `fmt.Sprintf` for the verbs templates use: `%v %s %d %f %.2f %q %t %x %%`. */
function sprintf(format: unknown, args: readonly unknown[]): string {
  if (typeof format !== 'string') throw new TemplateFailure(`error calling printf: format is ${goTypeName(format)}, not string`);
  let next = 0;
  const text = format.replace(VERB, (_whole, flags: string, width: string | undefined, precision: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (next >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[next++];
    let formatted: string;
    switch (verb) {
      case 'd':
        formatted = typeof arg === 'number' ? String(Math.trunc(arg)) : `%!d(${goTypeName(arg)}=${printValue(arg)})`;
        break;
      case 'f':
      case 'e':
      case 'g':
        if (typeof arg !== 'number') formatted = `%!${verb}(${goTypeName(arg)}=${printValue(arg)})`;
        else if (verb === 'f') formatted = arg.toFixed(precision === undefined ? 6 : Number(precision));
        else if (verb === 'e')
          formatted = arg.toExponential(precision === undefined ? 6 : Number(precision)).replace(/e([+-])(\d)$/, 'e$10$2');
        else formatted = formatNumber(arg);
        break;
      case 'q':
        formatted = JSON.stringify(toText(arg));
        break;
      case 'x':
      case 'X':
        formatted =
          typeof arg === 'number'
            ? Math.trunc(arg).toString(16)
            : [...new TextEncoder().encode(toText(arg))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
        if (verb === 'X') formatted = formatted.toUpperCase();
        break;
      case 't':
        formatted = typeof arg === 'boolean' ? String(arg) : `%!t(${goTypeName(arg)}=${printValue(arg)})`;
        break;
      default:
        formatted = printValue(arg);
    }
    const padding = Number(width ?? 0) - formatted.length;
    if (padding <= 0) return formatted;
    if (flags.includes('-')) return formatted + ' '.repeat(padding);
    return (flags.includes('0') && verb !== 's' ? '0' : ' ').repeat(padding) + formatted;
  });
  return next < args.length ? `${text}%!(EXTRA ${args.slice(next).map(printValue).join(', ')})` : text;
}

function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, item: unknown) => toJsonValue(item), indent) ?? 'null';
}

function text(args: readonly unknown[], position: number): string {
  return toText(args[position]);
}

function integers(args: readonly unknown[]): number[] {
  return args.map(toInteger);
}

function divide(name: string, dividend: number, divisor: number): number {
  if (divisor === 0) throw new TemplateFailure(`error calling ${name}: runtime error: integer divide by zero`);
  return name === 'div' ? Math.trunc(dividend / divisor) : dividend % divisor;
}

/**
 * Every function a template may name. `and` and `or` are not here: the executor evaluates their operands lazily,
 * as Go does. Anything else is refused when the template is applied.
 */
export const TEMPLATE_FUNCTIONS: Readonly<Record<string, TemplateFunction>> = {
  not: fn(1, 1, ([value]) => !isTrue(value)),
  len: fn(1, 1, ([value]) => length(value)),
  index: fn(1, Infinity, ([item, ...keys]) => index(item, keys)),
  eq: fn(2, Infinity, ([left, ...rights]) => rights.some((right) => equal('eq', left, right))),
  ne: fn(2, 2, ([left, right]) => !equal('ne', left, right)),
  lt: fn(2, 2, ([left, right]) => less('lt', left, right)),
  le: fn(2, 2, ([left, right]) => less('le', left, right) || equal('le', left, right)),
  gt: fn(2, 2, ([left, right]) => less('gt', right, left)),
  ge: fn(2, 2, ([left, right]) => less('ge', right, left) || equal('ge', left, right)),
  print: fn(0, Infinity, (args) => sprint(args)),
  println: fn(0, Infinity, (args) => `${args.map(printValue).join(' ')}\n`),
  printf: fn(1, Infinity, ([format, ...args]) => sprintf(format, args)),
  urlquery: fn(0, Infinity, (args) => encodeURIComponent(sprint(args)).replace(/%20/g, '+')),
  call: fn(1, Infinity, ([target, ...args]) => {
    if (!(target instanceof GoFunction)) throw new TemplateFailure(`error calling call: non-function of type ${goTypeName(target)}`);
    if (args.length !== target.parameters)
      throw new TemplateFailure(
        `error calling call: wrong number of args for ${target.name}: want ${target.parameters} got ${args.length}`,
      );
    return target.invoke(args);
  }),
  add: fn(0, Infinity, (args) => integers(args).reduce((sum, value) => sum + value, 0)),
  add1: fn(1, 1, ([value]) => toInteger(value) + 1),
  sub: fn(2, 2, (args) => toInteger(args[0]) - toInteger(args[1])),
  mul: fn(1, Infinity, (args) => integers(args).reduce((product, value) => product * value, 1)),
  div: fn(2, 2, (args) => divide('div', toInteger(args[0]), toInteger(args[1]))),
  mod: fn(2, 2, (args) => divide('mod', toInteger(args[0]), toInteger(args[1]))),
  max: fn(1, Infinity, (args) => Math.max(...integers(args))),
  min: fn(1, Infinity, (args) => Math.min(...integers(args))),
  upper: fn(1, 1, (args) => text(args, 0).toUpperCase()),
  lower: fn(1, 1, (args) => text(args, 0).toLowerCase()),
  title: fn(1, 1, (args) =>
    text(args, 0).replace(/(^|[^\p{L}\p{N}])(\p{L})/gu, (_whole, before: string, letter: string) => before + letter.toUpperCase()),
  ),
  trim: fn(1, 1, (args) => text(args, 0).trim()),
  trimPrefix: fn(2, 2, (args) => (text(args, 1).startsWith(text(args, 0)) ? text(args, 1).slice(text(args, 0).length) : text(args, 1))),
  trimSuffix: fn(2, 2, (args) =>
    text(args, 0) !== '' && text(args, 1).endsWith(text(args, 0)) ? text(args, 1).slice(0, -text(args, 0).length) : text(args, 1),
  ),
  replace: fn(3, 3, (args) => text(args, 2).replaceAll(text(args, 0), text(args, 1))),
  contains: fn(2, 2, (args) => text(args, 1).includes(text(args, 0))),
  hasPrefix: fn(2, 2, (args) => text(args, 1).startsWith(text(args, 0))),
  hasSuffix: fn(2, 2, (args) => text(args, 1).endsWith(text(args, 0))),
  repeat: fn(2, 2, (args) => text(args, 1).repeat(Math.max(0, Math.min(toInteger(args[0]), 10_000)))),
  trunc: fn(2, 2, (args) => {
    const count = toInteger(args[0]);
    const value = text(args, 1);
    return count >= 0 ? value.slice(0, count) : value.slice(Math.max(0, value.length + count));
  }),
  indent: fn(2, 2, (args) => indent(toInteger(args[0]), text(args, 1))),
  nindent: fn(2, 2, (args) => `\n${indent(toInteger(args[0]), text(args, 1))}`),
  quote: fn(0, Infinity, (args) =>
    args
      .filter((arg) => arg !== null && arg !== NO_VALUE)
      .map((arg) => JSON.stringify(toText(arg)))
      .join(' '),
  ),
  squote: fn(0, Infinity, (args) =>
    args
      .filter((arg) => arg !== null && arg !== NO_VALUE)
      .map((arg) => `'${toText(arg)}'`)
      .join(' '),
  ),
  toString: fn(1, 1, (args) => text(args, 0)),
  toJson: fn(1, 1, ([value]) => toJson(value)),
  toPrettyJson: fn(1, 1, ([value]) => toJson(value, 2)),
  default: fn(1, 2, (args) => (args.length === 2 && isTrue(args[1]) ? args[1] : args[0])),
  empty: fn(1, 1, ([value]) => !isTrue(value)),
  coalesce: fn(0, Infinity, (args) => args.find(isTrue) ?? null),
  ternary: fn(3, 3, ([whenTrue, whenFalse, test]) => (isTrue(test) ? whenTrue : whenFalse)),
  join: fn(2, 2, ([separator, list]) => (Array.isArray(list) ? list.map(toText).join(toText(separator)) : toText(list))),
  splitList: fn(2, 2, (args) => text(args, 1).split(text(args, 0))),
  list: fn(0, Infinity, (args) => [...args]),
  dict: fn(0, Infinity, (args) => {
    const entries: Array<[string, unknown]> = [];
    for (let position = 0; position < args.length; position += 2) entries.push([text(args, position), args[position + 1] ?? '']);
    return Object.fromEntries(entries);
  }),
  b64enc: fn(1, 1, (args) => btoa(String.fromCharCode(...new TextEncoder().encode(text(args, 0))))),
  b64dec: fn(1, 1, (args) => {
    try {
      return new TextDecoder().decode(Uint8Array.from(atob(text(args, 0)), (character) => character.charCodeAt(0)));
    } catch {
      throw new TemplateFailure('error calling b64dec: illegal base64 data');
    }
  }),
  date: fn(2, 2, ([layout, time]) => {
    if (!(time instanceof GoTime)) throw new TemplateFailure(`error calling date: want a time, got ${goTypeName(time)}`);
    return formatGoTime(time.date, toText(layout));
  }),
};

function indent(spaces: number, value: string): string {
  const padding = ' '.repeat(Math.max(0, Math.min(spaces, 1_000)));
  return padding + value.replaceAll('\n', `\n${padding}`);
}

/** Names the executor handles itself. */
export const LAZY_FUNCTIONS: ReadonlySet<string> = new Set(['and', 'or']);

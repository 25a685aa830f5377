import { GoTime } from './go-time.js';

/** What Go's `text/template` calls an invalid value: a key missing from a map. It prints `<no value>`. */
export const NO_VALUE: unique symbol = Symbol('no value');

/** A function-valued field (`.time.Now`, `.strings.ReplaceAll`) that templates invoke with `call`. */
export class GoFunction {
  constructor(
    readonly name: string,
    readonly parameters: number,
    readonly invoke: (args: readonly unknown[]) => unknown,
  ) {}
}

/** A template failure inside a function or a field lookup; the executor adds where it happened. */
export class TemplateFailure extends Error {}

export type TemplateMap = Readonly<Record<string, unknown>>;

export function isMap(value: unknown): value is TemplateMap {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof GoTime) && !(value instanceof GoFunction)
  );
}

/** Go's `isTrue`: false, 0, "", nil and empty collections are false. */
export function isTrue(value: unknown): boolean {
  if (value === NO_VALUE || value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value !== '';
  if (Array.isArray(value)) return value.length > 0;
  if (isMap(value)) return Object.keys(value).length > 0;
  return true;
}

/** The Go type name errors quote, as Go sees JSON decoded into `map[string]interface{}`. */
export function goTypeName(value: unknown): string {
  if (value === NO_VALUE || value === null || value === undefined) return 'interface {}';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return '[]interface {}';
  if (value instanceof GoTime) return 'time.Time';
  if (value instanceof GoFunction) return 'func';
  return 'map[string]interface {}';
}

/** How `{{ value }}` prints, as Go's `fmt.Print` does. */
export function printValue(value: unknown): string {
  if (value === NO_VALUE) return '<no value>';
  return formatValue(value);
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined || value === NO_VALUE) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(formatValue).join(' ')}]`;
  if (value instanceof GoTime) return value.toString();
  if (value instanceof GoFunction) return `func ${value.name}`;
  if (isMap(value))
    return `map[${Object.keys(value)
      .sort()
      .map((key) => `${key}:${formatValue(value[key])}`)
      .join(' ')}]`;
  return typeof value === 'bigint' ? value.toString() : '<unknown>';
}

/** Go's `%v` of a float64: exponent form below 1e-4 and from 1e21. */
export function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Number.isNaN(value)) return 'NaN';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-4 || magnitude >= 1e21)) return value.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(value);
}

/** The JSON form of a value, for `toJson`: times as RFC 3339, as Go marshals them. */
export function toJsonValue(value: unknown): unknown {
  if (value === NO_VALUE || value === undefined) return null;
  if (value instanceof GoTime) return value.date.toISOString().replace('.000Z', 'Z');
  if (value instanceof GoFunction) throw new TemplateFailure(`json: unsupported type: func`);
  return value;
}

import { EvaluationFailure } from './evaluation-failure.js';
import { ConditionDuration, ConditionTime } from './values.js';

const NANOSECONDS_PER_MILLISECOND = 1_000_000n;
const DURATION_UNITS: ReadonlyMap<string, number> = new Map([
  ['ns', 1],
  ['us', 1e3],
  ['µs', 1e3],
  ['μs', 1e3],
  ['ms', 1e6],
  ['s', 1e9],
  ['m', 60e9],
  ['h', 3600e9],
]);
const DURATION_PART = /(\d*\.?\d*)([^\d.]*)/y;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
/** The layouts expr-lang's `date(text)` tries, in order, when no layout is given. */
const DEFAULT_LAYOUTS = [
  '2006-01-02',
  '15:04:05',
  '2006-01-02 15:04:05',
  '2006-01-02T15:04:05Z07:00',
  '02 Jan 06 15:04 MST',
  'Monday, 02-Jan-06 15:04:05 MST',
  'Mon, 02 Jan 2006 15:04:05 MST',
];

export function timeFromDate(date: Date): ConditionTime {
  return new ConditionTime(BigInt(date.getTime()) * NANOSECONDS_PER_MILLISECOND, 'UTC');
}

/** Go's `time.ParseDuration`: `300ms`, `-1.5h`, `2h45m`; its error messages. */
export function parseDuration(text: string): ConditionDuration {
  const invalid = (): EvaluationFailure => new EvaluationFailure('invalid-value', `time: invalid duration ${JSON.stringify(text)}`);
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[-+]/, '');
  if (body === '0') return new ConditionDuration(0n);
  if (body === '') throw invalid();
  let total = 0;
  for (let position = 0; position < body.length;) {
    DURATION_PART.lastIndex = position;
    const [whole, amount = '', unit = ''] = DURATION_PART.exec(body) ?? [];
    if (!whole || amount === '' || amount === '.') throw invalid();
    if (unit === '') throw new EvaluationFailure('invalid-value', `time: missing unit in duration ${JSON.stringify(text)}`);
    const scale = DURATION_UNITS.get(unit);
    if (scale === undefined) {
      throw new EvaluationFailure('invalid-value', `time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}`);
    }
    total += Number(amount) * scale;
    position += whole.length;
  }
  if (total > 2 ** 63 - 1) throw invalid();
  return new ConditionDuration(BigInt(Math.round(sign * total)));
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanosecond: number;
  pm?: boolean;
  offsetMinutes?: number;
}

type FieldReader = { pattern: string; read: (text: string, fields: Fields) => void };

const ZONE_OFFSET = (colon: boolean, withMinutes: boolean, zulu: boolean): FieldReader => ({
  pattern: `${zulu ? 'Z|' : ''}[+-]\\d\\d${withMinutes ? (colon ? ':\\d\\d' : '\\d\\d') : ''}`,
  read: (text, fields) => {
    if (text === 'Z') fields.offsetMinutes = 0;
    else {
      const digits = text.replace(':', '');
      const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || '0');
      fields.offsetMinutes = text.startsWith('-') ? -minutes : minutes;
    }
  },
});

const number = (digits: string, set: (fields: Fields, value: number) => void): FieldReader => ({
  pattern: digits,
  read: (text, fields) => set(fields, Number(text.trim())),
});

const name = (names: readonly string[], length: number | undefined, set?: (fields: Fields, index: number) => void): FieldReader => ({
  pattern: names.map((full) => (length ? full.slice(0, length) : full)).join('|'),
  read: (text, fields) =>
    set?.(
      fields,
      names.findIndex((full) => (length ? full.slice(0, length) : full) === text),
    ),
});

/** Go's layout elements, longest first so that `2006` is read before `2` and `January` before `Jan`. */
const LAYOUT_ELEMENTS: ReadonlyArray<[string, FieldReader]> = [
  ['January', name(MONTHS, undefined, (fields, index) => (fields.month = index + 1))],
  ['Monday', name(DAYS, undefined)],
  ['Z07:00', ZONE_OFFSET(true, true, true)],
  ['-07:00', ZONE_OFFSET(true, true, false)],
  ['Z0700', ZONE_OFFSET(false, true, true)],
  ['-0700', ZONE_OFFSET(false, true, false)],
  ['2006', number('\\d{4}', (fields, value) => (fields.year = value))],
  ['Z07', ZONE_OFFSET(false, false, true)],
  ['-07', ZONE_OFFSET(false, false, false)],
  ['Jan', name(MONTHS, 3, (fields, index) => (fields.month = index + 1))],
  ['Mon', name(DAYS, 3)],
  ['MST', { pattern: '[A-Z]{3,5}|[+-]\\d\\d', read: () => undefined }],
  ['_2', number('[ \\d]\\d', (fields, value) => (fields.day = value))],
  ['01', number('\\d\\d', (fields, value) => (fields.month = value))],
  ['02', number('\\d\\d', (fields, value) => (fields.day = value))],
  ['03', number('\\d\\d', (fields, value) => (fields.hour = value))],
  ['04', number('\\d\\d', (fields, value) => (fields.minute = value))],
  ['05', number('\\d\\d', (fields, value) => (fields.second = value))],
  ['06', number('\\d\\d', (fields, value) => (fields.year = value + (value >= 69 ? 1900 : 2000)))],
  ['15', number('\\d\\d?', (fields, value) => (fields.hour = value))],
  ['PM', { pattern: 'AM|PM', read: (text, fields) => (fields.pm = text === 'PM') }],
  ['pm', { pattern: 'am|pm', read: (text, fields) => (fields.pm = text === 'pm') }],
  ['1', number('\\d\\d?', (fields, value) => (fields.month = value))],
  ['2', number('\\d\\d?', (fields, value) => (fields.day = value))],
  ['3', number('\\d\\d?', (fields, value) => (fields.hour = value))],
  ['4', number('\\d\\d?', (fields, value) => (fields.minute = value))],
  ['5', number('\\d\\d?', (fields, value) => (fields.second = value))],
];

const FRACTION = /^[.,](0+|9+)/;
const FRACTION_READER: FieldReader = {
  pattern: '[.,]\\d+',
  read: (text, fields) => (fields.nanosecond = Math.round(Number(`0.${text.slice(1)}`) * 1e9)),
};

/** Turns a Go layout into a pattern whose groups feed the readers, in order. */
function compileLayout(layout: string): { pattern: RegExp; readers: FieldReader[] } {
  const readers: FieldReader[] = [];
  let source = '';
  for (let position = 0; position < layout.length;) {
    const rest = layout.slice(position);
    const fraction = FRACTION.exec(rest);
    const element = fraction ? undefined : LAYOUT_ELEMENTS.find(([text]) => rest.startsWith(text));
    const [text, reader] = fraction ? [fraction[0], FRACTION_READER] : (element ?? [rest[0] as string, undefined]);
    if (reader) {
      readers.push(reader);
      source += `(${reader.pattern})`;
    } else {
      source += text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
    // Go reads an optional fraction after seconds even when the layout has none.
    if (reader && (text === '05' || text === '5') && !FRACTION.test(layout.slice(position + text.length))) {
      readers.push(FRACTION_READER);
      source += `(${FRACTION_READER.pattern})?`;
    }
    position += text.length;
  }
  return { pattern: new RegExp(`^${source}$`), readers };
}

/** Go's `time.Parse(layout, text)` (in UTC, or in `zone` as `time.ParseInLocation`), for expr-lang's `date()`. */
export function parseTime(text: string, layout: string, zone: string | undefined): ConditionTime {
  const { pattern, readers } = compileLayout(layout);
  const found = pattern.exec(text);
  if (!found)
    throw new EvaluationFailure('invalid-value', `parsing time ${JSON.stringify(text)} as ${JSON.stringify(layout)}: cannot parse`);
  const fields: Fields = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0, nanosecond: 0 };
  readers.forEach((reader, index) => {
    const value = found[index + 1];
    if (value !== undefined) reader.read(value, fields);
  });
  if (fields.pm !== undefined) fields.hour = (fields.hour % 12) + (fields.pm ? 12 : 0);
  const wall = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second);
  const check = new Date(wall);
  if (fields.month > 12 || fields.hour > 23 || fields.minute > 59 || fields.second > 59 || check.getUTCDate() !== fields.day) {
    throw new EvaluationFailure('invalid-value', `parsing time ${JSON.stringify(text)}: value out of range`);
  }
  const offsetMinutes = fields.offsetMinutes ?? (zone === undefined ? 0 : zoneOffsetMinutes(wall, zone));
  const epochMilliseconds = wall - offsetMinutes * 60_000;
  return new ConditionTime(
    BigInt(epochMilliseconds) * NANOSECONDS_PER_MILLISECOND + BigInt(fields.nanosecond),
    fields.offsetMinutes === undefined ? (zone ?? 'UTC') : 'fixed',
  );
}

/** expr-lang's `date(text)`: the first of its default layouts that reads the text. */
export function parseTimeWithDefaultLayouts(text: string, zone: string | undefined): ConditionTime {
  for (const layout of DEFAULT_LAYOUTS) {
    try {
      return parseTime(text, layout, zone);
    } catch {
      // the next layout may read it
    }
  }
  throw new EvaluationFailure('invalid-value', `invalid date ${text}`);
}

/** The offset from UTC of an IANA zone at a wall-clock time; `UTC` and `Local` are UTC here. */
function zoneOffsetMinutes(wallMilliseconds: number, zone: string): number {
  if (zone === 'UTC' || zone === 'Local' || zone === '') return 0;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new EvaluationFailure('invalid-value', `unknown time zone ${zone}`);
  }
  const offsetAt = (instant: number): number => {
    const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((part) => [part.type, Number(part.value)]));
    const asUtc = Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
    return Math.round((asUtc - instant) / 60_000);
  };
  const first = offsetAt(wallMilliseconds);
  return offsetAt(wallMilliseconds - first * 60_000);
}

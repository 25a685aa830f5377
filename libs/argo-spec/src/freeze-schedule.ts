/**
 * The recurring form of a FreezeWindow: a few RFC 5545 lines, parsed once into what evaluation needs. Parsing is
 * here, beside the validation that reports its problems; evaluation is in `@flotilla/freeze-windows`.
 */
import { createRequire } from 'node:module';
import { IANAZone } from 'luxon';
import type { Options as RRuleOptions } from 'rrule';

type RRuleLibrary = typeof import('rrule');
let rruleLibrary: RRuleLibrary | undefined;
/** rrule takes a tenth of a second to load, and most readers of manifests (every CLI command) never meet a schedule. */
const rrule = (): RRuleLibrary => (rruleLibrary ??= createRequire(import.meta.url)('rrule') as RRuleLibrary);

/** The longest a freeze occurrence may last: a month. */
export const MAX_FREEZE_DURATION_SECONDS = 31 * 86_400;
/** Occurrences a `COUNT` may ask for: counting starts at DTSTART, so evaluation walks up to this many. */
export const MAX_FREEZE_RRULE_COUNT = 10_000;
/** Values `BYMINUTE` may list: each multiplies the occurrences of every hour. */
export const MAX_FREEZE_RRULE_BYMINUTE = 4;

/** A local wall-clock time with no zone, kept as a Date whose UTC fields are its fields ("floating" in RFC 5545). */
export type FloatingTime = Date;

/** An RFC 5545 duration: `weeks` and `days` are nominal (they keep the wall-clock time), the rest exact. */
export interface ScheduleDuration {
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** A parsed `schedule`: every occurrence starts at a wall-clock time of `zone` and lasts `duration`. */
export interface FreezeSchedule {
  /** An IANA zone, or `UTC`. */
  zone: string;
  dtstart: FloatingTime;
  /** The RRULE's own options, with UNTIL as a floating time of `zone`; null: DTSTART is the only occurrence. */
  rule: Partial<RRuleOptions> | null;
  duration: ScheduleDuration;
}

export type FreezeScheduleResult = { ok: true; schedule: FreezeSchedule } | { ok: false; problems: string[] };

const DTSTART_ZONED = /^DTSTART;TZID=([^:;]+):(\d{8}T\d{6})$/;
const DTSTART_UTC = /^DTSTART:(\d{8}T\d{6})Z$/;
const DTSTART_ANY = /^DTSTART[;:]/;
const DURATION_VALUE = /^DURATION:\+?P(?:(\d{1,6})W|(?:(\d{1,6})D)?(?:T(?:(\d{1,7})H)?(?:(\d{1,9})M)?(?:(\d{1,10})S)?)?)$/;
const UNTIL_VALUE = /(?:^|;)UNTIL=(\d{8}(?:T\d{6}(Z)?)?)(?:;|$)/;
const ALLOWED_FREQUENCIES = ['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY', 'HOURLY'];

/** `20261204T160000` as a floating time, or undefined when it is no calendar time. */
function floatingTime(text: string): FloatingTime | undefined {
  const [year, month, day, hour, minute, second] = [
    text.slice(0, 4),
    text.slice(4, 6),
    text.slice(6, 8),
    text.slice(9, 11) || '0',
    text.slice(11, 13) || '0',
    text.slice(13, 15) || '0',
  ].map(Number) as [number, number, number, number, number, number];
  const time = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const exact =
    time.getUTCFullYear() === year &&
    time.getUTCMonth() === month - 1 &&
    time.getUTCDate() === day &&
    time.getUTCHours() === hour &&
    time.getUTCMinutes() === minute &&
    time.getUTCSeconds() === second;
  return exact && year >= 1970 && year <= 9000 ? time : undefined;
}

/** Seconds a duration lasts, counting its weeks and days as 24-hour days. */
export function nominalSeconds(duration: ScheduleDuration): number {
  return ((duration.weeks * 7 + duration.days) * 24 + duration.hours) * 3600 + duration.minutes * 60 + duration.seconds;
}

function parseDuration(line: string, problems: string[]): ScheduleDuration | undefined {
  const match = DURATION_VALUE.exec(line);
  if (match === null || line === 'DURATION:P' || line.endsWith('T')) {
    problems.push(`"${line}" is no RFC 5545 duration (e.g. DURATION:PT64H, DURATION:P2D)`);
    return undefined;
  }
  const [weeks, days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const duration = { weeks, days, hours, minutes, seconds };
  const total = nominalSeconds(duration);
  if (total <= 0) problems.push('DURATION must be positive');
  else if (total > MAX_FREEZE_DURATION_SECONDS) problems.push('DURATION must be at most 31 days (P31D)');
  return duration;
}

function parseRule(line: string, zone: string, problems: string[]): Partial<RRuleOptions> | undefined {
  const text = line.slice('RRULE:'.length);
  let options: Partial<RRuleOptions>;
  try {
    options = rrule().RRule.parseString(text);
  } catch (error) {
    problems.push(`RRULE is not valid: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  const before = problems.length;
  checkRuleValues(text, problems);
  if (options.freq === undefined) problems.push('RRULE needs a FREQ');
  else if (!ALLOWED_FREQUENCIES.includes(rrule().Frequency[options.freq])) {
    problems.push(`RRULE FREQ must be one of ${ALLOWED_FREQUENCIES.join(', ')}: a freeze recurs hourly at most`);
  }
  if (options.dtstart != null || options.tzid != null) problems.push('RRULE must not carry DTSTART or TZID: give them on the DTSTART line');
  if (options.bysecond != null) problems.push('RRULE must not have BYSECOND: freezes start on a minute');
  if (options.byminute != null && [options.byminute].flat().length > MAX_FREEZE_RRULE_BYMINUTE) {
    problems.push(`RRULE BYMINUTE may list at most ${MAX_FREEZE_RRULE_BYMINUTE} values`);
  }
  if (options.count != null && (options.count < 1 || options.count > MAX_FREEZE_RRULE_COUNT)) {
    problems.push(`RRULE COUNT must be between 1 and ${MAX_FREEZE_RRULE_COUNT}`);
  }
  if (options.interval != null && (options.interval < 1 || options.interval > 1000))
    problems.push('RRULE INTERVAL must be between 1 and 1000');
  if (options.count != null && options.until != null) problems.push('RRULE must not have both COUNT and UNTIL');
  const until = UNTIL_VALUE.exec(text);
  if (until !== null) {
    const untilText = until[1] ?? '';
    const local = floatingTime(untilText.length === 8 ? `${untilText}T000000` : untilText);
    if (local === undefined) problems.push(`RRULE UNTIL ${untilText} is no calendar time`);
    // UNTIL in UTC (`Z`) is an instant: occurrences are compared in the zone's wall clock.
    else options.until = until[2] === 'Z' ? toFloating(local, zone) : local;
  }
  return problems.length === before ? options : undefined;
}

const WEEKDAY = /^([+-]?([1-9]|[1-4]\d|5[0-3]))?(MO|TU|WE|TH|FR|SA|SU)$/;
/** The values each numeric BY-part may take, as RFC 5545 states them (negative ones count from the end). */
const NUMERIC_PARTS: Record<string, { min: number; max: number; negative: boolean }> = {
  BYMONTH: { min: 1, max: 12, negative: false },
  BYMONTHDAY: { min: 1, max: 31, negative: true },
  BYYEARDAY: { min: 1, max: 366, negative: true },
  BYWEEKNO: { min: 1, max: 53, negative: true },
  BYSETPOS: { min: 1, max: 366, negative: true },
  BYHOUR: { min: 0, max: 23, negative: false },
  BYMINUTE: { min: 0, max: 59, negative: false },
};

/** RRule reads some values it does not understand as nothing at all (`BYDAY=XX`): they are refused here. */
function checkRuleValues(text: string, problems: string[]): void {
  for (const part of text.split(';')) {
    const [name = '', value = ''] = part.split('=');
    const values = value.split(',');
    if (name === 'BYDAY') {
      const wrong = values.find((day) => !WEEKDAY.test(day));
      if (wrong !== undefined) problems.push(`RRULE BYDAY value "${wrong}" is no weekday such as FR, -1FR or 2MO`);
    }
    const range = NUMERIC_PARTS[name];
    if (range === undefined) continue;
    const wrong = values.find((text) => {
      const number = /^[+-]?\d{1,3}$/.test(text) ? Math.abs(Number(text)) : Number.NaN;
      return !(number >= range.min && number <= range.max) || (!range.negative && text.startsWith('-'));
    });
    if (wrong !== undefined)
      problems.push(`RRULE ${name} value "${wrong}" must be ${range.negative ? '±' : ''}${range.min} to ${range.max}`);
  }
}

/**
 * The wall-clock time of `zone` at `instant`, as a floating time.
 * @example toFloating(new Date('2026-07-01T10:00:00Z'), 'Europe/Berlin').toISOString() === '2026-07-01T12:00:00.000Z'
 */
export function toFloating(instant: Date, zone: string): FloatingTime {
  if (zone === 'UTC') return new Date(instant.getTime());
  const offsetMinutes = IANAZone.create(zone).offset(instant.getTime());
  return new Date(instant.getTime() + offsetMinutes * 60_000);
}

/**
 * Parses a FreezeWindow `schedule`; every problem is reported, none thrown.
 * @example parseFreezeSchedule('DTSTART;TZID=Europe/Berlin:20261204T160000\nRRULE:FREQ=WEEKLY;BYDAY=FR\nDURATION:PT64H')
 *   // { ok: true, schedule: { zone: 'Europe/Berlin', dtstart: 2026-12-04T16:00 (floating), rule: { freq: WEEKLY, … }, duration: { hours: 64, … } } }
 */
export function parseFreezeSchedule(text: string): FreezeScheduleResult {
  const problems: string[] = [];
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  let zone: string | undefined;
  let dtstart: FloatingTime | undefined;
  let ruleLine: string | undefined;
  let duration: ScheduleDuration | undefined;
  const seen = new Set<string>();
  for (const line of lines) {
    const name = /^[A-Z-]+/.exec(line.toUpperCase())?.[0] ?? line;
    if (seen.has(name)) {
      problems.push(`${name} must be given once`);
      continue;
    }
    seen.add(name);
    if (DTSTART_ANY.test(line)) {
      const zoned = DTSTART_ZONED.exec(line);
      const utc = DTSTART_UTC.exec(line);
      const time = zoned?.[2] ?? utc?.[1];
      zone = zoned ? zoned[1] : utc ? 'UTC' : undefined;
      if (time === undefined || zone === undefined) {
        problems.push('DTSTART must carry a TZID (DTSTART;TZID=Europe/Berlin:20261204T160000) or be UTC (DTSTART:20261204T150000Z)');
      } else if (zone !== 'UTC' && !IANAZone.isValidZone(zone)) {
        problems.push(`DTSTART's TZID ${zone} is no IANA time zone`);
      } else {
        dtstart = floatingTime(time);
        if (dtstart === undefined) problems.push(`DTSTART ${time} is no calendar time between 1970 and 9000`);
      }
    } else if (line.startsWith('RRULE:')) ruleLine = line;
    else if (line.startsWith('DURATION:')) duration = parseDuration(line, problems);
    else problems.push(`"${line.slice(0, 40)}" is not understood: a schedule has DTSTART, RRULE and DURATION lines only`);
  }
  if (!seen.has('DTSTART')) problems.push('DTSTART is required');
  if (!seen.has('DURATION')) problems.push('DURATION is required');
  const rule = ruleLine !== undefined && zone !== undefined ? parseRule(ruleLine, zone, problems) : undefined;
  if (problems.length > 0 || zone === undefined || dtstart === undefined || duration === undefined) return { ok: false, problems };
  return { ok: true, schedule: { zone, dtstart, rule: rule ?? null, duration } };
}

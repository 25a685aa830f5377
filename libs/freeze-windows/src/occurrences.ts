/**
 * The occurrences of a parsed schedule near a moment, found with bounded work: the walk never starts further back
 * than a few periods before the moments asked about, and stops after a fixed number of occurrences.
 */
import type { FloatingTime, FreezeSchedule } from '@flotilla/argo-spec';
import { DateTime } from 'luxon';
import rrulePackage from 'rrule';
import type { Options as RRuleOptions, RRule as RRuleInstance } from 'rrule';

const { RRule, Frequency } = rrulePackage;

/** The most occurrences one search looks at, whatever the rule. */
export const MAX_OCCURRENCES_PER_SEARCH = 5_000;
/** The most periods of its rule one search walks: a rule with COUNT walks from DTSTART, others from near the search. */
export const MAX_WALK_STEPS = 100_000;

export interface Occurrence {
  start: Date;
  end: Date;
}

const DAY_MS = 86_400_000;

/** The real instant of a wall-clock time of `zone`; a time skipped by a daylight saving change moves forward. */
export function fromFloating(time: FloatingTime, zone: string): DateTime {
  return DateTime.fromObject(
    {
      year: time.getUTCFullYear(),
      month: time.getUTCMonth() + 1,
      day: time.getUTCDate(),
      hour: time.getUTCHours(),
      minute: time.getUTCMinutes(),
      second: time.getUTCSeconds(),
    },
    { zone },
  );
}

/** The occurrence starting at the wall-clock `start`: weeks and days keep the wall-clock time, the rest is exact. */
export function occurrenceAt(schedule: FreezeSchedule, start: FloatingTime): Occurrence {
  const begin = fromFloating(start, schedule.zone);
  const { weeks, days, hours, minutes, seconds } = schedule.duration;
  const end = begin.plus({ weeks, days }).plus({ hours, minutes, seconds });
  return { start: begin.toJSDate(), end: end.toJSDate() };
}

type Unit = 'years' | 'months' | 'weeks' | 'days' | 'hours';

function periodUnit(freq: RRuleOptions['freq']): Unit {
  switch (freq) {
    case Frequency.YEARLY:
      return 'years';
    case Frequency.MONTHLY:
      return 'months';
    case Frequency.WEEKLY:
      return 'weeks';
    case Frequency.DAILY:
      return 'days';
    default:
      return 'hours';
  }
}

/** Milliseconds one period of the unit lasts at most. */
const UNIT_MS: Record<Unit, number> = { years: 366 * DAY_MS, months: 31 * DAY_MS, weeks: 7 * DAY_MS, days: DAY_MS, hours: 3_600_000 };

/**
 * The rule as RRule evaluates it from `dtstart`, with the parts RRule fills in from DTSTART (the weekday, the day of
 * the month, the time of day) written out, so that moving DTSTART by whole intervals keeps every occurrence.
 */
function anchoredOptions(rule: Partial<RRuleOptions>, dtstart: FloatingTime): Partial<RRuleOptions> {
  const anchored: Partial<RRuleOptions> = { ...rule, dtstart, tzid: null };
  const freq = rule.freq ?? Frequency.DAILY;
  const noDaySet = rule.byweekday == null && rule.byyearday == null && rule.bymonthday == null && rule.byweekno == null;
  if (noDaySet && freq === Frequency.YEARLY) {
    anchored.bymonth = rule.bymonth ?? dtstart.getUTCMonth() + 1;
    anchored.bymonthday = dtstart.getUTCDate();
  }
  if (noDaySet && freq === Frequency.MONTHLY) anchored.bymonthday = dtstart.getUTCDate();
  if (noDaySet && freq === Frequency.WEEKLY) anchored.byweekday = (dtstart.getUTCDay() + 6) % 7;
  if (freq < Frequency.HOURLY) anchored.byhour = rule.byhour ?? dtstart.getUTCHours();
  anchored.byminute = rule.byminute ?? dtstart.getUTCMinutes();
  anchored.bysecond = rule.bysecond ?? dtstart.getUTCSeconds();
  return anchored;
}

/**
 * A rule equal to the schedule's from `from` on, starting no more than two periods before it. A rule with COUNT is
 * counted from DTSTART, so it keeps it (COUNT is bounded by validation).
 */
function ruleNear(schedule: FreezeSchedule, rule: Partial<RRuleOptions>, from: FloatingTime): RRuleInstance {
  const unit = periodUnit(rule.freq ?? Frequency.DAILY);
  const interval = rule.interval ?? 1;
  const step = UNIT_MS[unit] * interval;
  const anchored = anchoredOptions(rule, schedule.dtstart);
  let dtstart = schedule.dtstart;
  const behind = from.getTime() - dtstart.getTime() - 2 * step;
  if (rule.count == null && behind > 0) {
    // Whole intervals only, measured in the rule's own unit, so that the occurrences stay the same.
    const approximate = Math.floor(behind / step) * interval;
    const moved = DateTime.fromJSDate(dtstart, { zone: 'UTC' }).plus({ [unit]: approximate });
    dtstart = moved.toJSDate();
  }
  return new RRule({ ...anchored, dtstart });
}

/** Thrown from inside RRule's walk when it has taken every step a search allows. */
class WalkBudgetSpent extends Error {}

/**
 * Lets RRule take at most `steps` steps of its walk (one period of the rule each). RRule only checks the end of a
 * search when an occurrence comes up, so a rule that never yields one (`BYMONTH=2;BYMONTHDAY=30`) would otherwise walk
 * to the year 9999. Its walk reads `interval` twice a step, which is where the steps are counted.
 */
function limitWalk(rule: RRuleInstance, steps: number): void {
  const { interval } = rule.options;
  let reads = 0;
  Object.defineProperty(rule.options, 'interval', {
    get: () => {
      reads += 1;
      if (reads > 2 * steps + 16) throw new WalkBudgetSpent('walk budget spent');
      return interval;
    },
  });
}

/** The shortest period of each unit, in milliseconds. */
const UNIT_MIN_MS: Record<Unit, number> = { years: 365 * DAY_MS, months: 28 * DAY_MS, weeks: 7 * DAY_MS, days: DAY_MS, hours: 3_600_000 };

/**
 * The schedule's occurrences whose wall-clock start lies in [`from`, `to`] (floating times), in order, at most
 * `MAX_OCCURRENCES_PER_SEARCH` of them, walking the rule no further than the periods up to `to` (and at most
 * `MAX_WALK_STEPS` periods).
 */
export function occurrenceStartsBetween(schedule: FreezeSchedule, from: FloatingTime, to: FloatingTime): FloatingTime[] {
  if (schedule.rule === null) {
    const only = schedule.dtstart;
    return only >= from && only <= to ? [only] : [];
  }
  const rule = ruleNear(schedule, schedule.rule, from);
  const unit = periodUnit(schedule.rule.freq ?? Frequency.DAILY);
  const walkFrom = rule.options.dtstart.getTime();
  const periods = Math.max(0, to.getTime() - walkFrom) / (UNIT_MIN_MS[unit] * (schedule.rule.interval ?? 1));
  limitWalk(rule, Math.min(MAX_WALK_STEPS, Math.ceil(periods) + 8));
  const starts: FloatingTime[] = [];
  try {
    rule.between(from, to, true, (date) => {
      if (date >= schedule.dtstart) starts.push(date);
      return starts.length < MAX_OCCURRENCES_PER_SEARCH;
    });
  } catch (error) {
    if (!(error instanceof WalkBudgetSpent)) throw error;
  }
  return starts;
}

/** How far ahead a search for the next occurrence looks, by the rule's frequency. */
export function lookAheadMs(schedule: FreezeSchedule): number {
  const freq = schedule.rule?.freq ?? Frequency.YEARLY;
  switch (periodUnit(freq)) {
    case 'years':
    case 'months':
      return 8 * 366 * DAY_MS;
    case 'weeks':
    case 'days':
      return 2 * 366 * DAY_MS;
    case 'hours':
      return 62 * DAY_MS;
  }
}

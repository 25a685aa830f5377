import {
  DEFAULT_FREEZE_POLICY,
  parseFreezeSchedule,
  selectorMatches,
  toFloating,
  type FreezePolicy,
  type FreezeSchedule,
  type FreezeWindowSpec,
} from '@flotilla/argo-spec';
import { lookAheadMs, occurrenceAt, occurrenceStartsBetween, type Occurrence } from './occurrences.js';

/** Where a release happens: the cluster (by name and labels) and the namespace of its Rollout. */
export interface FreezeTarget {
  clusterName: string;
  clusterLabels: Readonly<Record<string, string>>;
  namespace: string;
}

/** One occurrence of a window: releases covered by it wait from `start` (inclusive) to `end` (exclusive). */
export interface FreezePeriod {
  window: string;
  reason: string;
  policy: FreezePolicy;
  start: Date;
  end: Date;
}

/** A FreezeWindow as applied: its name and spec. */
export interface NamedFreezeWindow {
  name: string;
  spec: FreezeWindowSpec;
}

/** How a window's times are evaluated, worked out once per spec. */
type Timing = { kind: 'fixed'; occurrence: Occurrence } | { kind: 'schedule'; schedule: FreezeSchedule } | { kind: 'never' };

const DAY_MS = 86_400_000;
const timings = new WeakMap<FreezeWindowSpec, Timing>();

function timingOf(spec: FreezeWindowSpec): Timing {
  const known = timings.get(spec);
  if (known !== undefined) return known;
  let timing: Timing = { kind: 'never' };
  if (spec.schedule !== undefined) {
    const parsed = parseFreezeSchedule(spec.schedule);
    // Validation refuses such a spec when it is applied; one stored before a rule changed freezes nothing.
    if (parsed.ok) timing = { kind: 'schedule', schedule: parsed.schedule };
  } else if (spec.start !== undefined && spec.end !== undefined) {
    const start = new Date(spec.start);
    const end = new Date(spec.end);
    if (start < end) timing = { kind: 'fixed', occurrence: { start, end } };
  }
  timings.set(spec, timing);
  return timing;
}

function periodOf(window: NamedFreezeWindow, occurrence: Occurrence): FreezePeriod {
  return {
    window: window.name,
    reason: window.spec.reason,
    policy: window.spec.policy ?? DEFAULT_FREEZE_POLICY,
    start: occurrence.start,
    end: occurrence.end,
  };
}

/** Occurrences of a schedule whose real start lies in [from, to], searched with a day's margin for zone offsets. */
function occurrencesStartingBetween(schedule: FreezeSchedule, from: Date, to: Date): Occurrence[] {
  const floatingFrom = new Date(toFloating(from, schedule.zone).getTime() - DAY_MS);
  const floatingTo = new Date(toFloating(to, schedule.zone).getTime() + DAY_MS);
  return occurrenceStartsBetween(schedule, floatingFrom, floatingTo)
    .map((start) => occurrenceAt(schedule, start))
    .filter((occurrence) => occurrence.start >= from && occurrence.start <= to);
}

/**
 * Whether the window applies to releases of this target: its cluster selector selects the cluster's labels (no
 * selector: every cluster) and its namespaces hold the namespace (no list: every namespace).
 * @example covers({ name: 'weekend', spec: { reason: '…', start, end, clusterSelector: { matchLabels: { env: 'prod' } }, namespaces: ['shop'] } },
 *   { clusterName: 'production', clusterLabels: { env: 'prod' }, namespace: 'shop' }) === true
 */
export function covers(window: NamedFreezeWindow, target: FreezeTarget): boolean {
  const { clusterSelector, namespaces } = window.spec;
  if (clusterSelector !== undefined && !selectorMatches(clusterSelector, target.clusterLabels)) return false;
  return namespaces === undefined || namespaces.includes(target.namespace);
}

/**
 * The window's period in effect at `now` (`start <= now < end`), or null. When occurrences overlap (a DURATION
 * longer than the rule's interval), the one ending last.
 * @example periodAt({ name: 'xmas', spec: { reason: 'holidays', start: '2026-12-24T00:00:00Z', end: '2027-01-02T00:00:00Z' } },
 *   new Date('2026-12-25T12:00:00Z')) // { window: 'xmas', policy: 'finish', start: 2026-12-24T00:00Z, end: 2027-01-02T00:00Z, … }
 */
export function periodAt(window: NamedFreezeWindow, now: Date): FreezePeriod | null {
  const timing = timingOf(window.spec);
  if (timing.kind === 'never') return null;
  const candidates =
    timing.kind === 'fixed'
      ? [timing.occurrence]
      : // An occurrence in effect now started at most one DURATION ago (a day more for daylight saving changes).
        occurrencesStartingBetween(timing.schedule, new Date(now.getTime() - maxDurationMs(timing.schedule)), now);
  let current: Occurrence | null = null;
  for (const occurrence of candidates) {
    if (occurrence.start <= now && now < occurrence.end && (current === null || occurrence.end >= current.end)) current = occurrence;
  }
  return current === null ? null : periodOf(window, current);
}

function maxDurationMs(schedule: FreezeSchedule): number {
  const { weeks, days, hours, minutes, seconds } = schedule.duration;
  return ((weeks * 7 + days + 1) * 24 + hours) * 3_600_000 + minutes * 60_000 + seconds * 1000;
}

/**
 * The first period of the window to start after `now` (strictly), or null when none does within the search
 * horizon (8 years for yearly and monthly rules, 2 for weekly and daily ones, 62 days for hourly ones, counted from
 * `now` or from the schedule's DTSTART when that is later).
 * @example nextPeriod(weekendWindow, new Date('2026-12-07T09:00:00Z')) // starts 2026-12-11T15:00Z (Friday 16:00 in Berlin)
 */
export function nextPeriod(window: NamedFreezeWindow, now: Date): FreezePeriod | null {
  const timing = timingOf(window.spec);
  if (timing.kind === 'never') return null;
  if (timing.kind === 'fixed') return timing.occurrence.start > now ? periodOf(window, timing.occurrence) : null;
  const { schedule } = timing;
  const firstStart = occurrenceAt(schedule, schedule.dtstart).start;
  const from = new Date(Math.max(now.getTime() + 1, firstStart.getTime() - DAY_MS));
  const horizon = lookAheadMs(schedule);
  // Searched in slices so that a frequent rule finds its next occurrence without walking the whole horizon.
  const slice = Math.min(horizon, Math.max(maxDurationMs(schedule), 40 * DAY_MS));
  for (let sliceStart = from.getTime(); sliceStart < from.getTime() + horizon; sliceStart += slice) {
    const found = occurrencesStartingBetween(schedule, new Date(sliceStart), new Date(sliceStart + slice)).find((o) => o.start > now);
    if (found !== undefined) return periodOf(window, found);
  }
  return null;
}

/**
 * The periods covering `target` at `now`, ending last first, and the next period of those windows to start.
 * @example freezesAt([weekend, xmas], { clusterName: 'production', clusterLabels: { env: 'prod' }, namespace: 'shop' }, now)
 *   // { active: [xmas period, weekend period], next: null }
 */
export function freezesAt(
  windows: readonly NamedFreezeWindow[],
  target: FreezeTarget,
  now: Date,
): { active: FreezePeriod[]; next: FreezePeriod | null } {
  const covering = windows.filter((window) => covers(window, target));
  const active = covering
    .map((window) => periodAt(window, now))
    .filter((period): period is FreezePeriod => period !== null)
    .sort((a, b) => b.end.getTime() - a.end.getTime() || a.window.localeCompare(b.window));
  let next: FreezePeriod | null = null;
  for (const window of covering) {
    const candidate = nextPeriod(window, now);
    if (candidate !== null && (next === null || candidate.start < next.start)) next = candidate;
  }
  return { active, next };
}

/**
 * Whether an in-flight release must stop its automatic progress: some active period has policy `hold`.
 * @example holdsProgress([{ policy: 'finish', … }, { policy: 'hold', … }]) === true
 */
export function holdsProgress(active: readonly FreezePeriod[]): boolean {
  return active.some((period) => period.policy === 'hold');
}

/** What a rollout's reconcile is told of the freezes in effect (see `engineFreeze`). */
export interface EngineFreeze {
  window: string;
  until: Date;
  policy: FreezePolicy;
}

/**
 * The single freeze an engine acts on, from the active periods (ending last first): while a `hold` period is in
 * effect, the one of them ending last, as progress stops until then; otherwise the period ending last, until which
 * new revisions wait. The shell evaluates again at `until`, so a longer `finish` period then takes over.
 * @example engineFreeze([{ window: 'xmas', policy: 'finish', end: jan2 }, { window: 'deploy-stop', policy: 'hold', end: dec28 }])
 *   // { window: 'deploy-stop', until: dec28, policy: 'hold' }
 */
export function engineFreeze(active: readonly FreezePeriod[]): EngineFreeze | null {
  const binding = active.find((period) => period.policy === 'hold') ?? active[0];
  return binding === undefined ? null : { window: binding.window, until: binding.end, policy: binding.policy };
}

import { parseGoDuration } from '@flotilla/argo-spec';
import type { BreakGlassOverride, FreezePeriod, FreezeWindowRow } from '../api/freeze-queries.js';
import { usageError } from '../cli/cli-error.js';
import type { Styles } from '../output/terminal.js';
import { formatTable } from '../output/table.js';
import { humanDuration } from '../output/time.js';
import { summaryContinuation, summaryField as field } from '../output/tree.js';

/** Bounds of a break-glass override's duration, as the API checks them. */
export const MIN_BREAK_GLASS_SECONDS = 60;
export const MAX_BREAK_GLASS_SECONDS = 86_400;

/** An ISO time without its milliseconds: `2026-12-24T00:00:00Z`. */
const shortIso = (iso: string): string => iso.replace(/\.\d+Z$/, 'Z');

/**
 * A period as a line: the current one by its end, a coming one by its start and end.
 * @example
 * periodText({ start: '2026-03-01T10:00:00.000Z', end: '2026-03-01T14:00:00.000Z', … }, new Date('2026-03-01T12:00:00Z'))
 * // => 'until 2026-03-01T14:00:00Z (2h0m)'
 */
export function periodText(period: Pick<FreezePeriod, 'start' | 'end'>, now: Date): string {
  const start = Date.parse(period.start);
  const end = Date.parse(period.end);
  if (start <= now.getTime()) return `until ${shortIso(period.end)} (${humanDuration(end - now.getTime())})`;
  return `${shortIso(period.start)} to ${shortIso(period.end)} (in ${humanDuration(start - now.getTime())})`;
}

/** `freeze list`: one row per window, with the period in effect now and the next one. */
export function renderFreezeList(windows: readonly FreezeWindowRow[], now: Date, style: Styles, wide = false): string {
  const headers = ['NAME', 'POLICY', 'NOW', 'NEXT', 'REASON', ...(wide ? ['CLUSTERS', 'NAMESPACES', 'APPLIED BY'] : [])];
  const rows = windows.map((window) => [
    window.name,
    window.policy,
    window.current === null ? '-' : style.yellow(`frozen ${periodText(window.current, now)}`),
    window.next === null ? '-' : periodText(window.next, now),
    window.reason,
    ...(wide ? [selectorText(window.clusterSelector), window.namespaces?.join(',') ?? '<all>', window.appliedBy] : []),
  ]);
  return formatTable(headers, rows);
}

/** `freeze get NAME`: the window's fields, its schedule and its current and next periods. */
export function renderFreezeWindow(window: FreezeWindowRow, now: Date, style: Styles): string {
  const lines = [field('Name', style.bold(window.name)), field('Reason', window.reason), field('Policy', policyText(window.policy))];
  if (window.schedule !== null) {
    const [first, ...rest] = window.schedule.trim().split('\n');
    lines.push(field('Schedule', first ?? ''), ...rest.map((line) => summaryContinuation(line.trim())));
  } else if (window.start !== null && window.end !== null) {
    lines.push(field('From', shortIso(window.start)), field('To', shortIso(window.end)));
  }
  lines.push(
    field('Clusters', selectorText(window.clusterSelector)),
    field('Namespaces', window.namespaces?.join(', ') ?? '<all>'),
    field('Now', window.current === null ? 'not frozen' : style.yellow(`frozen ${periodText(window.current, now)}`)),
    field('Next', window.next === null ? '-' : periodText(window.next, now)),
    field('Generation', String(window.generation)),
    field('Applied by', window.appliedBy),
  );
  return `${lines.join('\n')}\n`;
}

function policyText(policy: string): string {
  return policy === 'hold'
    ? 'hold (releases under way stop where they are until the window ends)'
    : 'finish (releases under way carry on; new ones wait)';
}

/** A label selector in kubectl's words: `env=prod,region in (eu,us)`; `<all>` for none. */
export function selectorText(selector: unknown): string {
  if (selector === null || typeof selector !== 'object') return '<all>';
  const { matchLabels, matchExpressions } = selector as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  const parts = [
    ...Object.entries(matchLabels ?? {}).map(([key, value]) => `${key}=${value}`),
    ...(matchExpressions ?? []).map(({ key, operator, values }) => {
      if (operator === 'Exists') return key;
      if (operator === 'DoesNotExist') return `!${key}`;
      return `${key} ${operator === 'NotIn' ? 'notin' : 'in'} (${(values ?? []).join(',')})`;
    }),
  ];
  return parts.length === 0 ? '<all>' : parts.join(',');
}

/** `break-glass list`: one row per override, active first as the API orders them. */
export function renderOverrides(overrides: readonly BreakGlassOverride[], now: Date, style: Styles, wide = false): string {
  const headers = [
    'ID',
    'STATE',
    'TARGET',
    'EXPIRES',
    'REQUESTED BY',
    'REASON',
    ...(wide ? ['CONFIRMED BY', 'DURATION', 'REQUESTED'] : []),
  ];
  const rows = overrides.map((override) => [
    override.id,
    stateText(override, style),
    `${override.targetType} ${override.target}`,
    expiresText(override, now),
    override.requestedBy,
    override.reason,
    ...(wide ? [override.confirmedBy ?? '-', humanDuration(override.durationSeconds * 1000), shortIso(override.requestedAt)] : []),
  ]);
  return formatTable(headers, rows);
}

function stateText(override: BreakGlassOverride, style: Styles): string {
  switch (override.state) {
    case 'Active':
      return style.red('Active');
    case 'PendingConfirmation':
      return style.yellow('PendingConfirmation');
    case 'Expired':
    case 'Revoked':
      return style.dim(override.state);
  }
}

function expiresText(override: BreakGlassOverride, now: Date): string {
  if (override.expiresAt === null) return 'once confirmed';
  const left = Date.parse(override.expiresAt) - now.getTime();
  return left > 0 ? `in ${humanDuration(left)}` : `${humanDuration(-left)} ago`;
}

/**
 * What one override is now, as a line printed after a break-glass command.
 * @example overrideLine(active, now, plain) // => 'break-glass 0193… Active: Rollout prod/shop/checkout until 2026-03-01T16:00:00Z (4h0m)'
 */
export function overrideLine(override: BreakGlassOverride, now: Date, style: Styles): string {
  const what = `break-glass ${style.bold(override.id)} ${stateText(override, style)}: ${override.targetType} ${override.target}`;
  if (override.state === 'PendingConfirmation') return `${what}, waits for another admin: flotilla break-glass confirm ${override.id}`;
  if (override.state === 'Active' && override.expiresAt !== null)
    return `${what} until ${periodText({ start: now.toISOString(), end: override.expiresAt }, now).slice('until '.length)}`;
  return what;
}

/**
 * `--duration` as whole seconds between a minute and a day.
 * @example breakGlassSeconds('2h') === 7200
 */
export function breakGlassSeconds(text: string): number {
  const milliseconds = parseGoDuration(text);
  if (milliseconds === undefined || milliseconds % 1000 !== 0)
    throw usageError(`--duration takes a duration in whole seconds such as 30m or 2h, not "${text}"`);
  const seconds = milliseconds / 1000;
  if (seconds < MIN_BREAK_GLASS_SECONDS || seconds > MAX_BREAK_GLASS_SECONDS)
    throw usageError(`--duration must be between 1m and 24h, not "${text}"`);
  return seconds;
}

/**
 * The line `get rollout` shows while a freeze applies: held when the window holds its progress or its new revision
 * waits, frozen otherwise (new releases and promotions are refused).
 * @example freezeLine({ window: 'weekend', policy: 'finish', … }, 'Healthy', now) // => 'frozen by weekend until … (no releases over the weekend)'
 */
export function freezeLine(freeze: FreezePeriod, message: string, now: Date): string {
  const held = freeze.policy === 'hold' || message.startsWith('held by freeze');
  const until = periodText(freeze, now).slice('until '.length);
  return `${held ? 'held by freeze' : 'frozen by'} ${freeze.window} until ${until}: ${freeze.reason}`;
}

import { parseGoDuration } from '@flotilla/argo-spec';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A duration the way kubectl prints ages: precise when short, coarser as it grows.
 * @example humanDuration(8_000) === '8s'; humanDuration(185_000) === '3m5s'; humanDuration(4 * 3_600_000) === '4h0m'
 */
export function humanDuration(milliseconds: number): string {
  const ms = Math.max(0, milliseconds);
  const whole = (unit: number) => Math.floor(ms / unit);
  if (ms < 2 * MINUTE) return `${whole(SECOND)}s`;
  if (ms < 10 * MINUTE) return `${whole(MINUTE)}m${whole(SECOND) % 60}s`;
  if (ms < 3 * HOUR) return `${whole(MINUTE)}m`;
  if (ms < 8 * HOUR) return `${whole(HOUR)}h${whole(MINUTE) % 60}m`;
  if (ms < 2 * DAY) return `${whole(HOUR)}h`;
  if (ms < 8 * DAY) return `${whole(DAY)}d${whole(HOUR) % 24}h`;
  return `${whole(DAY)}d`;
}

/** How long ago an ISO time was, as of `now`. */
export const age = (iso: string, now: Date): string => humanDuration(now.getTime() - Date.parse(iso));

/**
 * Reads `--since`: a Go duration back from `now` (`90m`, `2h`) or an ISO 8601 time; `undefined` when neither.
 * @example parseSince('1h', new Date('2026-01-01T12:00:00Z'))?.toISOString() === '2026-01-01T11:00:00.000Z'
 */
export function parseSince(text: string, now: Date): Date | undefined {
  const back = parseGoDuration(text);
  if (back !== undefined) return back < 0 ? undefined : new Date(now.getTime() - back);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : new Date(time);
}

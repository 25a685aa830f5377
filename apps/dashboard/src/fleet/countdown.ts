const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const twoDigits = (value: number): string => String(value).padStart(2, '0');

/**
 * The time left until an ISO moment, in its two largest units, rounded up to the second so that it never reads 0s
 * while time is left; `undefined` once the moment has come.
 * @example formatCountdown('2026-01-01T10:05:00Z', new Date('2026-01-01T10:00:55Z')) === '4m 05s'
 */
export function formatCountdown(untilIso: string, now: Date): string | undefined {
  const left = new Date(untilIso).getTime() - now.getTime();
  if (!(left > 0)) return undefined;
  const seconds = Math.ceil(left / SECOND);
  const days = Math.floor(seconds / (DAY / SECOND));
  const hours = Math.floor(seconds / (HOUR / SECOND)) % 24;
  const minutes = Math.floor(seconds / (MINUTE / SECOND)) % 60;
  const rest = seconds % 60;
  if (days > 0) return `${days}d ${twoDigits(hours)}h`;
  if (hours > 0) return `${hours}h ${twoDigits(minutes)}m`;
  if (minutes > 0) return `${minutes}m ${twoDigits(rest)}s`;
  return `${rest}s`;
}

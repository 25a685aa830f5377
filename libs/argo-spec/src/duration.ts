import type { IntOrString } from './types.js';

const UNIT_MILLISECONDS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

/**
 * Parses a Go duration string (`time.ParseDuration`) into milliseconds, or `undefined` when malformed.
 * @example parseGoDuration('1h30m') === 5_400_000; parseGoDuration('0') === 0; parseGoDuration('5') === undefined
 */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '') return undefined;
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < rest.length) {
    const match = DURATION_PART.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * (UNIT_MILLISECONDS[match[2] as string] as number);
  }
  return sign * total;
}

/**
 * Seconds of a pause duration as Argo reads it: an integer, a string of digits, or a Go duration string.
 * Fractions of a second are truncated, as upstream does.
 * @example pauseDurationSeconds(30) === 30; pauseDurationSeconds('10s') === 10; pauseDurationSeconds('1h') === 3600
 */
export function pauseDurationSeconds(duration: IntOrString): number | undefined {
  if (typeof duration === 'number') return Number.isInteger(duration) ? duration : undefined;
  if (/^-?\d+$/.test(duration)) return Number(duration);
  const milliseconds = parseGoDuration(duration);
  return milliseconds === undefined ? undefined : Math.trunc(milliseconds / 1000);
}

import { parseGoDuration } from '../duration.js';
import type { IssueList } from './issues.js';

const ARGUMENT_PLACEHOLDER = /\{\{\s*args\.([^{}\s]+)\s*\}\}/g;
const WHOLE_ARGUMENT_PLACEHOLDER = /^\{\{\s*args\.[^{}\s]+\s*\}\}$/;

/** `argumentPlaceholders('rate{{args.service}}[{{args.window}}]')` is `['service', 'window']`. */
export function argumentPlaceholders(text: string): string[] {
  return [...text.matchAll(ARGUMENT_PLACEHOLDER)].map((match) => match[1] as string);
}

/** A value that is only a `{{args.NAME}}` placeholder, resolved when a run is created. */
export function isArgumentPlaceholder(text: string): boolean {
  return WHOLE_ARGUMENT_PLACEHOLDER.test(text);
}

/**
 * A Go duration string such as `"30s"`, refused when malformed or below the allowed minimum.
 * `{{args.NAME}}` placeholders are accepted when `allowPlaceholder` is set, because they resolve per run.
 */
export function checkGoDuration(
  text: string | undefined,
  path: string,
  issues: IssueList,
  options: { positive: boolean; allowPlaceholder: boolean },
): void {
  if (text === undefined) return;
  if (options.allowPlaceholder && isArgumentPlaceholder(text)) return;
  const milliseconds = parseGoDuration(text);
  if (milliseconds === undefined) {
    issues.add(path, `"${text}" is not a duration such as "30s", "5m" or "1h30m"`);
  } else if (options.positive ? milliseconds <= 0 : milliseconds < 0) {
    issues.add(path, `must be ${options.positive ? 'greater than zero' : 'non-negative'}, not "${text}"`);
  }
}

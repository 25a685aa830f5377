import { parseGoDuration } from '../duration.js';
import { MAX_GO_DURATION_MILLISECONDS } from '../limits.js';
import { quoted } from '../kubernetes-names.js';
import { isArgumentPlaceholder } from './argument-placeholders.js';
import type { IssueList } from './issues.js';

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
    issues.add(path, `${quoted(text)} is not a duration such as "30s", "5m" or "1h30m"`);
  } else if (Math.abs(milliseconds) > MAX_GO_DURATION_MILLISECONDS) {
    issues.add(path, `${quoted(text)} is longer than the longest duration, 2562047h47m16s`);
  } else if (options.positive ? milliseconds <= 0 : milliseconds < 0) {
    issues.add(path, `must be ${options.positive ? 'greater than zero' : 'non-negative'}, not ${quoted(text)}`);
  }
}

import { parseFreezeSchedule } from '../freeze-schedule.js';
import type { FreezeWindowSpec } from '../freeze-window.js';
import { type IssueList } from './issues.js';
import { isRfc3339 } from './rollout-rules.js';
import type { Loose } from './schema.js';
import { checkSelector } from './selectors.js';

/**
 * The meaning of a FreezeWindow spec, once its shape has been checked: exactly one of `schedule` or `start`/`end`,
 * a schedule RFC 5545 and the library understand (DTSTART in a known zone or UTC, a bounded RRULE, a DURATION of at
 * most 31 days), fixed times in RFC 3339 with `end` after `start`, a sound selector, namespaces unique.
 * @example `{ reason: 'xmas', start: '2026-12-24T00:00:00Z' }` is refused at `spec.end`.
 */
export function checkFreezeWindowSpec(spec: Loose<FreezeWindowSpec>, issues: IssueList): void {
  const fixed = spec.start !== undefined || spec.end !== undefined;
  if (spec.schedule !== undefined && fixed) {
    issues.add('spec.schedule', 'give either a schedule or start and end, not both');
  } else if (spec.schedule !== undefined) {
    const parsed = parseFreezeSchedule(spec.schedule);
    if (!parsed.ok) parsed.problems.forEach((problem) => issues.add('spec.schedule', problem));
  } else if (!fixed) {
    issues.add('spec', 'needs a schedule, or a start and an end');
  } else {
    checkFixedTimes(spec.start, spec.end, issues);
  }
  if (spec.clusterSelector !== undefined) {
    checkSelector(spec.clusterSelector, 'spec.clusterSelector', issues, 'leave clusterSelector out to cover every cluster');
  }
  const seen = new Set<string>();
  spec.namespaces?.forEach((namespace, index) => {
    if (namespace === undefined) return;
    if (seen.has(namespace)) issues.add(`spec.namespaces[${index}]`, `"${namespace}" is listed twice`);
    seen.add(namespace);
  });
}

function checkFixedTimes(start: string | undefined, end: string | undefined, issues: IssueList): void {
  const startOk = checkTime(start, 'spec.start', issues);
  const endOk = checkTime(end, 'spec.end', issues);
  if (startOk && endOk && Date.parse(end ?? '') <= Date.parse(start ?? '')) issues.add('spec.end', 'must be after spec.start');
}

function checkTime(time: string | undefined, path: string, issues: IssueList): boolean {
  if (time === undefined) {
    issues.add(path, 'is required with a fixed window (start and end)');
    return false;
  }
  if (!isRfc3339(time)) {
    issues.add(path, `must be an RFC 3339 time such as 2026-12-24T00:00:00Z, not "${time}"`);
    return false;
  }
  return true;
}

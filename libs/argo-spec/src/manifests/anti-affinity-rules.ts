import type { AntiAffinity } from '../types.js';
import { childPath, type IssueList } from './issues.js';
import { exactlyOnePresent, type Loose } from './schema.js';

/** Anti-affinity between the pods of two releases: one strategy, and a weight Kubernetes accepts. */
export function checkAntiAffinity(antiAffinity: Loose<AntiAffinity> | undefined, path: string, issues: IssueList): void {
  if (antiAffinity === undefined) return;
  const strategies = ['preferredDuringSchedulingIgnoredDuringExecution', 'requiredDuringSchedulingIgnoredDuringExecution'];
  if (!exactlyOnePresent(antiAffinity, strategies)) issues.add(path, `must set exactly one of ${strategies.join(' and ')}`);
  const weight = antiAffinity.preferredDuringSchedulingIgnoredDuringExecution?.weight;
  if (weight !== undefined && (weight < 1 || weight > 100)) {
    issues.add(childPath(childPath(path, strategies[0] as string), 'weight'), `must be between 1 and 100, not ${weight}`);
  }
}

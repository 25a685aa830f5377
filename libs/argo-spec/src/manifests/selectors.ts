import type { LabelSelector, LabelSelectorRequirement } from '../types.js';
import { childPath, indexPath, type IssueList } from './issues.js';
import { hadRefusedFields, type Loose } from './schema.js';

function requirementMatches(requirement: Loose<LabelSelectorRequirement>, labels: Readonly<Record<string, string | undefined>>): boolean {
  const { key, operator, values = [] } = requirement;
  if (key === undefined) return false;
  const value = labels[key];
  switch (operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case undefined:
      return false;
  }
}

/**
 * Whether a Kubernetes label selector selects an object with these labels.
 * @example selectorMatches({ matchLabels: { app: 'web' } }, { app: 'web', tier: 'front' }) === true
 */
export function selectorMatches(selector: Loose<LabelSelector>, labels: Readonly<Record<string, string | undefined>>): boolean {
  const matchLabels = Object.entries(selector.matchLabels ?? {});
  const matchExpressions = selector.matchExpressions ?? [];
  return (
    matchLabels.every(([key, value]) => labels[key] === value) &&
    matchExpressions.every((requirement) => requirement === undefined || requirementMatches(requirement, labels))
  );
}

/**
 * Refuses selectors Kubernetes refuses: empty ones (saying why with `emptyRefusal`), and operators given the wrong
 * number of values. Answers whether the selector is sound enough to be matched against labels.
 */
export function checkSelector(
  selector: Loose<LabelSelector>,
  path: string,
  issues: IssueList,
  emptyRefusal = 'an empty selector would select every pod',
): boolean {
  const expressions = selector.matchExpressions ?? [];
  let sound = true;
  const refuse = (at: string, message: string): void => {
    issues.add(at, message);
    sound = false;
  };
  const refusedParts = hadRefusedFields(selector) || (selector.matchLabels !== undefined && hadRefusedFields(selector.matchLabels));
  // A selector whose only terms were refused is already reported; calling it empty would be a second, wrong issue.
  if (Object.keys(selector.matchLabels ?? {}).length + expressions.length === 0 && !refusedParts) {
    refuse(path, `must not be empty: ${emptyRefusal}`);
  }
  expressions.forEach((requirement, index) => {
    if (requirement?.operator === undefined) return;
    const valuesPath = childPath(indexPath(childPath(path, 'matchExpressions'), index), 'values');
    const valueCount = requirement.values?.length ?? 0;
    const needsValues = requirement.operator === 'In' || requirement.operator === 'NotIn';
    if (needsValues && valueCount === 0) refuse(valuesPath, `must not be empty for operator ${requirement.operator}`);
    if (!needsValues && valueCount > 0) refuse(valuesPath, `must be empty for operator ${requirement.operator}`);
  });
  return sound;
}

/** The selector must select the pods its template creates, or the workload would never see its own pods. */
export function checkSelectorSelectsTemplate(
  selector: Loose<LabelSelector>,
  templateLabels: Readonly<Record<string, string | undefined>> | undefined,
  labelsPath: string,
  issues: IssueList,
): void {
  if (!selectorMatches(selector, templateLabels ?? {})) {
    issues.add(labelsPath, 'must be selected by the selector: the pods of this template would not match it');
  }
}

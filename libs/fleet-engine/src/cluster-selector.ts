/** A requirement on one label, as Kubernetes' label selectors state it. */
export interface LabelRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  /** The values of `In` and `NotIn`; the other operators take none. */
  values?: readonly string[];
}

/** Which clusters, by their labels: every `matchLabels` pair and every `matchExpressions` requirement must hold. */
export interface ClusterSelector {
  matchLabels?: Readonly<Record<string, string>>;
  matchExpressions?: readonly LabelRequirement[];
}

/**
 * Whether a cluster with `labels` is selected. As in Kubernetes, a selector with no terms selects every cluster,
 * and `NotIn` holds for a cluster without the label.
 *
 * @example selects({ matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'region', operator: 'In', values: ['eu-west-1'] }] },
 *   { env: 'prod', region: 'eu-west-1' }) // true
 */
export function selects(selector: ClusterSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  return (selector.matchExpressions ?? []).every((requirement) => holds(requirement, labels));
}

function holds({ key, operator, values = [] }: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
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
  }
}

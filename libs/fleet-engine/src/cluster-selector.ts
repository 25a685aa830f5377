import { selectorMatches, type LabelSelector } from '@flotilla/argo-spec';

/** Which clusters, by their labels: a Kubernetes label selector, as a FleetRollout and its waves state it. */
export type ClusterSelector = LabelSelector;

/**
 * Whether a cluster with `labels` is selected. As in Kubernetes, a selector with no terms selects every cluster,
 * and `NotIn` holds for a cluster without the label.
 *
 * @example selects({ matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'region', operator: 'In', values: ['eu-west-1'] }] },
 *   { env: 'prod', region: 'eu-west-1' }) // true
 */
export const selects = (selector: ClusterSelector, labels: Readonly<Record<string, string>>): boolean => selectorMatches(selector, labels);

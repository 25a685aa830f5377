import type { RolloutSummary } from '../api/documents.js';

/** What the overview's rollout list is narrowed to; empty fields match everything. */
export interface RolloutFilter {
  cluster: string;
  namespace: string;
  phase: string;
  /** Comma-separated `key=value` equalities, or bare `key` for "has the label", as in a Kubernetes selector. */
  labels: string;
}

export const NO_FILTER: RolloutFilter = { cluster: '', namespace: '', phase: '', labels: '' };

export interface LabelRequirement {
  key: string;
  value: string | undefined;
}

/**
 * Reads an equality label selector; `undefined` when a part is not `key` or `key=value`.
 * @example parseLabelSelector('app=checkout, tier') → [{ key: 'app', value: 'checkout' }, { key: 'tier', value: undefined }]
 */
export function parseLabelSelector(text: string): LabelRequirement[] | undefined {
  const requirements: LabelRequirement[] = [];
  for (const part of text
    .split(',')
    .map((piece) => piece.trim())
    .filter((piece) => piece !== '')) {
    const match = /^([A-Za-z0-9][\w./-]*)(?:\s*==?\s*([\w./-]*))?$/.exec(part);
    if (!match?.[1]) return undefined;
    requirements.push({ key: match[1], value: match[2] });
  }
  return requirements;
}

/** Whether a rollout passes the filter; an unreadable label selector matches nothing. */
export function matchesFilter(rollout: RolloutSummary, filter: RolloutFilter): boolean {
  if (filter.cluster !== '' && rollout.cluster !== filter.cluster) return false;
  if (filter.namespace !== '' && rollout.namespace !== filter.namespace) return false;
  if (filter.phase !== '' && rollout.phase !== filter.phase) return false;
  const requirements = parseLabelSelector(filter.labels);
  if (!requirements) return false;
  return requirements.every(({ key, value }) => (value === undefined ? key in rollout.labels : rollout.labels[key] === value));
}

/**
 * How many rollouts are in each phase.
 * @example countByPhase([{ phase: 'Paused' }, { phase: 'Healthy' }, { phase: 'Paused' }]) → { Paused: 2, Healthy: 1 }
 */
export function countByPhase(rollouts: readonly Pick<RolloutSummary, 'phase'>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { phase } of rollouts) counts[phase] = (counts[phase] ?? 0) + 1;
  return counts;
}

/** Replaces the rollout an event is about, keeping the list's order; `undefined` when the list does not hold it. */
export function withChangedRollout<R extends RolloutSummary>(rollouts: readonly R[], changed: RolloutSummary): R[] | undefined {
  const index = rollouts.findIndex(
    (rollout) => rollout.cluster === changed.cluster && rollout.namespace === changed.namespace && rollout.name === changed.name,
  );
  if (index < 0) return undefined;
  return rollouts.map((rollout, position) => (position === index ? { ...rollout, ...changed } : rollout));
}

/** The rollouts of the overview's page, the first of the organization's, and whether the API holds more after them. */
export interface LoadedRolloutPage {
  rollouts: readonly Pick<RolloutSummary, 'cluster' | 'namespace' | 'name'>[];
  hasNextPage: boolean;
}

/**
 * Whether a rollout sorts after the last one of a page that has more after it, so that loading the page again would
 * not bring it. The API lists rollouts by cluster id, then namespace, then name, each compared by character code (as
 * Postgres compares uuids, and text under the C collation); `clusterIds` maps cluster names to ids, and a cluster
 * missing from it leaves the question open (false).
 * @example with a full page ending at staging/shop/m, staging/shop/z sorts after it and staging/shop/c does not
 */
export function sortsAfterPage(
  rollout: Pick<RolloutSummary, 'cluster' | 'namespace' | 'name'>,
  page: LoadedRolloutPage,
  clusterIds: ReadonlyMap<string, string>,
): boolean {
  const last = page.rollouts.at(-1);
  if (!page.hasNextPage || !last) return false;
  const rolloutCluster = clusterIds.get(rollout.cluster);
  const lastCluster = clusterIds.get(last.cluster);
  if (rolloutCluster === undefined || lastCluster === undefined) return false;
  if (rolloutCluster !== lastCluster) return rolloutCluster > lastCluster;
  if (rollout.namespace !== last.namespace) return rollout.namespace > last.namespace;
  return rollout.name > last.name;
}

/** What a desired state is for: a rollout, or (`kind: 'Experiment'`) a standalone experiment. */
export interface RolloutKey {
  namespace: string;
  name: string;
  kind?: 'Experiment';
}

/** @example rolloutKeyString({ namespace: 'shop', name: 'web', kind: 'Experiment' }) === 'experiment:shop/web' */
export const rolloutKeyString = (key: RolloutKey): string =>
  key.kind === 'Experiment' ? `experiment:${key.namespace}/${key.name}` : `${key.namespace}/${key.name}`;

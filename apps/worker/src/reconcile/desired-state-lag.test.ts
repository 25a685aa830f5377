import type { LaggingDesiredState } from '@flotilla/stores';
import { describe, expect, it } from 'vitest';
import { DesiredStateLag } from './desired-state-lag.js';

const lagging = (id: string, desiredVersion: number): LaggingDesiredState => ({
  id,
  organizationId: 'org',
  clusterId: 'cluster',
  namespace: 'shop',
  name: id,
  desiredVersion,
});

describe('DesiredStateLag', () => {
  it.each([
    { case: 'first sighting', sweeps: [[lagging('a', 3)]], resent: [] },
    { case: 'same version at two sweeps in a row', sweeps: [[lagging('a', 3)], [lagging('a', 3)]], resent: ['a'] },
    { case: 'a newer version since (its publish is recent)', sweeps: [[lagging('a', 3)], [lagging('a', 4)]], resent: [] },
    { case: 'applied in between, then lagging again', sweeps: [[lagging('a', 3)], [], [lagging('a', 3)]], resent: [] },
    { case: 'still lagging at a third sweep', sweeps: [[lagging('a', 3)], [lagging('a', 3)], [lagging('a', 3)]], resent: ['a'] },
    { case: 'only the rollouts seen before', sweeps: [[lagging('a', 3)], [lagging('a', 3), lagging('b', 1)]], resent: ['a'] },
  ])('$case → $resent', ({ sweeps, resent }) => {
    const lag = new DesiredStateLag();
    let last: LaggingDesiredState[] = [];
    for (const found of sweeps) last = lag.persisting(found);
    expect(last.map((rollout) => rollout.id)).toEqual(resent);
  });
});

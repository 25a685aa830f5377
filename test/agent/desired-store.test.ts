import { describe, expect, it } from 'vitest';
import { canaryRollout } from '../../tools/src/agent-harness/desired-rollouts.js';
import { DesiredStore, REMOVED_VERSION_MEMORY_MS } from '../../apps/agent/src/desired/desired-store.js';

const rollout = (name: string, version: number) =>
  canaryRollout({ namespace: 'shop', name, version, stable: { hash: `h${version}`, replicas: 1 } });

describe('DesiredStore', () => {
  it.each([
    ['a newer version', 5, 6, true],
    ['the same version', 5, 5, false],
    ['an older version', 5, 3, false],
  ])('with version 5 held, takes %s: %s', (_label, held, offered, taken) => {
    const store = new DesiredStore();
    store.put(rollout('web', held));
    expect(store.put(rollout('web', offered)).length > 0).toBe(taken);
    expect(store.get('shop/web')?.desiredVersion).toBe(taken ? offered : held);
  });

  it('ignores a late desired state of a deleted rollout, but takes a newer one', () => {
    const store = new DesiredStore();
    store.put(rollout('web', 2));
    expect(store.remove({ namespace: 'shop', name: 'web' }, 3)).toEqual([
      { type: 'removed', key: 'shop/web', rollout: { namespace: 'shop', name: 'web' } },
    ]);
    expect(store.put(rollout('web', 3))).toEqual([]);
    expect(store.put(rollout('web', 4))).toHaveLength(1);
  });

  it('remembers the version of a removed rollout for REMOVED_VERSION_MEMORY_MS, then forgets it', () => {
    let now = Date.parse('2026-12-06T10:00:00Z');
    const store = new DesiredStore(() => now);
    store.put(rollout('web', 2));
    store.put(rollout('api', 2));
    store.remove({ namespace: 'shop', name: 'web' }, 3);
    now += 10 * 60 * 1000;
    store.replaceAll([]);

    now += REMOVED_VERSION_MEMORY_MS - 10 * 60 * 1000 - 1;
    expect(store.put(rollout('web', 3))).toEqual([]);

    now += 1;
    expect(store.put(rollout('api', 2))).toEqual([]);
    expect(store.put(rollout('web', 3))).toHaveLength(1);
    now += 10 * 60 * 1000;
    expect(store.put(rollout('api', 2))).toHaveLength(1);
  });

  it('replaces the whole set with a snapshot: unlisted rollouts removed, equal versions reported again', () => {
    const store = new DesiredStore();
    store.put(rollout('web', 2));
    store.put(rollout('api', 7));
    const changes = store.replaceAll([rollout('web', 2), rollout('worker', 1)]);
    expect(changes.map((change) => `${change.type} ${change.key}`)).toEqual([
      'removed shop/api',
      'changed shop/web',
      'changed shop/worker',
    ]);
    expect([...store.all()].map((desired) => desired.rollout.name)).toEqual(['web', 'worker']);
  });

  it('keeps a standalone experiment apart from the rollout of its name: own versions, own removal', () => {
    const store = new DesiredStore();
    const experimentKey = { namespace: 'shop', name: 'web', kind: 'Experiment' } as const;
    store.put(rollout('web', 5));
    expect(store.put({ ...rollout('web', 1), rollout: experimentKey })).toEqual([
      expect.objectContaining({ type: 'changed', key: 'experiment:shop/web' }),
    ]);
    expect(store.remove(experimentKey, 2)).toEqual([{ type: 'removed', key: 'experiment:shop/web', rollout: experimentKey }]);
    expect(store.get('shop/web')?.desiredVersion).toBe(5);
    expect(store.replaceAll([rollout('web', 5)]).map((change) => `${change.type} ${change.key}`)).toEqual(['changed shop/web']);
  });
});

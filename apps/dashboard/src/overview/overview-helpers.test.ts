import { describe, expect, it } from 'vitest';
import type { RolloutSummary } from '../api/documents.js';
import { withAuditEvent } from '../audit/audit-events.js';
import { pathOf, type Route } from '../routing/routes.js';
import { timeAgo } from '../shared/time.js';
import { countByPhase, matchesFilter, NO_FILTER, parseLabelSelector, sortsAfterPage, withChangedRollout } from './rollout-filter.js';

function rollout(name: string, overrides: Partial<RolloutSummary> = {}): RolloutSummary {
  return {
    cluster: 'staging',
    namespace: 'shop',
    name,
    phase: 'Healthy',
    message: '',
    strategy: 'Canary',
    stepCount: 3,
    currentStepIndex: 3,
    images: [],
    labels: { app: name, tier: 'web' },
    generation: 1,
    observedGeneration: 1,
    updatedAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

describe('rollout filter', () => {
  it.each([
    ['app=checkout', [{ key: 'app', value: 'checkout' }]],
    [
      'app == checkout, tier',
      [
        { key: 'app', value: 'checkout' },
        { key: 'tier', value: undefined },
      ],
    ],
    ['', []],
    ['app!=checkout', undefined],
    ['=x', undefined],
  ])('reads the selector %j', (text, expected) => {
    expect(parseLabelSelector(text)).toEqual(expected);
  });

  it.each([
    [{}, true],
    [{ cluster: 'production' }, false],
    [{ namespace: 'shop', phase: 'Healthy' }, true],
    [{ phase: 'Paused' }, false],
    [{ labels: 'app=checkout' }, true],
    [{ labels: 'app=cart' }, false],
    [{ labels: 'tier' }, true],
    [{ labels: 'team' }, false],
    [{ labels: 'app!=cart' }, false],
  ])('with %j, matches the checkout rollout: %s', (filter, expected) => {
    expect(matchesFilter(rollout('checkout'), { ...NO_FILTER, ...filter })).toBe(expected);
  });

  it('counts by phase and patches a changed rollout in place', () => {
    const listed = [rollout('a'), rollout('b', { phase: 'Paused' }), rollout('c', { phase: 'Paused' })];
    expect(countByPhase(listed)).toEqual({ Healthy: 1, Paused: 2 });
    const patched = withChangedRollout(listed, rollout('b', { phase: 'Healthy' }));
    expect(patched?.map((entry) => `${entry.name}:${entry.phase}`)).toEqual(['a:Healthy', 'b:Healthy', 'c:Paused']);
    expect(withChangedRollout(listed, rollout('b', { cluster: 'production' }))).toBeUndefined();
  });
});

describe('a changed rollout the overview does not list', () => {
  // The API lists by cluster id: `production` (id 1…) before `staging` (id 3…), whatever their names say.
  const clusterIds = new Map([
    ['production', '1f0c2a4e-0000-4000-8000-000000000000'],
    ['canary', '2a7d0c11-0000-4000-8000-000000000000'],
    ['staging', '3b5e9f20-0000-4000-8000-000000000000'],
  ]);
  const at = (cluster: string, namespace: string, name: string) => ({ cluster, namespace, name });
  const fullPage = { rollouts: [at('production', 'shop', 'cart'), at('staging', 'shop', 'checkout')], hasNextPage: true };

  it.each([
    ['sorts after a full page by name', at('staging', 'shop', 'search'), fullPage, true],
    ['sorts after a full page by namespace', at('staging', 'stock', 'api'), fullPage, true],
    ['sorts after a full page by cluster id', at('canary', 'a', 'a'), { ...fullPage, rollouts: [at('production', 'shop', 'cart')] }, true],
    ['is new within a full page, before its last rollout by name', at('staging', 'shop', 'catalog'), fullPage, false],
    ['is new within a full page, in an earlier cluster', at('production', 'zoo', 'zebra'), fullPage, false],
    ['is new within a full page, in a cluster by id before the last', at('canary', 'zoo', 'zebra'), fullPage, false],
    ['is new on a page that holds every rollout', at('staging', 'shop', 'search'), { ...fullPage, hasNextPage: false }, false],
    ['is on a cluster the overview has no id of yet', at('edge', 'shop', 'search'), fullPage, false],
  ])('%s: sorts after the page %s', (_case, changed, page, expected) => {
    expect(sortsAfterPage(changed, page, clusterIds)).toBe(expected);
  });
});

describe('routes', () => {
  it.each<[string, Route]>([
    ['/', { page: 'overview' }],
    ['/audit', { page: 'audit' }],
    ['/rollouts/staging/shop/checkout', { page: 'rollout', rollout: { cluster: 'staging', namespace: 'shop', name: 'checkout' } }],
    ['/rollouts/staging/my%20shop/checkout', { page: 'rollout', rollout: { cluster: 'staging', namespace: 'my shop', name: 'checkout' } }],
    [
      '/analysis-runs/staging/shop/checkout-2-1',
      { page: 'analysis-run', run: { cluster: 'staging', namespace: 'shop', name: 'checkout-2-1' } },
    ],
    ['/experiments/staging/shop/purple', { page: 'experiment', experiment: { cluster: 'staging', namespace: 'shop', name: 'purple' } }],
  ])('%s is the address of %j', (path, route) => {
    expect(pathOf(route)).toBe(path);
  });
});

describe('live timelines', () => {
  it('adds an event once, in sequence order, up to the limit', () => {
    const events = [
      { id: 'c', sequence: 3 },
      { id: 'a', sequence: 1 },
    ];
    expect(withAuditEvent(events, { id: 'b', sequence: 2 }, 50).map((event) => event.sequence)).toEqual([3, 2, 1]);
    expect(withAuditEvent(events, { id: 'c', sequence: 3 }, 50)).toEqual(events);
    expect(withAuditEvent(events, { id: 'd', sequence: 4 }, 2).map((event) => event.id)).toEqual(['d', 'c']);
  });

  it.each([
    ['2026-01-01T10:02:30Z', 'just now'],
    ['2026-01-01T10:02:00Z', '30s ago'],
    ['2026-01-01T10:00:00Z', '2m ago'],
    ['2026-01-01T07:00:00Z', '3h ago'],
    ['2025-12-30T10:00:00Z', '2d ago'],
  ])('says %s was %s', (iso, expected) => {
    expect(timeAgo(iso, new Date('2026-01-01T10:02:30Z'))).toBe(expected);
  });
});

import { describe, expect, it } from 'vitest';
import type { Route } from '../routing/routes.js';
import { targetRoute } from './audit-target.js';

describe('targetRoute', () => {
  it.each<[string, string, Route | undefined]>([
    ['Rollout', 'staging/shop/checkout', { page: 'rollout', rollout: { cluster: 'staging', namespace: 'shop', name: 'checkout' } }],
    ['Rollout', 'staging/shop', undefined],
    ['Rollout', 'staging/shop/checkout/extra', undefined],
    ['FleetRelease', 'podinfo#3', { page: 'fleet-rollout', fleetRollout: 'podinfo', release: 3 }],
    ['FleetRelease', 'podinfo#0', undefined],
    ['FleetRollout', 'podinfo', { page: 'fleet-rollout', fleetRollout: 'podinfo', release: undefined }],
    ['ApiToken', 'ci', undefined],
  ])('%s %s → %j', (targetType, targetName, route) => {
    expect(targetRoute({ targetType, targetName })).toEqual(route);
  });
});

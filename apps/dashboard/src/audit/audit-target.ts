import type { AuditEvent } from '../api/documents.js';
import type { Route } from '../routing/routes.js';

/**
 * The page an audit event's target has, when it has one: a Rollout is named `cluster/namespace/name`, a FleetRelease
 * `fleetRollout#number`.
 * @example targetRoute({ targetType: 'Rollout', targetName: 'staging/shop/checkout' }) → { page: 'rollout', rollout: { cluster: 'staging', namespace: 'shop', name: 'checkout' } }
 * @example targetRoute({ targetType: 'FleetRelease', targetName: 'podinfo#3' }) → { page: 'fleet-rollout', fleetRollout: 'podinfo', release: 3 }
 */
export function targetRoute(event: Pick<AuditEvent, 'targetType' | 'targetName'>): Route | undefined {
  if (event.targetType === 'Rollout') {
    const [cluster, namespace, name, ...rest] = event.targetName.split('/');
    if (cluster && namespace && name && rest.length === 0) return { page: 'rollout', rollout: { cluster, namespace, name } };
  }
  if (event.targetType === 'FleetRelease') {
    const match = /^(.+)#([1-9]\d{0,8})$/.exec(event.targetName);
    if (match?.[1] && match[2]) return { page: 'fleet-rollout', fleetRollout: match[1], release: Number(match[2]) };
  }
  if (event.targetType === 'FleetRollout') return { page: 'fleet-rollout', fleetRollout: event.targetName, release: undefined };
  return undefined;
}

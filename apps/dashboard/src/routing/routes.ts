import type { RolloutRef } from '../api/documents.js';

/** The pages of the dashboard, each at its own address so it can be bookmarked and reloaded. */
export type Route =
  | { page: 'overview' }
  | { page: 'rollout'; rollout: RolloutRef }
  | { page: 'fleet-rollouts' }
  /** `release` absent: the FleetRollout's current release. */
  | { page: 'fleet-rollout'; fleetRollout: string; release: number | undefined }
  | { page: 'audit' }
  | { page: 'freezes' }
  | { page: 'not-found'; path: string };

/** A release number as an address spells it: a positive integer without leading zeros. */
const releaseNumber = (text: string | undefined): number | undefined => (text && /^[1-9]\d{0,8}$/.test(text) ? Number(text) : undefined);

/**
 * The page an address shows.
 * @example routeOf('/rollouts/staging/shop/checkout') → { page: 'rollout', rollout: { cluster: 'staging', namespace: 'shop', name: 'checkout' } }
 * @example routeOf('/fleet/checkout/releases/3') → { page: 'fleet-rollout', fleetRollout: 'checkout', release: 3 }
 */
export function routeOf(pathname: string): Route {
  const parts = pathname
    .split('/')
    .filter((part) => part !== '')
    .map((part) => decodeURIComponent(part));
  if (parts.length === 0) return { page: 'overview' };
  const [first, second, third, fourth] = parts;
  if (parts.length === 1 && first === 'audit') return { page: 'audit' };
  if (parts.length === 1 && first === 'freezes') return { page: 'freezes' };
  if (first === 'fleet') {
    if (parts.length === 1) return { page: 'fleet-rollouts' };
    if (parts.length === 2 && second) return { page: 'fleet-rollout', fleetRollout: second, release: undefined };
    const release = releaseNumber(fourth);
    if (parts.length === 4 && second && third === 'releases' && release !== undefined)
      return { page: 'fleet-rollout', fleetRollout: second, release };
  }
  if (parts.length === 4 && first === 'rollouts' && second && third && fourth)
    return { page: 'rollout', rollout: { cluster: second, namespace: third, name: fourth } };
  return { page: 'not-found', path: pathname };
}

/** The address of a page. */
export function pathOf(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '/';
    case 'audit':
      return '/audit';
    case 'freezes':
      return '/freezes';
    case 'rollout': {
      const { cluster, namespace, name } = route.rollout;
      return `/rollouts/${[cluster, namespace, name].map(encodeURIComponent).join('/')}`;
    }
    case 'fleet-rollouts':
      return '/fleet';
    case 'fleet-rollout': {
      const base = `/fleet/${encodeURIComponent(route.fleetRollout)}`;
      return route.release === undefined ? base : `${base}/releases/${route.release}`;
    }
    case 'not-found':
      return route.path;
  }
}

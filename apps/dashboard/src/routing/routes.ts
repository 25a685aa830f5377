import type { RolloutRef } from '../api/documents.js';

/** The pages of the dashboard, each at its own address so it can be bookmarked and reloaded. */
export type Route =
  { page: 'overview' } | { page: 'rollout'; rollout: RolloutRef } | { page: 'audit' } | { page: 'not-found'; path: string };

/**
 * The page an address shows.
 * @example routeOf('/rollouts/staging/shop/checkout') → { page: 'rollout', rollout: { cluster: 'staging', namespace: 'shop', name: 'checkout' } }
 */
export function routeOf(pathname: string): Route {
  const parts = pathname
    .split('/')
    .filter((part) => part !== '')
    .map((part) => decodeURIComponent(part));
  if (parts.length === 0) return { page: 'overview' };
  if (parts.length === 1 && parts[0] === 'audit') return { page: 'audit' };
  const [first, cluster, namespace, name] = parts;
  if (parts.length === 4 && first === 'rollouts' && cluster && namespace && name)
    return { page: 'rollout', rollout: { cluster, namespace, name } };
  return { page: 'not-found', path: pathname };
}

/** The address of a page. */
export function pathOf(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '/';
    case 'audit':
      return '/audit';
    case 'rollout': {
      const { cluster, namespace, name } = route.rollout;
      return `/rollouts/${[cluster, namespace, name].map(encodeURIComponent).join('/')}`;
    }
    case 'not-found':
      return route.path;
  }
}

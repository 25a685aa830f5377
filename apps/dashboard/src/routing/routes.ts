import type { RolloutRef } from '../api/documents.js';

/** An object named within one namespace of one cluster, such as an analysis run or an experiment. */
export interface NamespacedRef {
  cluster: string;
  namespace: string;
  name: string;
}

/** The pages of the dashboard, each at its own address so it can be bookmarked and reloaded. */
export type Route =
  | { page: 'overview' }
  | { page: 'rollout'; rollout: RolloutRef }
  | { page: 'analysis-run'; run: NamespacedRef }
  | { page: 'experiment'; experiment: NamespacedRef }
  | { page: 'fleet-rollouts' }
  /** `release` absent: the FleetRollout's current release. */
  | { page: 'fleet-rollout'; fleetRollout: string; release: number | undefined }
  | { page: 'audit' }
  | { page: 'freezes' };

/** The address patterns of the pages, as the router matches them (`:name` is one path segment). */
export const ROUTE_PATTERNS = {
  overview: '/',
  rollout: '/rollouts/:cluster/:namespace/:name',
  analysisRun: '/analysis-runs/:cluster/:namespace/:name',
  experiment: '/experiments/:cluster/:namespace/:name',
  fleetRollouts: '/fleet',
  fleetRollout: '/fleet/:fleetRollout',
  /** A release number is a positive integer without leading zeros. */
  fleetRelease: /^\/fleet\/(?<fleetRollout>[^/]+)\/releases\/(?<release>[1-9]\d{0,8})\/?$/,
  audit: '/audit',
  freezes: '/freezes',
} as const;

const namespacedPath = ({ cluster, namespace, name }: NamespacedRef): string =>
  [cluster, namespace, name].map(encodeURIComponent).join('/');

/**
 * The address of a page.
 * @example pathOf({ page: 'rollout', rollout: { cluster: 'staging', namespace: 'shop', name: 'checkout' } }) === '/rollouts/staging/shop/checkout'
 * @example pathOf({ page: 'analysis-run', run: { cluster: 'staging', namespace: 'shop', name: 'checkout-2-1' } }) === '/analysis-runs/staging/shop/checkout-2-1'
 * @example pathOf({ page: 'fleet-rollout', fleetRollout: 'checkout', release: 3 }) === '/fleet/checkout/releases/3'
 */
export function pathOf(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '/';
    case 'audit':
      return '/audit';
    case 'freezes':
      return '/freezes';
    case 'rollout':
      return `/rollouts/${namespacedPath(route.rollout)}`;
    case 'analysis-run':
      return `/analysis-runs/${namespacedPath(route.run)}`;
    case 'experiment':
      return `/experiments/${namespacedPath(route.experiment)}`;
    case 'fleet-rollouts':
      return '/fleet';
    case 'fleet-rollout': {
      const base = `/fleet/${encodeURIComponent(route.fleetRollout)}`;
      return route.release === undefined ? base : `${base}/releases/${route.release}`;
    }
  }
}

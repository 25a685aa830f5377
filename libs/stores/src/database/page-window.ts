/** Up to `limit` items of a list kept newest first, after the item `afterId` when given. */
export interface PageWindow {
  limit: number;
  afterId: string | undefined;
}

/** The cursor arguments of a Prisma `findMany` over a window of a list ordered by id. */
export const windowArguments = (window: PageWindow): { take: number; cursor?: { id: string }; skip?: number } => ({
  take: window.limit,
  ...(window.afterId ? { cursor: { id: window.afterId }, skip: 1 } : {}),
});

/** Whether a filter field narrows the list: absent, null and empty mean it does not. */
export const isGiven = <T>(value: T | null | undefined): value is T => value !== undefined && value !== null && value !== '';

/** The filter the API offers on what lives in a cluster's namespace and may belong to a rollout. */
export interface PlacementFilter {
  /** Cluster name. */
  cluster?: string | null;
  namespace?: string | null;
  /** Name of the rollout they belong to. */
  rollout?: string | null;
  name?: string | null;
  phase?: string | null;
}

/** The `where` terms of a `PlacementFilter`, for any table with a cluster, a namespace, a rollout, a name and a phase. */
export const placementWhere = (filter: PlacementFilter) => ({
  ...(isGiven(filter.cluster) ? { cluster: { name: filter.cluster } } : {}),
  ...(isGiven(filter.namespace) ? { namespace: filter.namespace } : {}),
  ...(isGiven(filter.rollout) ? { rollout: { name: filter.rollout } } : {}),
  ...(isGiven(filter.name) ? { name: filter.name } : {}),
  ...(isGiven(filter.phase) ? { phase: filter.phase } : {}),
});

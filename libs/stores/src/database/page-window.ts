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

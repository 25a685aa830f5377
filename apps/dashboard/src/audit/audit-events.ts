/**
 * Adds a live event to a newest-first timeline: once, in sequence order, keeping at most `limit` events.
 * @example withAuditEvent([{ id: 'c', sequence: 3 }, { id: 'a', sequence: 1 }], { id: 'b', sequence: 2 }, 50) → sequences 3, 2, 1
 */
export function withAuditEvent<E extends { id: string; sequence: number }>(events: readonly E[], added: E, limit: number): E[] {
  if (events.some((event) => event.id === added.id)) return [...events];
  return [...events, added].sort((a, b) => b.sequence - a.sequence).slice(0, limit);
}

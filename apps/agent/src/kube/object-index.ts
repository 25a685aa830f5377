/** Indexes of cached objects by a key of their own (their owner, their ReplicaSet), kept current as changes arrive. */

import type { CacheChange } from './object-cache.js';
import { keyOf, type KubeObject } from './kube-object.js';

export function addToIndex(index: Map<string, Set<string>>, key: string, member: string): void {
  const members = index.get(key) ?? new Set<string>();
  members.add(member);
  index.set(key, members);
}

export function removeFromIndex(index: Map<string, Set<string>>, key: string, member: string): void {
  const members = index.get(key);
  members?.delete(member);
  if (members?.size === 0) index.delete(key);
}

/** Files a changed object under the key `keyFor` gives it, and out of its previous version's key when that differs. */
export function reindex<T extends KubeObject>(
  index: Map<string, Set<string>>,
  change: CacheChange<T>,
  keyFor: (object: T) => string | undefined,
): void {
  const member = keyOf(change.object);
  const key = keyFor(change.object);
  const previousKey = change.type === 'upsert' && change.previous !== undefined ? keyFor(change.previous) : undefined;
  if (previousKey !== undefined && previousKey !== key) removeFromIndex(index, previousKey, member);
  if (key === undefined) return;
  if (change.type === 'delete') removeFromIndex(index, key, member);
  else addToIndex(index, key, member);
}

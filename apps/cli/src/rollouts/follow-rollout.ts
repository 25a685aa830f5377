import { followChanges, type FollowOptions, type FollowOutcome } from '../api/follow-changes.js';
import { ROLLOUT_CHANGED, type RolloutRef } from '../api/queries.js';

export type { FollowOutcome } from '../api/follow-changes.js';

/** Follows one rollout: reads it now, after each of its `rolloutChanged` events and every `pollMs` (see `followChanges`). */
export function followRollout<T>(options: Omit<FollowOptions<T>, 'changes'> & { rollout: RolloutRef }): Promise<FollowOutcome> {
  const { rollout, ...rest } = options;
  return followChanges({ ...rest, changes: [{ document: ROLLOUT_CHANGED, variables: { ...rollout } }] });
}

import { rolloutKeyString, type DesiredRollout, type RolloutKey } from '@flotilla/protocol';

export type DesiredChange =
  { type: 'changed'; key: string; desired: DesiredRollout } | { type: 'removed'; key: string; rollout: RolloutKey };

/**
 * How long a removed rollout's version is remembered. A late `desired` is one the control plane sent again before it
 * learnt of the deletion (it re-sends unapplied versions every sweep, within a minute), so an hour is ample; without a
 * bound the map would hold every key ever deleted for the life of the agent.
 */
export const REMOVED_VERSION_MEMORY_MS = 60 * 60 * 1000;

/**
 * The last desired state of every rollout of the cluster. Versions only grow: an older version than the one held is
 * ignored, so that a message delayed behind a newer one cannot undo it. Removed rollouts leave their version behind
 * for `REMOVED_VERSION_MEMORY_MS` so that a late `desired` for them is ignored as well.
 */
export class DesiredStore {
  private readonly rollouts = new Map<string, DesiredRollout>();
  /** By key, in the order of removal (oldest first). */
  private readonly removedAt = new Map<string, { version: number; at: number }>();

  /** `now` answers the time in milliseconds since the epoch. */
  constructor(private readonly now: () => number = Date.now) {}

  get(key: string): DesiredRollout | undefined {
    return this.rollouts.get(key);
  }

  all(): IterableIterator<DesiredRollout> {
    return this.rollouts.values();
  }

  get size(): number {
    return this.rollouts.size;
  }

  /**
   * Takes a desired rollout unless an equal or newer version is held.
   * @example put(v3) after v5 → [] (ignored); put(v6) after v5 → [{ type: 'changed', … }]
   */
  put(desired: DesiredRollout): DesiredChange[] {
    const key = rolloutKeyString(desired.rollout);
    const held = this.rollouts.get(key)?.desiredVersion ?? this.removedVersion(key) ?? -1;
    if (desired.desiredVersion <= held) return [];
    this.rollouts.set(key, desired);
    this.removedAt.delete(key);
    return [{ type: 'changed', key, desired }];
  }

  remove(rollout: RolloutKey, desiredVersion: number): DesiredChange[] {
    const key = rolloutKeyString(rollout);
    const held = this.rollouts.get(key);
    if (held !== undefined && desiredVersion < held.desiredVersion) return [];
    this.recordRemoval(key, Math.max(desiredVersion, this.removedVersion(key) ?? -1));
    if (held === undefined) return [];
    this.rollouts.delete(key);
    return [{ type: 'removed', key, rollout }];
  }

  /**
   * Replaces the whole set: rollouts not in the snapshot are removed. A snapshot entry at the version already held
   * is reported as changed too, because a snapshot ends any local fallback (hub loss) for that rollout.
   */
  replaceAll(snapshot: DesiredRollout[]): DesiredChange[] {
    const listed = new Set(snapshot.map((desired) => rolloutKeyString(desired.rollout)));
    const changes: DesiredChange[] = [];
    for (const [key, held] of this.rollouts) {
      if (listed.has(key)) continue;
      this.rollouts.delete(key);
      this.recordRemoval(key, held.desiredVersion);
      changes.push({ type: 'removed', key, rollout: held.rollout });
    }
    for (const desired of snapshot) {
      const key = rolloutKeyString(desired.rollout);
      const held = this.rollouts.get(key);
      if (held !== undefined && desired.desiredVersion < held.desiredVersion) continue;
      this.rollouts.set(key, desired);
      this.removedAt.delete(key);
      changes.push({ type: 'changed', key, desired });
    }
    return changes;
  }

  private removedVersion(key: string): number | undefined {
    this.forgetOldRemovals();
    return this.removedAt.get(key)?.version;
  }

  private recordRemoval(key: string, version: number): void {
    this.forgetOldRemovals();
    this.removedAt.delete(key);
    this.removedAt.set(key, { version, at: this.now() });
  }

  private forgetOldRemovals(): void {
    const oldest = this.now() - REMOVED_VERSION_MEMORY_MS;
    for (const [key, removal] of this.removedAt) {
      if (removal.at > oldest) return;
      this.removedAt.delete(key);
    }
  }
}

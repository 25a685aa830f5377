import type { LaggingDesiredState } from '@flotilla/stores';

/**
 * Remembers which rollouts' agents had not applied their desired version at the previous sweep. A rollout found
 * lagging at the same version twice in a row has lagged for at least a sweep interval: far longer than a delivered
 * desired state takes to be applied, so its `desiredStateChanged` was most likely lost (a worker stopped between
 * its commit and the publish, Redis away for a moment) and is worth sending again.
 */
export class DesiredStateLag {
  private previous: ReadonlyMap<string, number> = new Map();

  /**
   * Takes the rollouts lagging now and answers those that lagged at the same desired version last time.
   * @example persisting([{ id: 'a', desiredVersion: 3, … }]) → [] ; then persisting([{ id: 'a', desiredVersion: 3, … }]) → [a]
   */
  persisting(lagging: readonly LaggingDesiredState[]): LaggingDesiredState[] {
    const previous = this.previous;
    this.previous = new Map(lagging.map((rollout) => [rollout.id, rollout.desiredVersion]));
    return lagging.filter((rollout) => previous.get(rollout.id) === rollout.desiredVersion);
  }
}

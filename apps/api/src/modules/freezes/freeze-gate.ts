import { Injectable } from '@nestjs/common';
import { freezesAt, periodAt, type FreezePeriod, type FreezeTarget, type NamedFreezeWindow } from '@flotilla/freeze-windows';
import { FreezeActiveError } from '@flotilla/service-runtime';
import { BreakGlassStore, ClusterStore, FreezeWindowStore, type OrganizationScope, type RolloutWithCluster } from '@flotilla/stores';

/** Whether a freeze applies to an act now, and the break-glass override that lifts it, if any. */
export interface FreezeVerdict {
  /** The active period covering one of the targets that ends last; null when none covers them. */
  freeze: FreezePeriod | null;
  /** The active override of one of the ids asked about, when a freeze applies; null otherwise. */
  overrideId: string | null;
}

const OPEN: FreezeVerdict = { freeze: null, overrideId: null };

/**
 * The one place that answers "is this target frozen now, and does a break-glass override lift it" for the rollout
 * operations, the fleet release operations and `Rollout.freeze`. A target is a cluster (name and labels) and a
 * namespace; overrides are looked up by the ids of what they name (a rollout, a fleet release).
 */
@Injectable()
export class FreezeGate {
  constructor(
    private readonly windows: FreezeWindowStore,
    private readonly overrides: BreakGlassStore,
    private readonly clusters: ClusterStore,
  ) {}

  /**
   * The freeze covering any of the targets now, and the override of any of `overrideTargetIds` that lifts it.
   * Targets are only asked for (their cluster labels read) once some window is in effect at all.
   */
  async verdict(
    scope: OrganizationScope,
    targets: () => Promise<readonly FreezeTarget[]>,
    overrideTargetIds: readonly (string | null)[],
    now: Date,
  ): Promise<FreezeVerdict> {
    const freeze = latestEnding(await this.covering(scope, targets, now));
    if (freeze === null) return OPEN;
    const ids = overrideTargetIds.filter((id): id is string => id !== null);
    const override = ids.length === 0 ? null : await this.overrides.activeFor(scope, ids, now);
    return { freeze, overrideId: override?.id ?? null };
  }

  /** The periods in effect now that cover any of the targets, one per window and target. */
  async covering(scope: OrganizationScope, targets: () => Promise<readonly FreezeTarget[]>, now: Date): Promise<FreezePeriod[]> {
    const windows = await this.inEffect(scope, now);
    if (windows.length === 0) return [];
    return (await targets()).flatMap((target) => freezesAt(windows, target, now).active);
  }

  /**
   * Refuses the act with `freeze/active` while a freeze covers one of the targets and no override lifts it; answers
   * the id of the override it proceeds under (to mark its audit entry), or null when no freeze applies.
   */
  async assertOpen(
    scope: OrganizationScope,
    targets: () => Promise<readonly FreezeTarget[]>,
    overrideTargetIds: readonly (string | null)[],
    now: Date,
  ): Promise<string | null> {
    const { freeze, overrideId } = await this.verdict(scope, targets, overrideTargetIds, now);
    if (freeze !== null && overrideId === null)
      throw new FreezeActiveError({ window: freeze.window, reason: freeze.reason, end: freeze.end });
    return overrideId;
  }

  /** The verdict for one rollout: its cluster and namespace, lifted by an override of it or of its fleet release. */
  forRollout(scope: OrganizationScope, rollout: RolloutWithCluster, now: Date): Promise<FreezeVerdict> {
    return this.verdict(scope, () => this.rolloutTargets(scope, rollout), [rollout.id, rollout.fleetReleaseId], now);
  }

  /** `assertOpen` for one rollout. */
  assertRolloutOpen(scope: OrganizationScope, rollout: RolloutWithCluster, now: Date): Promise<string | null> {
    return this.assertOpen(scope, () => this.rolloutTargets(scope, rollout), [rollout.id, rollout.fleetReleaseId], now);
  }

  /** Targets of a namespace in each of the named clusters, with the clusters' labels now. */
  async clusterTargets(scope: OrganizationScope, clusterNames: readonly string[], namespace: string): Promise<FreezeTarget[]> {
    const wanted = new Set(clusterNames);
    const clusters = await this.clusters.list(scope);
    return clusters
      .filter((cluster) => wanted.has(cluster.name))
      .map((cluster) => ({ clusterName: cluster.name, clusterLabels: cluster.labels, namespace }));
  }

  /** The organization's windows with a period in effect now: usually none, which spares reading the targets. */
  private async inEffect(scope: OrganizationScope, now: Date): Promise<NamedFreezeWindow[]> {
    const windows = await this.windows.list(scope);
    return windows.map(({ name, spec }) => ({ name, spec })).filter((window) => periodAt(window, now) !== null);
  }

  private rolloutTargets(scope: OrganizationScope, rollout: RolloutWithCluster): Promise<FreezeTarget[]> {
    return this.clusterTargets(scope, [rollout.cluster.name], rollout.namespace);
  }
}

/** The period that ends last, so that a refusal names when the act may be tried again; null for none. */
function latestEnding(periods: readonly FreezePeriod[]): FreezePeriod | null {
  return periods.reduce<FreezePeriod | null>((latest, period) => (latest === null || period.end > latest.end ? period : latest), null);
}

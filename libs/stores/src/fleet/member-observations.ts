import { observeMember, type MemberFreeze, type MemberObservation } from '@flotilla/fleet-engine';
import type { FleetMemberRow, LoadedRelease } from './fleet-release-store.js';

/**
 * What the fleet engine sees of each member of a loaded release: its Rollout, its cluster's connection and the freeze
 * holding it back (`frozen`, by cluster name: as `frozenMembers` finds it; none when absent); a cluster without the
 * Rollout, or a cluster gone, is absent.
 */
export function memberObservations(
  members: Readonly<Record<string, FleetMemberRow>>,
  frozen: Readonly<Record<string, MemberFreeze>> = {},
): Record<string, MemberObservation> {
  const observed: Record<string, MemberObservation> = {};
  for (const [cluster, { cluster: clusterRow, rollout }] of Object.entries(members)) {
    observed[cluster] =
      clusterRow && rollout
        ? observeMember(
            { spec: rollout.spec, status: rollout.status ?? undefined, generation: rollout.generation, retryAsked: rollout.retryAsked },
            clusterRow,
            frozen[cluster] ?? null,
          )
        : { present: false };
  }
  return observed;
}

/** A member rollout's place, as a freeze window covers it, and the ids a break-glass override of it may name. */
export interface MemberFreezeSubject {
  organizationId: string;
  clusterName: string;
  clusterLabels: Readonly<Record<string, string>>;
  namespace: string;
  overrideTargetIds: readonly string[];
}

/** Finds the freeze in effect for a place: null when none is, or an override of one of its ids lifts it. */
export interface MemberFreezeFinder {
  freezeFor(subject: MemberFreezeSubject, now: Date): Promise<MemberFreeze | null>;
}

/**
 * The freeze holding each member back, by cluster, for `memberObservations`: the windows covering its cluster and the
 * Rollout's namespace, unless a break-glass override of the release or of the member's rollout lifts them. The
 * worker's decisions and the API's operations find them alike, so that neither changes a frozen member.
 */
export async function frozenMembers(
  { release, members }: LoadedRelease,
  freezes: MemberFreezeFinder,
  now: Date,
): Promise<Record<string, MemberFreeze>> {
  const frozen: Record<string, MemberFreeze> = {};
  for (const [name, { cluster, rollout }] of Object.entries(members)) {
    if (cluster === null || rollout === null) continue;
    const freeze = await freezes.freezeFor(
      {
        organizationId: release.organizationId,
        clusterName: cluster.name,
        clusterLabels: cluster.labels,
        namespace: release.spec.rollout.namespace,
        overrideTargetIds: [release.id, rollout.id],
      },
      now,
    );
    if (freeze !== null) frozen[name] = { window: freeze.window, until: freeze.until };
  }
  return frozen;
}

import { observeMember, type MemberFreeze, type MemberObservation } from '@flotilla/fleet-engine';
import type { FleetMemberRow } from './fleet-release-store.js';

/**
 * What the fleet engine sees of each member of a loaded release: its Rollout, its cluster's connection and the freeze
 * holding it back (`frozen`, by cluster name: the worker's finding; none when absent); a cluster without the Rollout,
 * or a cluster gone, is absent.
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
            { spec: rollout.spec, status: rollout.status ?? undefined, generation: rollout.generation },
            clusterRow,
            frozen[cluster] ?? null,
          )
        : { present: false };
  }
  return observed;
}

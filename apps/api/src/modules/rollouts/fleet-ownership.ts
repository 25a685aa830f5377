import { ErrorCode, FlotillaError, type FieldProblem } from '@flotilla/service-runtime';
import { fleetReleaseTargetName, organizationScope, type FleetReleaseStore, type Transaction } from '@flotilla/stores';

/** A rollout as far as fleet ownership goes: its name in audit records and the fleet release it belongs to. */
export interface OwnedRollout {
  organizationId: string;
  targetName: string;
  fleetReleaseId: string | null;
}

/**
 * Refuses a direct change of a rollout's pod template while an active fleet release owns it: the release set that
 * template and would take any other for a failure of its member. Operations that keep the template (restart, promote,
 * abort, undo) and manifests that change only other fields are not asked here.
 */
export async function assertNotFleetOwned(
  releases: FleetReleaseStore,
  rollout: OwnedRollout,
  problems: (message: string) => FieldProblem[] = () => [],
  transaction?: Transaction,
): Promise<void> {
  if (rollout.fleetReleaseId === null) return;
  const release = await releases.findById(organizationScope(rollout.organizationId), rollout.fleetReleaseId, transaction);
  if (!release) return;
  const owner = `fleet release ${fleetReleaseTargetName(release.fleetRolloutName, release.number)} (${release.phase})`;
  const message = `belongs to ${owner}: change it with releaseFleet, or abort that release first`;
  throw new FlotillaError(ErrorCode.RolloutFleetOwned, `rollout ${rollout.targetName} ${message}`, problems(message));
}

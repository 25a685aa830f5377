import type { Redis } from 'ioredis';
import { runPhaseJobId, TriggerQueue, versionJobId } from './trigger-queue.js';

export const FLEET_RECONCILE_QUEUE_NAME = 'fleet-reconcile';
export const FLEET_RECONCILE_JOB = 'fleet-reconcile';

/** The payload of a fleet reconcile job: the fleet release to decide again. */
export interface FleetReconcileJobData {
  fleetReleaseId: string;
}

export function isFleetReconcileJobData(value: unknown): value is FleetReconcileJobData {
  if (typeof value !== 'object' || value === null) return false;
  const { fleetReleaseId } = value as { fleetReleaseId?: unknown };
  return typeof fleetReleaseId === 'string' && fleetReleaseId.length > 0;
}

/**
 * Producer side of the `fleet-reconcile` queue, with the job ids of the `reconcile` queue: a release as it is at a
 * version is one job, a wake-up at an exact time is one job per time, and a member rollout's change is one job per
 * version of that rollout.
 */
export class FleetReconcileQueue extends TriggerQueue<FleetReconcileJobData> {
  /** @param wakeUpHorizonMs see `TriggerQueue`: wake-ups further off are left to the sweep. */
  constructor(connection: Redis, prefix: string, wakeUpHorizonMs?: number) {
    super(FLEET_RECONCILE_QUEUE_NAME, FLEET_RECONCILE_JOB, connection, prefix, wakeUpHorizonMs);
  }

  /** Asks for a decision on the release as it is at `version`. */
  request(fleetReleaseId: string, version: number): Promise<void> {
    return this.trigger({ fleetReleaseId }, versionJobId(fleetReleaseId, version));
  }

  /** Asks for a decision on the release, at `version`, because its pooled analysis run `runId` reached `phase`. */
  runPhaseChanged(fleetReleaseId: string, version: number, runId: string, phase: string): Promise<void> {
    return this.trigger({ fleetReleaseId }, runPhaseJobId(fleetReleaseId, version, runId, phase));
  }

  /** Wakes the release at an exact time (a soak's end, a disconnection's deadline) within the horizon. */
  wakeAt(fleetReleaseId: string, at: Date, now = new Date()): Promise<void> {
    return this.wakeUp({ fleetReleaseId }, fleetReleaseId, at, now);
  }

  /** Asks for a decision on the release because its member rollout was written at `rolloutVersion`. */
  memberChanged(fleetReleaseId: string, rolloutId: string, rolloutVersion: number): Promise<void> {
    return this.trigger({ fleetReleaseId }, memberChangedJobId(fleetReleaseId, rolloutId, rolloutVersion));
  }
}

/** One job per version of a member rollout, whichever release it is a member of. */
export const memberChangedJobId = (fleetReleaseId: string, rolloutId: string, rolloutVersion: number): string =>
  `${fleetReleaseId}.r${versionJobId(rolloutId, rolloutVersion)}`;

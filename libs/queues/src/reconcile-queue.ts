import type { Redis } from 'ioredis';
import { runPhaseJobId, TriggerQueue, versionJobId } from './trigger-queue.js';

export const RECONCILE_QUEUE_NAME = 'reconcile';
export const RECONCILE_JOB = 'reconcile';

/** The payload of a reconcile job, shared by every producer and the worker: a rollout, or a standalone experiment. */
export type ReconcileJobData = { rolloutId: string } | { experimentId: string };

export function isReconcileJobData(value: unknown): value is ReconcileJobData {
  if (typeof value !== 'object' || value === null) return false;
  const { rolloutId, experimentId } = value as { rolloutId?: unknown; experimentId?: unknown };
  return typeof rolloutId === 'string' || typeof experimentId === 'string';
}

/**
 * Producer side of the `reconcile` queue. Every change of a rollout (or experiment) row bumps its version, and a
 * trigger for a version is one job however often it is sent; a wake-up at an exact time is one job per time.
 */
export class ReconcileQueue extends TriggerQueue<ReconcileJobData> {
  /** @param wakeUpHorizonMs see `TriggerQueue`: wake-ups further off are left to the sweep. */
  constructor(connection: Redis, prefix: string, wakeUpHorizonMs?: number) {
    super(RECONCILE_QUEUE_NAME, RECONCILE_JOB, connection, prefix, wakeUpHorizonMs);
  }

  /** Asks for a reconcile of the rollout as it is at `version`. */
  request(rolloutId: string, version: number): Promise<void> {
    return this.trigger({ rolloutId }, versionJobId(rolloutId, version));
  }

  /** Asks for a reconcile of the rollout, at `version`, because its analysis run `runId` reached `phase` (`runPhaseJobId`). */
  runPhaseChanged(rolloutId: string, version: number, runId: string, phase: string): Promise<void> {
    return this.trigger({ rolloutId }, runPhaseJobId(rolloutId, version, runId, phase));
  }

  /** Wakes the rollout's reconcile at an exact time (end of a pause, a delay or a deadline) within the horizon. */
  wakeAt(rolloutId: string, at: Date, now = new Date()): Promise<void> {
    return this.wakeUp({ rolloutId }, rolloutId, at, now);
  }

  /** Asks for a reconcile of the standalone experiment as it is at `version`. */
  requestExperiment(experimentId: string, version: number): Promise<void> {
    return this.trigger({ experimentId }, versionJobId(experimentId, version));
  }

  /** Asks for a reconcile of the standalone experiment, at `version`, because its analysis run `runId` reached `phase`. */
  experimentRunPhaseChanged(experimentId: string, version: number, runId: string, phase: string): Promise<void> {
    return this.trigger({ experimentId }, runPhaseJobId(experimentId, version, runId, phase));
  }

  /** Wakes the standalone experiment's reconcile at an exact time (end of its duration, a deadline, its scale-down) within the horizon. */
  wakeExperimentAt(experimentId: string, at: Date, now = new Date()): Promise<void> {
    return this.wakeUp({ experimentId }, experimentId, at, now);
  }
}

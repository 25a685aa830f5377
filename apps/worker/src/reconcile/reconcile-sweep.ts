import {
  inTransactionHoldingLock,
  systemScope,
  type ClusterStore,
  type DatabaseClient,
  type ExperimentStore,
  type FleetReleaseStore,
  type RolloutStore,
} from '@flotilla/stores';
import type { Logger } from '@flotilla/service-runtime';
import type { FleetReconcileQueue, ReconcileQueue } from '@flotilla/queues';
import type { EventBus } from '@flotilla/events';
import { DesiredStateLag } from './desired-state-lag.js';

/** Any constant works, as long as every worker uses the same one. */
const SWEEP_LOCK_KEY = 4_711_001;
/** Jobs sent at once: a pipelining connection writes them together. */
const ENQUEUE_BATCH = 500;
const SWEEP = systemScope('sweep');

/**
 * Re-derives the reconcile jobs that should exist from Postgres alone: every rollout that is not settled (not
 * Healthy, a spec not yet acted on, operations pending, a wake-up time that has passed, or an experiment not yet
 * released) and every standalone experiment still in its cluster, in connected clusters. A flushed Redis, a crashed worker or a lost message therefore costs at most one sweep interval.
 * One worker sweeps an interval (`SweepClaim`), and only one at a time (a transaction-scoped advisory lock); job
 * ids make overlaps harmless anyway.
 * It also marks clusters whose agents fell silent as disconnected, so that their rollouts hold, and queues the
 * wake-ups that have come within the queue's horizon, each for its exact time.
 *
 * A desired state (of a rollout or a standalone experiment) whose agent has not reported it applied, or a rollout's
 * deletion it has not confirmed, for a whole sweep interval is published again (`desiredStateChanged`), so that a publish lost after its commit never leaves a cluster on an older desired state.
 *
 * Every active fleet release is asked for at its version each sweep (they are few): a release waiting on a
 * disconnected cluster's deadline, on a member changed by hand, or on a job Redis lost, decides again within one
 * sweep interval, and its wake-ups within the horizon are queued for their time.
 */
export class ReconcileSweep {
  private readonly desiredStateLag = new DesiredStateLag();

  constructor(
    private readonly database: DatabaseClient,
    private readonly rollouts: RolloutStore,
    private readonly experiments: ExperimentStore,
    private readonly clusters: ClusterStore,
    private readonly queue: ReconcileQueue,
    private readonly logger: Logger,
    /** A cluster whose agent has not been heard of for this long is disconnected, whichever API process it was on. */
    private readonly agentSilenceLimitMs: number,
    private readonly fleet: { releases: FleetReleaseStore; queue: FleetReconcileQueue },
    private readonly events: Pick<EventBus, 'publish'>,
  ) {}

  async sweep(now = new Date()): Promise<number> {
    const found = await inTransactionHoldingLock(
      this.database,
      SWEEP_LOCK_KEY,
      async (transaction) => {
        await this.clusters.disconnectSilentAgents(SWEEP, transaction, new Date(now.getTime() - this.agentSilenceLimitMs));
        const rollouts = await this.rollouts.unsettled(SWEEP, transaction, now);
        const live = await this.experiments.unsettled(SWEEP, transaction, now);
        const lagging = [
          ...(await this.rollouts.laggingDesiredStates(SWEEP, transaction)),
          ...(await this.experiments.laggingDesiredStates(SWEEP, transaction)),
          ...(await this.rollouts.laggingDeletions(SWEEP, transaction)),
        ];
        const horizon = this.queue.wakeUpHorizonMs;
        if (!Number.isFinite(horizon)) return { due: rollouts, experiments: live, lagging, wakeUps: [], experimentWakeUps: [] };
        const until = new Date(now.getTime() + horizon);
        const wakeUps = await this.rollouts.wakeUps(SWEEP, transaction, now, until);
        const experimentWakeUps = await this.experiments.wakeUps(SWEEP, transaction, now, until);
        return { due: rollouts, experiments: live, lagging, wakeUps, experimentWakeUps };
      },
      { timeoutMs: 30_000, maxWaitMs: 10_000 },
    );
    if (!found) return 0;
    const { due, experiments, lagging, wakeUps, experimentWakeUps } = found;
    const resent = this.desiredStateLag.persisting(lagging);
    await inBatches(resent, ({ id, organizationId, clusterId, namespace, name, kind }) =>
      this.events.publish('desiredStateChanged', {
        organizationId,
        payload: { clusterId, id, key: { namespace, name, ...(kind && { kind }) } },
      }),
    );
    if (resent.length > 0) this.logger.info({ desiredStates: resent.length }, 'desired states not applied for a sweep interval sent again');
    await inBatches(due, (rollout) => this.queue.request(rollout.id, rollout.version));
    await inBatches(experiments, (experiment) => this.queue.requestExperiment(experiment.id, experiment.version));
    await inBatches(wakeUps, (rollout) => this.queue.wakeAt(rollout.id, rollout.at, now));
    await inBatches(experimentWakeUps, (experiment) => this.queue.wakeExperimentAt(experiment.id, experiment.at, now));
    const releases = await this.sweepFleetReleases(now);
    if (due.length + experiments.length + wakeUps.length + experimentWakeUps.length + releases > 0) {
      this.logger.debug(
        {
          rollouts: due.length,
          experiments: experiments.length,
          wakeUps: wakeUps.length + experimentWakeUps.length,
          fleetReleases: releases,
        },
        'sweep re-enqueued unsettled work and upcoming wake-ups',
      );
    }
    return due.length + experiments.length + releases;
  }

  /** Asks for every active fleet release at its version, and queues its wake-up when it has come within the horizon. */
  private async sweepFleetReleases(now: Date): Promise<number> {
    const active = await this.fleet.releases.active(SWEEP);
    await inBatches(active, (release) => this.fleet.queue.request(release.id, release.version));
    const upcoming = active.flatMap(({ id, nextReconcileAt }) =>
      nextReconcileAt && nextReconcileAt.getTime() > now.getTime() ? [{ id, at: nextReconcileAt }] : [],
    );
    await inBatches(upcoming, (release) => this.fleet.queue.wakeAt(release.id, release.at, now));
    return active.length;
  }
}

/** Sends every item, `ENQUEUE_BATCH` at a time. */
async function inBatches<T>(items: readonly T[], send: (item: T) => Promise<void>): Promise<void> {
  for (let offset = 0; offset < items.length; offset += ENQUEUE_BATCH)
    await Promise.all(items.slice(offset, offset + ENQUEUE_BATCH).map(send));
}

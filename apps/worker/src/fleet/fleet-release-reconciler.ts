import { jsonEqual } from '@flotilla/argo-spec';
import {
  ACTIVE_RELEASE_PHASES,
  decideRelease,
  type ReleaseDecision,
  type WaveAnalysisPhase,
  type WaveAnalysisRun,
  type WaveAnalysisRunRequest,
} from '@flotilla/fleet-engine';
import {
  fleetReleaseTargetName,
  organizationScope,
  type AnalysisRunStore,
  type FleetRolloutStore,
  inTransaction,
  memberObservations,
  systemScope,
  type DatabaseClient,
  frozenMembers,
  type FleetReleaseRecord,
  type FleetReleaseStore,
  type LoadedRelease,
  fleetReleaseChange,
  type NotificationDecider,
} from '@flotilla/stores';
import type { EventBus } from '@flotilla/events';
import type { AnalysisQueue, FleetReconcileQueue, NotificationQueue, ReconcileQueue } from '@flotilla/queues';
import type { Logger } from '@flotilla/service-runtime';
import { reconcileUntilWritten, VersionConflict } from '../reconcile/version-conflict.js';
import type { FreezeChecker } from '../freezes/freeze-checker.js';

/** Where a fleet release's reconcile decides its notifications (on its FleetRollout), and where it queues them once committed. */
export interface FleetReleaseNotifier {
  decider: NotificationDecider;
  fleetRollouts: FleetRolloutStore;
  queue: NotificationQueue;
}

export type FleetReconcileOutcome =
  { result: 'written'; version: number; changedRollouts: number } | { result: 'unchanged' } | { result: 'finished' } | { result: 'gone' };

const WORKER = systemScope('worker');

const WAVE_ANALYSIS_PHASES: readonly WaveAnalysisPhase[] = ['Pending', 'Running', 'Successful', 'Failed', 'Error', 'Inconclusive'];

/**
 * The name of a wave's analysis run: `<fleet rollout>-<release>-<wave>-<attempt>-pooled`, or `-<cluster>` for a
 * cluster's own run. Unique within the release, so that asking twice makes one run.
 */
export const waveAnalysisRunName = (
  fleetRollout: string,
  number: number,
  request: Pick<WaveAnalysisRunRequest, 'wave' | 'cluster' | 'attempt'>,
): string => `${fleetRollout}-${number}-${request.wave}-${request.attempt}-${request.cluster ?? 'pooled'}`;

/** The wave runs of a release, as `decideRelease` reads them. */
function waveRuns(runs: Awaited<ReturnType<AnalysisRunStore['fleetRuns']>>): WaveAnalysisRun[] {
  return runs.flatMap((run) => {
    const phase = WAVE_ANALYSIS_PHASES.find((candidate) => candidate === run.phase);
    const wave = run.spec.fleetWave;
    return wave && phase ? [{ ...wave, phase, message: run.message }] : [];
  });
}

/** Who a release's own decisions are credited to in the audit and on the templates it writes. */
export const fleetReleaseActor = (fleetRollout: string, number: number): string =>
  `fleet-release:${fleetReleaseTargetName(fleetRollout, number)}`;

/**
 * The imperative shell around the fleet engine: loads a release with its members and its version, lets
 * `decideRelease` decide on what the members' rollouts and clusters show now, and writes the decision whole (status,
 * member templates and operations, audit) in one transaction guarded by that version. The member rollouts it
 * changed are reconciled, subscribers hear of it, and its next wake-up is queued, only after the commit.
 */
export class FleetReleaseReconciler {
  constructor(
    private readonly database: DatabaseClient,
    private readonly releases: FleetReleaseStore,
    private readonly eventBus: EventBus,
    private readonly reconcileQueue: ReconcileQueue,
    private readonly fleetQueue: FleetReconcileQueue,
    private readonly logger: Logger,
    private readonly freezes: FreezeChecker,
    /** Where the waves' analysis runs are made and read, and started; without them a wave's analysis never starts. */
    private readonly analysis?: { runs: AnalysisRunStore; queue: AnalysisQueue },
    private readonly notifier?: FleetReleaseNotifier,
  ) {}

  reconcile(fleetReleaseId: string, clock: () => Date = () => new Date()): Promise<FleetReconcileOutcome> {
    return reconcileUntilWritten(() => this.reconcileOnce(fleetReleaseId, clock()), this.logger, { fleetReleaseId });
  }

  private async reconcileOnce(fleetReleaseId: string, now: Date): Promise<FleetReconcileOutcome> {
    const loaded = await this.releases.load(WORKER, fleetReleaseId);
    if (!loaded) return { result: 'gone' };
    const { release, members } = loaded;
    if (!ACTIVE_RELEASE_PHASES.includes(release.phase)) {
      await this.endAnalysis(release.id, release.phase, now);
      return { result: 'finished' };
    }

    const hasAnalysis = release.spec.waves.some((wave) => wave.analysis);
    const runs = hasAnalysis && this.analysis ? waveRuns(await this.analysis.runs.fleetRuns(WORKER, release.id)) : [];
    const decision = decideRelease({
      spec: release.spec,
      change: release.change,
      status: release.status,
      members: memberObservations(members, await frozenMembers(loaded, this.freezes, now)),
      analysisRuns: runs,
      now,
    });
    // Runs are made before the release's write and whether or not it changes: asking again finds them made.
    await this.startAnalysisRuns(loaded, decision.analysisRunsToStart);
    const nothingChanged =
      decision.memberChanges.length === 0 &&
      decision.memberOperations.length === 0 &&
      decision.events.length === 0 &&
      jsonEqual(decision.status, release.status) &&
      (decision.wakeAt?.getTime() ?? null) === (release.nextReconcileAt?.getTime() ?? null);
    if (nothingChanged) return { result: 'unchanged' };
    return this.write(loaded, decision, now);
  }

  /** A release that ended (or was superseded) ends its waves' runs still measuring; the analysis sweep ends any it missed. */
  private async endAnalysis(fleetReleaseId: string, phase: string, now: Date): Promise<void> {
    if (!this.analysis) return;
    const ended = await this.analysis.runs.endFleetRuns(WORKER, fleetReleaseId, phase, now);
    if (ended > 0) this.logger.info({ fleetReleaseId, ended }, 'analysis runs of an ended fleet release terminated');
  }

  /**
   * Makes the analysis runs a decision asks for, unless they exist, and queues their start: a pooled run belongs to
   * the release and no cluster, and lists its clusters; a cluster's own run belongs to that cluster too.
   */
  private async startAnalysisRuns({ release, members }: LoadedRelease, requests: readonly WaveAnalysisRunRequest[]): Promise<void> {
    if (!this.analysis || requests.length === 0) return;
    const { runs, queue } = this.analysis;
    for (const request of requests) {
      const analysis = release.spec.waves.find((wave) => wave.name === request.wave)?.analysis;
      const clusters = request.clusters.flatMap((name) => {
        const cluster = members[name]?.cluster;
        return cluster ? [{ id: cluster.id, name }] : [];
      });
      if (!analysis || clusters.length !== request.clusters.length) continue;
      const { pooled: _pooled, ...rolloutAnalysis } = analysis;
      const id = await runs.createFleetRun(WORKER, {
        organizationId: release.organizationId,
        fleetReleaseId: release.id,
        name: waveAnalysisRunName(release.fleetRolloutName, release.number, request),
        clusterId: request.cluster === null ? null : (clusters[0]?.id ?? null),
        pooledClusters: request.cluster === null ? clusters : null,
        namespace: release.spec.rollout.namespace,
        spec: {
          analysis: rolloutAnalysis,
          stablePodTemplateHash: null,
          fleetWave: { wave: request.wave, cluster: request.cluster, attempt: request.attempt },
        },
      });
      if (id) await queue.start(id);
    }
  }

  /** The notifications of the decision, identified by the release and the version its write makes. */
  private async decideNotifications(release: FleetReleaseRecord, decision: ReleaseDecision, now: Date) {
    if (!this.notifier) return undefined;
    const fleetRollout = await this.notifier.fleetRollouts.find(organizationScope(release.organizationId), release.fleetRolloutName);
    if (!fleetRollout) return undefined;
    return this.notifier.decider.decide(
      fleetReleaseChange({ fleetRollout, release, status: decision.status, events: decision.events, version: release.version + 1, now }),
    );
  }

  private async write(loaded: LoadedRelease, decision: ReleaseDecision, now: Date): Promise<FleetReconcileOutcome> {
    const { release } = loaded;
    const notifications = await this.decideNotifications(release, decision, now);
    const written = await inTransaction(this.database, (transaction, afterCommit) =>
      this.releases.write(WORKER, transaction, afterCommit, {
        ...loaded,
        decision,
        actor: fleetReleaseActor(release.fleetRolloutName, release.number),
        ...(notifications ? { notifications } : {}),
      }),
    );
    if (!written) throw new VersionConflict('fleet release', release.id);

    const { record, changedRollouts, deliveries } = written;
    const active = ACTIVE_RELEASE_PHASES.includes(record.phase);
    if (!active) await this.endAnalysis(release.id, record.phase, now);
    // Issued in one tick, so that the connection sends them together.
    await Promise.all([
      ...changedRollouts.map((rollout) => this.reconcileQueue.request(rollout.id, rollout.version)),
      this.eventBus.publish('fleetReleaseChanged', { organizationId: record.organizationId, payload: record }),
      // A wake-up already asked for is in the queue, or the sweep finds the release active in Postgres if Redis lost it.
      active &&
        decision.wakeAt &&
        decision.wakeAt.getTime() !== release.nextReconcileAt?.getTime() &&
        this.fleetQueue.wakeAt(release.id, decision.wakeAt, now),
      // The sweep sends any of them whose job is lost.
      ...deliveries.map((delivery) => this.notifier?.queue.deliver(delivery.id, delivery.attempts)),
    ]);
    this.logger.info(
      {
        fleetReleaseId: release.id,
        release: fleetReleaseTargetName(release.fleetRolloutName, release.number),
        version: record.version,
        phase: record.phase,
        wave: record.status.currentWave,
        events: decision.events.map((event) => event.type),
        changedRollouts: changedRollouts.length,
        wakeAt: decision.wakeAt,
      },
      'fleet release written',
    );
    return { result: 'written', version: record.version, changedRollouts: changedRollouts.length };
  }
}

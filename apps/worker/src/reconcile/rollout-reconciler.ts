import { jsonEqual, type RolloutSpec } from '@flotilla/argo-spec';
import {
  applyOperation,
  releaseHistoryChanges,
  reconcile,
  type AppliedTemplates,
  reconcileRolloutExperiments,
  type Decision,
  type ExperimentPhase,
  type RolloutExperiment,
  type RolloutExperimentsResult,
  type RolloutStatus,
} from '@flotilla/rollout-engine';
import { REVISION_ANNOTATION, type ObservedRolloutState } from '@flotilla/protocol';
import {
  type AuditEntry,
  rolloutTargetName,
  analysisRunState,
  type LoadedRollout,
  type PendingOperation,
  type RolloutStore,
  type ReconcileWritePlan,
  systemScope,
  type NotificationDecider,
} from '@flotilla/stores';
import type { EventBus, DesiredStateChanged } from '@flotilla/events';
import type { Logger } from '@flotilla/service-runtime';
import { ENGINE_ACTOR, engineAuditEntries, experimentAuditEntries } from './engine-audit.js';
import type { ReconcileQueue, AnalysisQueue, FleetReconcileQueue, NotificationQueue } from '@flotilla/queues';
import { reconcileUntilWritten, VersionConflict } from './version-conflict.js';
import type { FreezeChecker } from '../freezes/freeze-checker.js';
import { rolloutChange } from '../notifications/rollout-notifications.js';

/** Where a reconcile decides its notifications, and where it queues them once committed. */
export interface ReconcileNotifier {
  decider: NotificationDecider;
  queue: NotificationQueue;
}

export type ReconcileOutcome =
  | { result: 'written'; version: number; desiredChanged: boolean }
  | { result: 'unchanged' }
  | { result: 'held'; reason: string }
  | { result: 'gone' };

const WORKER = systemScope('worker');

const NO_APPLIED_TEMPLATES: AppliedTemplates = new Map();

const NOTHING_OBSERVED: ObservedRolloutState = {
  replicaSets: [],
  serviceSelectors: {},
  trafficWeights: {},
  observedAt: new Date(0).toISOString(),
};

interface OperationsOutcome {
  spec: RolloutSpec;
  status: RolloutStatus | undefined;
  specChangedBy: string;
  settled: { row: PendingOperation; state: 'Applied' | 'Refused'; message: string | null }[];
}

/**
 * The imperative shell around the rollout engine: loads a rollout with its version, carries out pending
 * operations, runs the pure engine, and writes status, desired state, revisions, runs and audit events in one
 * transaction guarded by that version. Subscribers, agents, timers and the fleet release the rollout is a member of
 * hear of it only after the commit.
 */
export class RolloutReconciler {
  constructor(
    private readonly rollouts: RolloutStore,
    private readonly eventBus: EventBus,
    private readonly queue: ReconcileQueue,
    private readonly analysisQueue: AnalysisQueue,
    private readonly fleetQueue: FleetReconcileQueue,
    private readonly logger: Logger,
    private readonly freezes: FreezeChecker,
    private readonly notifier?: ReconcileNotifier,
  ) {}

  reconcile(rolloutId: string, clock: () => Date = () => new Date()): Promise<ReconcileOutcome> {
    return reconcileUntilWritten(() => this.reconcileOnce(rolloutId, clock()), this.logger, { rolloutId });
  }

  private async reconcileOnce(rolloutId: string, now: Date): Promise<ReconcileOutcome> {
    const rollout = await this.rollouts.loadForReconcile(WORKER, rolloutId);
    if (!rollout) return { result: 'gone' };
    if (rollout.cluster.connectionState !== 'Connected') {
      return { result: 'held', reason: `cluster ${rollout.cluster.name} is ${rollout.cluster.connectionState.toLowerCase()}` };
    }
    const observed = rollout.observed ?? NOTHING_OBSERVED;
    const undoing = rollout.operations.some((row) => row.operation.type === 'undo');
    const appliedTemplates = undoing ? await this.rollouts.appliedTemplates(WORKER, rollout.id) : NO_APPLIED_TEMPLATES;
    const operations = this.applyOperations(rollout, observed, appliedTemplates, now);
    const specChanged = !jsonEqual(operations.spec, rollout.spec);
    const generation = rollout.generation + (specChanged ? 1 : 0);
    const runs = rollout.analysisRuns.map(analysisRunState);
    const stored: RolloutExperiment[] = rollout.experiments.map((experiment) => ({
      name: experiment.name,
      podTemplateHash: experiment.podTemplateHash ?? '',
      stepIndex: experiment.stepIndex ?? 0,
      phase: experiment.phase as ExperimentPhase,
      message: experiment.message,
      ...(experiment.released || experiment.spec === null ? {} : { spec: experiment.spec }),
      status: experiment.status ?? undefined,
    }));
    const freeze = await this.freezes.freezeFor(
      {
        organizationId: rollout.organizationId,
        clusterName: rollout.cluster.name,
        clusterLabels: rollout.cluster.labels,
        namespace: rollout.namespace,
        overrideTargetIds: rollout.fleetReleaseId === null ? [rollout.id] : [rollout.id, rollout.fleetReleaseId],
      },
      now,
    );
    const engineDecision = reconcile({
      rollout: { name: rollout.name, namespace: rollout.namespace, generation, spec: operations.spec },
      status: operations.status,
      observed,
      analysisRuns: runs,
      experiments: stored,
      now,
      ...(freeze === null ? {} : { freeze }),
    });
    const experiments = reconcileRolloutExperiments({
      decision: engineDecision,
      experiments: stored,
      observed,
      analysisRuns: runs.filter((run) => run.kind === 'experiment'),
      now,
    });
    // A new revision a freeze holds: the cluster keeps the desired state stored for the current one.
    const decision =
      engineDecision.heldByFreeze === true
        ? { ...experiments.decision, desired: rollout.desiredState ?? experiments.decision.desired }
        : experiments.decision;
    const desiredChanged = !jsonEqual(decision.desired, rollout.desiredState);
    const nothingChanged =
      operations.settled.length === 0 &&
      !specChanged &&
      !desiredChanged &&
      jsonEqual(decision.status, rollout.status) &&
      decision.events.length === 0 &&
      decision.analysisRunsToStart.length === 0 &&
      decision.analysisRunsToTerminate.length === 0 &&
      decision.experimentsToStart.length === 0 &&
      experiments.changed.length === 0 &&
      (decision.requeueAt?.getTime() ?? null) === (rollout.nextReconcileAt?.getTime() ?? null);
    if (nothingChanged) {
      if (rollout.observationPending) await this.rollouts.observationReconciled(WORKER, rollout.id, rollout.version);
      return { result: 'unchanged' };
    }

    const version = await this.write(rollout, operations, generation, { ...experiments, decision }, desiredChanged, now);
    return { result: 'written', version, desiredChanged };
  }

  /** Carries out pending operations in the order they were asked, as `kubectl argo rollouts` would. */
  private applyOperations(
    rollout: LoadedRollout,
    observed: ObservedRolloutState,
    appliedTemplates: AppliedTemplates,
    now: Date,
  ): OperationsOutcome {
    let spec = rollout.spec;
    let status = rollout.status ?? undefined;
    let specChangedBy = rollout.specChangedBy;
    const settled: OperationsOutcome['settled'] = [];
    for (const row of rollout.operations) {
      const result = applyOperation(spec, status, observed, row.operation, now, appliedTemplates);
      if (!result.ok) {
        settled.push({ row, state: 'Refused', message: result.refusal.message });
        continue;
      }
      if (!jsonEqual(result.spec, spec)) specChangedBy = row.requestedBy;
      spec = result.spec;
      // Spec operations leave the status as it is and say so with `undefined`.
      status = result.status ?? status;
      settled.push({ row, state: 'Applied', message: null });
    }
    return { spec, status, specChangedBy, settled };
  }

  private async write(
    rollout: LoadedRollout,
    operations: OperationsOutcome,
    generation: number,
    experiments: RolloutExperimentsResult,
    desiredChanged: boolean,
    now: Date,
  ): Promise<number> {
    const { decision } = experiments;
    const version = rollout.version + 1;
    const desiredVersion = rollout.desiredVersion + (desiredChanged ? 1 : 0);
    const target = { targetName: rolloutTargetName(rollout.cluster.name, rollout.namespace, rollout.name), targetId: rollout.id };
    const notifications = await this.notifier?.decider.decide(
      rolloutChange({ rollout, spec: operations.spec, generation, status: decision.status, events: decision.events, version, now }),
    );
    const audit: AuditEntry[] = operations.settled.map(({ row, state, message }) => ({
      actor: ENGINE_ACTOR,
      action: state === 'Applied' ? 'rollout.operation_applied' : 'rollout.operation_refused',
      targetType: 'Rollout',
      ...target,
      after: { operation: row.operation.type, requestedBy: row.requestedBy, ...(message ? { message } : {}) },
    }));
    audit.push(
      ...engineAuditEntries(target, operations.status ?? rollout.status ?? undefined, decision.status, decision.events),
      ...experimentAuditEntries(rollout.cluster.name, rollout.namespace, experiments.events),
    );
    const plan: ReconcileWritePlan = {
      rollout,
      expectedVersion: rollout.version,
      update: {
        spec: generation === rollout.generation ? undefined : operations.spec,
        generation,
        specChangedBy: operations.specChangedBy,
        status: decision.status,
        desiredState: desiredChanged ? decision.desired : undefined,
        desiredVersion,
        nextReconcileAt: decision.requeueAt ?? null,
        version,
      },
      settledOperations: operations.settled.map(({ row, state, message }) => ({ id: row.id, state, message })),
      ...revisionRecords(operations, decision),
      ...runRequests(experiments),
      audit,
      ...(notifications ? { notifications } : {}),
      now,
    };
    const result = await this.rollouts.writeReconcile(WORKER, plan);
    if (!result.written) throw new VersionConflict('rollout', rollout.id);

    const change: DesiredStateChanged = {
      clusterId: rollout.clusterId,
      id: rollout.id,
      key: { namespace: rollout.namespace, name: rollout.name },
    };
    // Issued in one tick, so that the connection sends them together.
    await Promise.all([
      this.eventBus.publish('rolloutChanged', {
        organizationId: rollout.organizationId,
        payload: { id: rollout.id, version, cluster: rollout.cluster.name, namespace: rollout.namespace, name: rollout.name },
      }),
      desiredChanged && this.eventBus.publish('desiredStateChanged', { organizationId: rollout.organizationId, payload: change }),
      // A wake-up already asked for is in the queue, or the sweep finds it due in Postgres if Redis lost it.
      decision.requeueAt &&
        decision.requeueAt.getTime() !== rollout.nextReconcileAt?.getTime() &&
        this.queue.wakeAt(rollout.id, decision.requeueAt, now),
      ...result.startedRunIds.map((runId) => this.analysisQueue.start(runId)),
      // The fleet release the rollout is a member of decides on what its member shows now.
      rollout.fleetReleaseId !== null && this.fleetQueue.memberChanged(rollout.fleetReleaseId, rollout.id, version),
      // The sweep sends any of them whose job is lost.
      ...result.deliveries.map((delivery) => this.notifier?.queue.deliver(delivery.id, delivery.attempts)),
    ]);
    return version;
  }
}

/** The release history: a row per revision, credited to whoever changed the spec, with the outcome it came to. */
function revisionRecords(
  operations: OperationsOutcome,
  decision: Decision,
): Pick<ReconcileWritePlan, 'revisionStarts' | 'revisionFinishes' | 'currentRevision'> {
  const { started, finished, current } = releaseHistoryChanges(decision);
  return {
    revisionStarts: started.map((start) => ({
      ...start,
      specSnapshot: operations.spec,
      startedBy: operations.specChangedBy || ENGINE_ACTOR,
    })),
    revisionFinishes: finished,
    currentRevision: current,
  };
}

/** Analysis runs and experiments the engine asked for; their names are deterministic, so asking twice is harmless. */
function runRequests({
  decision,
  started,
  changed,
}: RolloutExperimentsResult): Pick<
  ReconcileWritePlan,
  'analysisRunStarts' | 'analysisRunsToEnd' | 'experimentStarts' | 'experimentUpdates'
> {
  const revisionOf = (podTemplateHash: string): number | null => {
    const replicaSet = decision.desired.replicaSets.find((candidate) => candidate.podTemplateHash === podTemplateHash);
    const revision = Number(replicaSet?.annotations[REVISION_ANNOTATION]);
    return Number.isInteger(revision) ? revision : null;
  };
  const experimentState = ({ name, status, released }: RolloutExperimentsResult['changed'][number]) => ({
    name,
    phase: status.phase,
    message: status.message,
    status,
    released,
  });
  return {
    analysisRunStarts: decision.analysisRunsToStart.map((request) => ({
      name: request.name,
      kind: request.kind,
      revision: revisionOf(request.podTemplateHash),
      podTemplateHash: request.podTemplateHash,
      stepIndex: request.stepIndex ?? null,
      spec: { analysis: request.analysis, stablePodTemplateHash: request.stablePodTemplateHash ?? null },
      experimentName: request.experimentName ?? null,
    })),
    analysisRunsToEnd: decision.analysisRunsToTerminate,
    experimentStarts: started.map(({ request, ...state }) => ({
      ...experimentState(state),
      spec: request.spec,
      podTemplateHash: request.podTemplateHash,
      stepIndex: request.stepIndex,
    })),
    experimentUpdates: changed.map(experimentState),
  };
}

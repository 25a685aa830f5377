import { jsonEqual } from '@flotilla/argo-spec';
import { reconcileExperiment, type ExperimentDecision } from '@flotilla/rollout-engine';
import { type DesiredRolloutState } from '@flotilla/protocol';
import { analysisRunState, systemScope, type ExperimentStore, type LoadedExperiment } from '@flotilla/stores';
import type { EventBus, DesiredStateChanged } from '@flotilla/events';
import type { Logger } from '@flotilla/service-runtime';
import type { AnalysisQueue, ReconcileQueue } from '@flotilla/queues';
import { experimentAuditEntries } from '../reconcile/engine-audit.js';
import { reconcileUntilWritten, VersionConflict } from '../reconcile/version-conflict.js';

export type ExperimentReconcileOutcome =
  { result: 'written' } | { result: 'unchanged' } | { result: 'held'; reason: string } | { result: 'gone' };

const WORKER = systemScope('worker');

/** The cluster state of a standalone experiment, in the shape agents converge to. */
function desiredStateOf(decision: ExperimentDecision): DesiredRolloutState {
  return {
    replicaSets: decision.replicaSets,
    services: {},
    trafficRouting: undefined,
    ...(decision.services.length > 0 ? { experimentServices: decision.services } : {}),
  };
}

/**
 * The imperative shell around the experiment controller for standalone experiments (an experiment step's
 * experiment is reconciled with its rollout): loads the experiment with its version, runs the controller, and writes
 * status, desired state, runs and audit in one transaction guarded by that version; the agent, the analysis queue and
 * the timers hear of it only after the commit.
 */
export class ExperimentReconciler {
  constructor(
    private readonly experiments: ExperimentStore,
    private readonly eventBus: EventBus,
    private readonly queue: ReconcileQueue,
    private readonly analysisQueue: AnalysisQueue,
    private readonly logger: Logger,
  ) {}

  reconcile(experimentId: string, clock: () => Date = () => new Date()): Promise<ExperimentReconcileOutcome> {
    return reconcileUntilWritten(() => this.reconcileOnce(experimentId, clock()), this.logger, { experimentId });
  }

  private async reconcileOnce(experimentId: string, now: Date): Promise<ExperimentReconcileOutcome> {
    const experiment = await this.experiments.loadForReconcile(WORKER, experimentId);
    if (!experiment) return { result: 'gone' };
    if (experiment.cluster.connectionState !== 'Connected') {
      return { result: 'held', reason: `cluster ${experiment.cluster.name} is ${experiment.cluster.connectionState.toLowerCase()}` };
    }
    const decision = reconcileExperiment({
      experiment: { name: experiment.name, spec: experiment.spec },
      status: experiment.status ?? undefined,
      terminate: false,
      podTemplateHash: '',
      observedReplicaSets: experiment.observed?.replicaSets ?? [],
      analysisRuns: experiment.analysisRuns.map(analysisRunState),
      now,
    });
    const desired = desiredStateOf(decision);
    const desiredChanged = !jsonEqual(desired, experiment.desiredState);
    const unchanged =
      !desiredChanged &&
      !decision.released &&
      jsonEqual(decision.status, experiment.status) &&
      decision.analysisRunsToStart.length === 0 &&
      decision.analysisRunsToTerminate.length === 0 &&
      (decision.requeueAt?.getTime() ?? null) === (experiment.nextReconcileAt?.getTime() ?? null);
    if (unchanged) return { result: 'unchanged' };
    await this.write(experiment, decision, desired, desiredChanged, now);
    return { result: 'written' };
  }

  private async write(
    experiment: LoadedExperiment,
    decision: ExperimentDecision,
    desired: DesiredRolloutState,
    desiredChanged: boolean,
    now: Date,
  ): Promise<void> {
    const result = await this.experiments.writeReconcile(WORKER, {
      experiment,
      expectedVersion: experiment.version,
      status: decision.status,
      released: decision.released,
      desiredState: desired,
      desiredVersion: experiment.desiredVersion + (desiredChanged ? 1 : 0),
      nextReconcileAt: decision.requeueAt ?? null,
      analysisRunStarts: decision.analysisRunsToStart.map((request) => ({
        name: request.name,
        kind: request.kind,
        spec: { analysis: request.analysis, stablePodTemplateHash: null },
      })),
      analysisRunsToEnd: decision.analysisRunsToTerminate,
      audit: experimentAuditEntries(experiment.cluster.name, experiment.namespace, decision.events),
      now,
    });
    if (!result.written) throw new VersionConflict('experiment', experiment.id);
    const change: DesiredStateChanged = {
      clusterId: experiment.clusterId,
      id: experiment.id,
      key: { namespace: experiment.namespace, name: experiment.name, kind: 'Experiment' },
    };
    await Promise.all([
      desiredChanged && this.eventBus.publish('desiredStateChanged', { organizationId: experiment.organizationId, payload: change }),
      decision.requeueAt &&
        decision.requeueAt.getTime() !== experiment.nextReconcileAt?.getTime() &&
        this.queue.wakeExperimentAt(experiment.id, decision.requeueAt, now),
      ...result.startedRunIds.map((runId) => this.analysisQueue.start(runId)),
    ]);
  }
}

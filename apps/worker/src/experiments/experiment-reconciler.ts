import { jsonEqual, type ExperimentSpec } from '@flotilla/argo-spec';
import {
  reconcileExperiment,
  type DesiredRolloutState,
  type ExperimentDecision,
  type ExperimentStatus,
  type ObservedRolloutState,
} from '@flotilla/rollout-engine';
import {
  type Prisma,
  inTransaction,
  type DatabaseClient,
  type Transaction,
  prismaSession,
  STANDALONE_LIVE_EXPERIMENT,
  type AuditStore,
  organizationScope,
  analysisRunState,
} from '@flotilla/stores';
import type { EventBus, DesiredStateChanged } from '@flotilla/events';
import type { Logger } from '@flotilla/service-runtime';
import type { AnalysisQueue, ReconcileQueue } from '@flotilla/queues';
import { experimentAuditEntries } from '../reconcile/engine-audit.js';
import { reconcileUntilWritten, VersionConflict } from '../reconcile/version-conflict.js';

export type ExperimentReconcileOutcome =
  { result: 'written' } | { result: 'unchanged' } | { result: 'held'; reason: string } | { result: 'gone' };

const loadExperiment = (database: DatabaseClient, id: string) =>
  database.experiment.findFirst({
    where: { id, ...STANDALONE_LIVE_EXPERIMENT },
    include: {
      cluster: { select: { name: true, connectionState: true } },
      analysisRuns: { select: { name: true, kind: true, podTemplateHash: true, stepIndex: true, phase: true, message: true } },
    },
  });

type LoadedExperiment = NonNullable<Awaited<ReturnType<typeof loadExperiment>>>;

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
    private readonly database: DatabaseClient,
    private readonly audit: AuditStore,
    private readonly eventBus: EventBus,
    private readonly queue: ReconcileQueue,
    private readonly analysisQueue: AnalysisQueue,
    private readonly logger: Logger,
  ) {}

  reconcile(experimentId: string, clock: () => Date = () => new Date()): Promise<ExperimentReconcileOutcome> {
    return reconcileUntilWritten(() => this.reconcileOnce(experimentId, clock()), this.logger, { experimentId });
  }

  private async reconcileOnce(experimentId: string, now: Date): Promise<ExperimentReconcileOutcome> {
    const experiment = await loadExperiment(this.database, experimentId);
    if (!experiment) return { result: 'gone' };
    if (experiment.cluster.connectionState !== 'Connected') {
      return { result: 'held', reason: `cluster ${experiment.cluster.name} is ${experiment.cluster.connectionState.toLowerCase()}` };
    }
    const spec = experiment.spec as unknown as ExperimentSpec;
    const decision = reconcileExperiment({
      experiment: { name: experiment.name, spec },
      status: (experiment.status as unknown as ExperimentStatus | null) ?? undefined,
      terminate: false,
      podTemplateHash: '',
      observedReplicaSets: (experiment.observed as unknown as ObservedRolloutState | null)?.replicaSets ?? [],
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
    await inTransaction(this.database, async (transaction, afterCommit) => {
      const { count } = await transaction.experiment.updateMany({
        where: { id: experiment.id, version: experiment.version },
        data: {
          phase: decision.status.phase,
          message: decision.status.message,
          status: decision.status as unknown as Prisma.InputJsonValue,
          releasedAt: decision.released ? now : null,
          desiredState: desired as unknown as Prisma.InputJsonValue,
          desiredVersion: experiment.desiredVersion + (desiredChanged ? 1 : 0),
          nextReconcileAt: decision.requeueAt ?? null,
          version: experiment.version + 1,
        },
      });
      if (count === 0) throw new VersionConflict('experiment', experiment.id);
      const started = await this.startRuns(transaction, experiment, decision, now);
      if (decision.analysisRunsToTerminate.length > 0) {
        await transaction.analysisRun.updateMany({
          where: { experimentId: experiment.id, name: { in: decision.analysisRunsToTerminate }, finishedAt: null },
          data: { phase: 'Successful', message: 'terminated by the experiment', finishedAt: now },
        });
      }
      await this.audit.append(
        organizationScope(experiment.organizationId),
        prismaSession(transaction),
        afterCommit,
        experimentAuditEntries(experiment.cluster.name, experiment.namespace, decision.events),
      );
      const change: DesiredStateChanged = {
        clusterId: experiment.clusterId,
        id: experiment.id,
        key: { namespace: experiment.namespace, name: experiment.name, kind: 'Experiment' },
      };
      afterCommit.add(async () => {
        await Promise.all([
          desiredChanged && this.eventBus.publish('desiredStateChanged', { organizationId: experiment.organizationId, payload: change }),
          decision.requeueAt &&
            decision.requeueAt.getTime() !== experiment.nextReconcileAt?.getTime() &&
            this.queue.wakeExperimentAt(experiment.id, decision.requeueAt, now),
          ...started.map((runId) => this.analysisQueue.start(runId)),
        ]);
      });
    });
  }

  /** Creates the runs asked for (a name already taken is left as it is) and answers the ids of those created. */
  private async startRuns(
    transaction: Transaction,
    experiment: LoadedExperiment,
    decision: ExperimentDecision,
    now: Date,
  ): Promise<string[]> {
    if (decision.analysisRunsToStart.length === 0) return [];
    const created = await transaction.analysisRun.createManyAndReturn({
      data: decision.analysisRunsToStart.map((request) => ({
        organizationId: experiment.organizationId,
        clusterId: experiment.clusterId,
        experimentId: experiment.id,
        namespace: experiment.namespace,
        name: request.name,
        kind: request.kind,
        spec: { analysis: request.analysis, stablePodTemplateHash: null } as unknown as Prisma.InputJsonValue,
        startedAt: now,
      })),
      skipDuplicates: true,
      select: { id: true },
    });
    return created.map((run) => run.id);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { retryExperiment, terminateExperiment, type ExperimentOperationResult, type ExperimentPhase } from '@flotilla/rollout-engine';
import type { ReconcileQueue } from '@flotilla/queues';
import { ErrorCode, FlotillaError, notFound } from '@flotilla/service-runtime';
import {
  ExperimentQueries,
  ExperimentStore,
  organizationScope,
  rolloutTargetName,
  type ExperimentReconcileRequest,
  type ExperimentRecord,
  type NamedExperimentKey,
} from '@flotilla/stores';
import { actorOf, type Principal } from '../../common/auth/principal.js';
import { assertReason } from '../../common/reason.js';
import { RECONCILE_QUEUE } from '../../infrastructure/tokens.js';
import { toExperimentModel } from '../experiment-queries/experiment.mapper.js';
import type { ExperimentModel } from '../experiment-queries/experiment.models.js';

const OPERATIONS = {
  terminate: (experiment) => terminateExperiment(experiment.spec, phaseOf(experiment)),
  retry: (experiment) => retryExperiment(experiment.spec, phaseOf(experiment), experiment.rolloutId !== null),
} as const satisfies Record<string, (experiment: ExperimentRecord) => ExperimentOperationResult>;

/** An experiment never reconciled has no status: it is Pending. */
const phaseOf = (experiment: ExperimentRecord): ExperimentPhase => experiment.status?.phase ?? 'Pending';

/** Operations on experiments, as `kubectl argo rollouts terminate|retry experiment` have them; the engine carries them out. */
@Injectable()
export class ExperimentOperationsService {
  constructor(
    private readonly experiments: ExperimentStore,
    private readonly queries: ExperimentQueries,
    @Inject(RECONCILE_QUEUE) private readonly reconcileQueue: ReconcileQueue,
  ) {}

  /**
   * Sets `spec.terminate` (refused once the experiment completed): its next reconcile, standalone or with its
   * rollout, stops its analysis runs and scales its templates down, and the worker sends that to its agent.
   */
  terminate(principal: Principal, key: NamedExperimentKey, reason: string | null, requestId: string): Promise<ExperimentModel> {
    return this.operate(principal, key, 'terminate', reason, requestId);
  }

  /** Starts a failed or terminated experiment over from no status, as Argo's `retry experiment` clears it. */
  retry(principal: Principal, key: NamedExperimentKey, reason: string | null, requestId: string): Promise<ExperimentModel> {
    return this.operate(principal, key, 'retry', reason, requestId);
  }

  private async operate(
    principal: Principal,
    key: NamedExperimentKey,
    operation: keyof typeof OPERATIONS,
    reason: string | null,
    requestId: string,
  ): Promise<ExperimentModel> {
    assertReason(reason);
    const scope = organizationScope(principal.organizationId);
    const target = rolloutTargetName(key.cluster, key.namespace, key.name);
    const change = await this.experiments.changeSpec(scope, key, OPERATIONS[operation], (before, spec) => ({
      actor: actorOf(principal),
      action: `experiment.${operation}`,
      targetType: 'Experiment',
      targetName: target,
      targetId: before.id,
      before: { phase: before.phase, generation: before.generation },
      after: { terminate: spec.terminate === true, generation: before.generation + 1 },
      reason,
      requestId,
    }));
    if (change.kind === 'not_found') throw notFound(ErrorCode.ExperimentNotFound, `experiment ${target}`);
    if (change.kind === 'refused') throw new FlotillaError(ErrorCode.ExperimentOperationRefused, `${operation} refused: ${change.refusal}`);
    await this.requestReconcile(change.reconcile);
    const experiment = await this.queries.experiment(scope, key);
    if (!experiment) throw notFound(ErrorCode.ExperimentNotFound, `experiment ${target}`);
    return toExperimentModel(experiment);
  }

  private requestReconcile(request: ExperimentReconcileRequest): Promise<void> {
    return request.kind === 'experiment'
      ? this.reconcileQueue.requestExperiment(request.id, request.version)
      : this.reconcileQueue.request(request.id, request.version);
  }
}

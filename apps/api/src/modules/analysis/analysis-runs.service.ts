import { Inject, Injectable } from '@nestjs/common';
import { terminateRun } from '@flotilla/analysis';
import type { FleetReconcileQueue, ReconcileQueue } from '@flotilla/queues';
import { ErrorCode, FlotillaError, notFound } from '@flotilla/service-runtime';
import {
  AnalysisQueries,
  organizationScope,
  rolloutTargetName,
  RunTerminationStore,
  type NamedRunKey,
  type RunOwner,
} from '@flotilla/stores';
import { actorOf, type Principal } from '../../common/auth/principal.js';
import { assertReason } from '../../common/reason.js';
import { FLEET_RECONCILE_QUEUE, RECONCILE_QUEUE } from '../../infrastructure/tokens.js';
import { toAnalysisRunModel } from './analysis-run.mapper.js';
import type { AnalysisRunModel } from './analysis.models.js';

/** Operations on analysis runs themselves, as `kubectl argo rollouts terminate analysisrun` has them. */
@Injectable()
export class AnalysisRunsService {
  constructor(
    private readonly terminations: RunTerminationStore,
    private readonly queries: AnalysisQueries,
    @Inject(RECONCILE_QUEUE) private readonly reconcileQueue: ReconcileQueue,
    @Inject(FLEET_RECONCILE_QUEUE) private readonly fleetQueue: FleetReconcileQueue,
  ) {}

  /**
   * Terminates a run (Argo's `spec.terminate`): it settles at once as upstream's controller settles a terminated run,
   * its owner is reconciled, and the worker ends its measurements in flight. Refused once the run has ended.
   */
  async terminate(principal: Principal, key: NamedRunKey, reason: string | null, requestId: string): Promise<AnalysisRunModel> {
    assertReason(reason);
    const scope = organizationScope(principal.organizationId);
    const now = new Date();
    const target = rolloutTargetName(key.cluster, key.namespace, key.name);
    const outcome = await this.terminations.terminate(
      scope,
      key,
      (run) => terminateRun({ phase: run.phase, results: run.state.results }, run.resolved?.spec, now),
      (run, termination) => ({
        actor: actorOf(principal),
        action: 'analysisRun.terminate',
        targetType: 'AnalysisRun',
        targetName: target,
        targetId: run.id,
        before: { phase: run.phase },
        after: { phase: termination.phase, message: termination.message },
        reason,
        requestId,
      }),
      now,
    );
    if (outcome.kind === 'not_found') throw notFound(ErrorCode.AnalysisRunNotFound, `analysis run ${target}`);
    if (outcome.kind === 'refused') throw new FlotillaError(ErrorCode.AnalysisRunOperationRefused, `terminate refused: ${outcome.refusal}`);
    await this.wake(outcome.owner, outcome.runId, outcome.phase);
    const [run] = await this.queries.analysisRuns(scope, key, { limit: 1, afterId: undefined });
    if (!run) throw notFound(ErrorCode.AnalysisRunNotFound, `analysis run ${target}`);
    return toAnalysisRunModel(run);
  }

  /**
   * Asks for the owner's reconcile as the worker does when a run reaches a phase: the run's row changed, not the
   * owner's version, and a job for that version alone would be turned away while one that read the run before is
   * under way.
   */
  private async wake(owner: RunOwner, runId: string, phase: string): Promise<void> {
    switch (owner.kind) {
      case 'rollout':
        return this.reconcileQueue.runPhaseChanged(owner.id, owner.version, runId, phase);
      case 'experiment':
        return this.reconcileQueue.experimentRunPhaseChanged(owner.id, owner.version, runId, phase);
      case 'fleetRelease':
        return this.fleetQueue.runPhaseChanged(owner.id, owner.version, runId, phase);
      case 'none':
        return;
    }
  }
}

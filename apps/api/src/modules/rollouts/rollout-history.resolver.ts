import { runHistoryLimits } from '@flotilla/analysis';
import type { RolloutSpec } from '@flotilla/argo-spec';
import { AnalysisQueries, ExperimentQueries, organizationScope } from '@flotilla/stores';
import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import type { Principal } from '../../common/auth/principal.js';
import { CurrentPrincipal } from '../../common/graphql/request-context.js';
import { toAnalysisRunModel } from '../analysis/analysis-run.mapper.js';
import { AnalysisRunModel } from '../analysis/analysis.models.js';
import { toExperimentModel } from '../experiment-queries/experiment.mapper.js';
import { ExperimentModel } from '../experiment-queries/experiment.models.js';
import { RolloutModel } from './rollout.model.js';

const LIMITS_NOTE =
  'every one not finished, and the newest `spec.analysis.successfulRunHistoryLimit` (default 5) Successful and ' +
  '`unsuccessfulRunHistoryLimit` (default 5) Failed, Error or Inconclusive ones, newest first';

/** The analysis runs and experiments a rollout lists, within its run history limits. */
@Resolver(() => RolloutModel)
export class RolloutHistoryResolver {
  constructor(
    private readonly analysisQueries: AnalysisQueries,
    private readonly experimentQueries: ExperimentQueries,
  ) {}

  @ResolveField(() => [AnalysisRunModel], {
    description: `Its analysis runs with their measurements: ${LIMITS_NOTE}. The query \`analysisRuns\` has them all until they are pruned (ANALYSIS_HISTORY_DAYS).`,
  })
  @RequiresRole('viewer')
  async analysisRuns(@CurrentPrincipal() principal: Principal, @Parent() rollout: RolloutModel): Promise<AnalysisRunModel[]> {
    const limits = runHistoryLimits((rollout.spec as RolloutSpec).analysis);
    const runs = await this.analysisQueries.analysisRunsOfRollout(organizationScope(principal.organizationId), rollout.id, limits);
    return runs.map(toAnalysisRunModel);
  }

  @ResolveField(() => [ExperimentModel], {
    description: `The experiments its experiment steps started: ${LIMITS_NOTE}. The query \`experiments\` has them all.`,
  })
  @RequiresRole('viewer')
  async experiments(@CurrentPrincipal() principal: Principal, @Parent() rollout: RolloutModel): Promise<ExperimentModel[]> {
    const limits = runHistoryLimits((rollout.spec as RolloutSpec).analysis);
    const experiments = await this.experimentQueries.experimentsOfRollout(organizationScope(principal.organizationId), rollout.id, limits);
    return experiments.map(toExperimentModel);
  }
}

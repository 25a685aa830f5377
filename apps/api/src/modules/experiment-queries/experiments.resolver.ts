import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AnalysisQueries, ExperimentQueries, organizationScope } from '@flotilla/stores';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import type { Principal } from '../../common/auth/principal.js';
import { ErrorCode, notFound } from '@flotilla/service-runtime';
import { isIdCursor, PageInput, pageRequest, toPage } from '../../common/graphql/pagination.js';
import { CurrentPrincipal } from '../../common/graphql/request-context.js';
import { toAnalysisRunModel } from '../analysis/analysis-run.mapper.js';
import { AnalysisRunModel } from '../analysis/analysis.models.js';
import { toExperimentModel } from './experiment.mapper.js';
import { ExperimentFilter, ExperimentModel, ExperimentPage } from './experiment.models.js';

@Resolver(() => ExperimentModel)
export class ExperimentsResolver {
  constructor(
    private readonly experimentQueries: ExperimentQueries,
    private readonly analysisQueries: AnalysisQueries,
  ) {}

  @Query(() => ExperimentPage, { description: 'Experiments, standalone and of rollouts, newest first.' })
  @RequiresRole('viewer')
  async experiments(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { nullable: true }) filter?: ExperimentFilter,
    @Args('page', { nullable: true }) page?: PageInput,
  ): Promise<ExperimentPage> {
    const { take, after } = pageRequest(page, isIdCursor);
    const experiments = await this.experimentQueries.experiments(organizationScope(principal.organizationId), filter ?? {}, {
      limit: take + 1,
      afterId: after?.id,
    });
    const result = toPage(experiments, take, (experiment) => ({ id: experiment.id }));
    return { nodes: result.nodes.map(toExperimentModel), pageInfo: result.pageInfo };
  }

  @Query(() => ExperimentModel, { description: 'One experiment.' })
  @RequiresRole('viewer')
  async experiment(
    @CurrentPrincipal() principal: Principal,
    @Args('cluster') cluster: string,
    @Args('namespace') namespace: string,
    @Args('name') name: string,
  ): Promise<ExperimentModel> {
    const experiment = await this.experimentQueries.experiment(organizationScope(principal.organizationId), { cluster, namespace, name });
    if (!experiment) throw notFound(ErrorCode.ExperimentNotFound, `experiment ${cluster}/${namespace}/${name}`);
    return toExperimentModel(experiment);
  }

  @ResolveField(() => [AnalysisRunModel], {
    description: 'The analysis runs it started, with their measurements, in the order they started.',
  })
  @RequiresRole('viewer')
  async analysisRuns(@CurrentPrincipal() principal: Principal, @Parent() experiment: ExperimentModel): Promise<AnalysisRunModel[]> {
    const runs = await this.analysisQueries.analysisRunsOfExperiment(organizationScope(principal.organizationId), experiment.id);
    return runs.map(toAnalysisRunModel);
  }
}

import { Inject } from '@nestjs/common';
import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { Prisma, DatabaseClient } from '@flotilla/stores';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import type { Principal } from '../../common/auth/principal.js';
import { ErrorCode, notFound } from '@flotilla/service-runtime';
import { isIdCursor, PageInput, pageRequest, toPage } from '../../common/graphql/pagination.js';
import { CurrentPrincipal } from '../../common/graphql/request-context.js';
import { DATABASE } from '../../infrastructure/tokens.js';
import { ANALYSIS_RUN_INCLUDE, toAnalysisRunModel } from '../analysis/analysis-run.mapper.js';
import { AnalysisRunModel } from '../analysis/analysis.models.js';
import { EXPERIMENT_INCLUDE, toExperimentModel } from './experiment.mapper.js';
import { ExperimentFilter, ExperimentModel, ExperimentPage } from './experiment.models.js';

@Resolver(() => ExperimentModel)
export class ExperimentsResolver {
  constructor(@Inject(DATABASE) private readonly database: DatabaseClient) {}

  @Query(() => ExperimentPage, { description: 'Experiments, standalone and of rollouts, newest first.' })
  @RequiresRole('viewer')
  async experiments(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { nullable: true }) filter?: ExperimentFilter,
    @Args('page', { nullable: true }) page?: PageInput,
  ): Promise<ExperimentPage> {
    const { take, after } = pageRequest(page, isIdCursor);
    const where: Prisma.ExperimentWhereInput = {
      organizationId: principal.organizationId,
      ...(filter?.cluster ? { cluster: { name: filter.cluster } } : {}),
      ...(filter?.namespace ? { namespace: filter.namespace } : {}),
      ...(filter?.rollout ? { rollout: { name: filter.rollout } } : {}),
      ...(filter?.name ? { name: filter.name } : {}),
      ...(filter?.phase ? { phase: filter.phase } : {}),
    };
    const rows = await this.database.experiment.findMany({
      where,
      include: EXPERIMENT_INCLUDE,
      orderBy: { id: 'desc' },
      take: take + 1,
      ...(after ? { cursor: { id: after.id }, skip: 1 } : {}),
    });
    const result = toPage(rows, take, (row) => ({ id: row.id }));
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
    const row = await this.database.experiment.findFirst({
      where: { organizationId: principal.organizationId, cluster: { name: cluster }, namespace, name },
      include: EXPERIMENT_INCLUDE,
    });
    if (!row) throw notFound(ErrorCode.ExperimentNotFound, `experiment ${cluster}/${namespace}/${name}`);
    return toExperimentModel(row);
  }

  @ResolveField(() => [AnalysisRunModel], {
    description: 'The analysis runs it started, with their measurements, in the order they started.',
  })
  @RequiresRole('viewer')
  async analysisRuns(@CurrentPrincipal() principal: Principal, @Parent() experiment: ExperimentModel): Promise<AnalysisRunModel[]> {
    const rows = await this.database.analysisRun.findMany({
      where: { organizationId: principal.organizationId, experimentId: experiment.id },
      include: ANALYSIS_RUN_INCLUDE,
      orderBy: { id: 'asc' },
    });
    return rows.map(toAnalysisRunModel);
  }
}

import { Args, Query, Resolver } from '@nestjs/graphql';
import { AnalysisQueries, organizationScope } from '@flotilla/stores';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import type { Principal } from '../../common/auth/principal.js';
import { isIdCursor, PageInput, pageRequest, toPage } from '../../common/graphql/pagination.js';
import { CurrentPrincipal } from '../../common/graphql/request-context.js';
import { toAnalysisRunModel } from './analysis-run.mapper.js';
import { AnalysisRunFilter, AnalysisRunPage, AnalysisTemplateModel, ClusterAnalysisTemplateModel } from './analysis.models.js';

@Resolver()
export class AnalysisResolver {
  constructor(private readonly analysis: AnalysisQueries) {}

  @Query(() => [AnalysisTemplateModel], { description: 'AnalysisTemplates, optionally of one cluster and namespace.' })
  @RequiresRole('viewer')
  analysisTemplates(
    @CurrentPrincipal() principal: Principal,
    @Args('cluster', { nullable: true }) cluster?: string,
    @Args('namespace', { nullable: true }) namespace?: string,
  ): Promise<AnalysisTemplateModel[]> {
    return this.analysis.analysisTemplates(organizationScope(principal.organizationId), { cluster, namespace });
  }

  @Query(() => [ClusterAnalysisTemplateModel], { description: "The organization's ClusterAnalysisTemplates, by name." })
  @RequiresRole('viewer')
  clusterAnalysisTemplates(@CurrentPrincipal() principal: Principal): Promise<ClusterAnalysisTemplateModel[]> {
    return this.analysis.clusterAnalysisTemplates(organizationScope(principal.organizationId));
  }

  @Query(() => AnalysisRunPage, { description: 'Analysis runs with their measurements, newest first.' })
  @RequiresRole('viewer')
  async analysisRuns(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { nullable: true }) filter?: AnalysisRunFilter,
    @Args('page', { nullable: true }) page?: PageInput,
  ): Promise<AnalysisRunPage> {
    const { take, after } = pageRequest(page, isIdCursor);
    const runs = await this.analysis.analysisRuns(organizationScope(principal.organizationId), filter ?? {}, {
      limit: take + 1,
      afterId: after?.id,
    });
    const result = toPage(runs, take, (run) => ({ id: run.id }));
    return { nodes: result.nodes.map(toAnalysisRunModel), pageInfo: result.pageInfo };
  }
}

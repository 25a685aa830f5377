import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AnalysisQueries, organizationScope } from '@flotilla/stores';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import type { Principal } from '../../common/auth/principal.js';
import { isIdCursor, PageInput, pageRequest, toPage } from '../../common/graphql/pagination.js';
import { CurrentPrincipal, CurrentRequest, type RequestContext } from '../../common/graphql/request-context.js';
import { AnalysisRunsService } from './analysis-runs.service.js';
import { toAnalysisRunModel } from './analysis-run.mapper.js';
import {
  AnalysisRunFilter,
  AnalysisRunModel,
  AnalysisRunPage,
  AnalysisTemplateModel,
  ClusterAnalysisTemplateModel,
} from './analysis.models.js';

@Resolver()
export class AnalysisResolver {
  constructor(
    private readonly analysis: AnalysisQueries,
    private readonly runs: AnalysisRunsService,
  ) {}

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

  @Mutation(() => AnalysisRunModel, {
    description:
      'Terminates a run (spec.terminate): it stops measuring and ends with the worst phase of its metrics, Successful when none completed, "Run Terminated". Refused once it has ended.',
  })
  @RequiresRole('deployer')
  terminateAnalysisRun(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('cluster', { description: 'Cluster name.' }) cluster: string,
    @Args('namespace', { description: 'Namespace.' }) namespace: string,
    @Args('name', { description: 'Run name.' }) name: string,
    @Args('reason', { nullable: true, description: 'Why, kept in the audit record.' }) reason?: string,
  ): Promise<AnalysisRunModel> {
    return this.runs.terminate(principal, { cluster, namespace, name }, reason ?? null, request.requestId);
  }
}

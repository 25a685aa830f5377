import { Inject } from '@nestjs/common';
import { Args, Query, Resolver } from '@nestjs/graphql';
import type { Prisma, DatabaseClient } from '@flotilla/stores';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import type { Principal } from '../../common/auth/principal.js';
import { isIdCursor, PageInput, pageRequest, toPage } from '../../common/graphql/pagination.js';
import { CurrentPrincipal } from '../../common/graphql/request-context.js';
import { DATABASE } from '../../infrastructure/tokens.js';
import { ANALYSIS_RUN_INCLUDE, toAnalysisRunModel } from './analysis-run.mapper.js';
import { AnalysisRunFilter, AnalysisRunPage, AnalysisTemplateModel, ClusterAnalysisTemplateModel } from './analysis.models.js';

@Resolver()
export class AnalysisResolver {
  constructor(@Inject(DATABASE) private readonly database: DatabaseClient) {}

  @Query(() => [AnalysisTemplateModel], { description: 'AnalysisTemplates, optionally of one cluster and namespace.' })
  @RequiresRole('viewer')
  async analysisTemplates(
    @CurrentPrincipal() principal: Principal,
    @Args('cluster', { nullable: true }) cluster?: string,
    @Args('namespace', { nullable: true }) namespace?: string,
  ): Promise<AnalysisTemplateModel[]> {
    const rows = await this.database.analysisTemplate.findMany({
      where: {
        organizationId: principal.organizationId,
        ...(cluster ? { cluster: { name: cluster } } : {}),
        ...(namespace ? { namespace } : {}),
      },
      include: { cluster: { select: { name: true } } },
      orderBy: [{ clusterId: 'asc' }, { namespace: 'asc' }, { name: 'asc' }],
    });
    return rows.map((row) => ({ ...row, cluster: row.cluster.name }));
  }

  @Query(() => [ClusterAnalysisTemplateModel], { description: "The organization's ClusterAnalysisTemplates, by name." })
  @RequiresRole('viewer')
  clusterAnalysisTemplates(@CurrentPrincipal() principal: Principal): Promise<ClusterAnalysisTemplateModel[]> {
    return this.database.clusterAnalysisTemplate.findMany({
      where: { organizationId: principal.organizationId },
      orderBy: { name: 'asc' },
    });
  }

  @Query(() => AnalysisRunPage, { description: 'Analysis runs with their measurements, newest first.' })
  @RequiresRole('viewer')
  async analysisRuns(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { nullable: true }) filter?: AnalysisRunFilter,
    @Args('page', { nullable: true }) page?: PageInput,
  ): Promise<AnalysisRunPage> {
    const { take, after } = pageRequest(page, isIdCursor);
    const where: Prisma.AnalysisRunWhereInput = {
      organizationId: principal.organizationId,
      ...(filter?.cluster ? { cluster: { name: filter.cluster } } : {}),
      ...(filter?.namespace ? { namespace: filter.namespace } : {}),
      ...(filter?.rollout ? { rollout: { name: filter.rollout } } : {}),
      ...(filter?.name ? { name: filter.name } : {}),
      ...(filter?.revision !== undefined && filter.revision !== null ? { revision: filter.revision } : {}),
      ...(filter?.phase ? { phase: filter.phase } : {}),
    };
    const rows = await this.database.analysisRun.findMany({
      where,
      include: ANALYSIS_RUN_INCLUDE,
      orderBy: { id: 'desc' },
      take: take + 1,
      ...(after ? { cursor: { id: after.id }, skip: 1 } : {}),
    });
    const result = toPage(rows, take, (row) => ({ id: row.id }));
    return { nodes: result.nodes.map(toAnalysisRunModel), pageInfo: result.pageInfo };
  }
}

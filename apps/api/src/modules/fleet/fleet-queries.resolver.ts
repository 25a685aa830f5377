import { Inject } from '@nestjs/common';
import type { EventBus } from '@flotilla/events';
import { AnalysisQueries, organizationScope } from '@flotilla/stores';
import { Args, Int, Parent, Query, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import type { Principal } from '../../common/auth/principal.js';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import { PageInput } from '../../common/graphql/pagination.js';
import { CurrentPrincipal } from '../../common/graphql/request-context.js';
import { subscriptionFor } from '../../common/graphql/subscription.js';
import { EVENT_BUS } from '../../infrastructure/tokens.js';
import { RolloutModel } from '../rollouts/rollout.model.js';
import { toAnalysisRunModel } from '../analysis/analysis-run.mapper.js';
import { AnalysisRunModel } from '../analysis/analysis.models.js';
import { revivedFleetReleaseRecord, toFleetReleaseModel } from './fleet.mapper.js';
import { FleetMemberModel, FleetPlanModel, FleetReleaseModel, FleetReleasePage, FleetRolloutModel } from './fleet.models.js';
import { FleetQueriesService } from './fleet-queries.service.js';

const fleetRolloutArgument = { description: 'Name of the FleetRollout.' } as const;

@Resolver(() => FleetRolloutModel)
export class FleetQueriesResolver {
  constructor(
    private readonly fleet: FleetQueriesService,
    @Inject(EVENT_BUS) private readonly eventBus: EventBus,
  ) {}

  @Query(() => [FleetRolloutModel], { description: 'Every FleetRollout of the organization, by name.' })
  @RequiresRole('viewer')
  fleetRollouts(@CurrentPrincipal() principal: Principal): Promise<FleetRolloutModel[]> {
    return this.fleet.list(principal);
  }

  @Query(() => FleetRolloutModel, { nullable: true, description: 'One FleetRollout by name; null when there is none.' })
  @RequiresRole('viewer')
  fleetRollout(@CurrentPrincipal() principal: Principal, @Args('name') name: string): Promise<FleetRolloutModel | null> {
    return this.fleet.find(principal, name);
  }

  @Query(() => FleetPlanModel, { description: "Which cluster falls in which wave of a FleetRollout now, by the clusters' labels." })
  @RequiresRole('viewer')
  fleetPlan(@CurrentPrincipal() principal: Principal, @Args('name') name: string): Promise<FleetPlanModel> {
    return this.fleet.plan(principal, name);
  }

  @Query(() => FleetReleasePage, { description: 'Releases of a FleetRollout, newest first.' })
  @RequiresRole('viewer')
  fleetReleases(
    @CurrentPrincipal() principal: Principal,
    @Args('fleetRollout', fleetRolloutArgument) fleetRollout: string,
    @Args('page', { nullable: true }) page?: PageInput,
  ): Promise<FleetReleasePage> {
    return this.fleet.releasePage(principal, fleetRollout, page);
  }

  @Query(() => FleetReleaseModel, {
    nullable: true,
    description: 'One release of a FleetRollout; without a number, the active release, else the newest; null when there is none.',
  })
  @RequiresRole('viewer')
  fleetRelease(
    @CurrentPrincipal() principal: Principal,
    @Args('fleetRollout', fleetRolloutArgument) fleetRollout: string,
    @Args('number', { type: () => Int, nullable: true, description: 'Release number: 1, 2, 3…' }) number?: number | null,
  ): Promise<FleetReleaseModel | null> {
    return this.fleet.release(principal, fleetRollout, number ?? undefined);
  }

  @ResolveField(() => FleetPlanModel, { description: 'Which cluster falls in which wave now (the same as fleetPlan(name)).' })
  @RequiresRole('viewer')
  plan(@CurrentPrincipal() principal: Principal, @Parent() fleetRollout: FleetRolloutModel): Promise<FleetPlanModel> {
    return this.fleet.planOf(principal, fleetRollout.name, fleetRollout.spec);
  }

  @ResolveField(() => FleetReleaseModel, { nullable: true, description: 'The active release, else the newest one, else null.' })
  @RequiresRole('viewer')
  currentRelease(@CurrentPrincipal() principal: Principal, @Parent() fleetRollout: FleetRolloutModel): Promise<FleetReleaseModel | null> {
    return this.fleet.currentRelease(principal, fleetRollout.name);
  }

  @Subscription(() => FleetReleaseModel, {
    description: 'Each change of a release of the organization, optionally narrowed to the releases of one FleetRollout.',
  })
  @RequiresRole('viewer')
  fleetReleaseChanged(
    @CurrentPrincipal() principal: Principal,
    @Args('fleetRollout', { nullable: true, description: 'Name of the FleetRollout.' }) fleetRollout?: string,
  ): AsyncIterableIterator<{ fleetReleaseChanged: FleetReleaseModel }> {
    return subscriptionFor(this.eventBus, 'fleetReleaseChanged', principal.organizationId, (release) =>
      fleetRollout && release.fleetRolloutName !== fleetRollout
        ? []
        : [{ fleetReleaseChanged: toFleetReleaseModel(revivedFleetReleaseRecord(release)) }],
    );
  }
}

@Resolver(() => FleetMemberModel)
export class FleetMembersResolver {
  constructor(private readonly fleet: FleetQueriesService) {}

  @ResolveField(() => RolloutModel, {
    nullable: true,
    description: "The member's Rollout now (phase, progress: step, weight…); null when its cluster has none.",
  })
  @RequiresRole('viewer')
  rollout(@CurrentPrincipal() principal: Principal, @Parent() member: FleetMemberModel): Promise<RolloutModel | null> {
    return this.fleet.memberRollout(principal, member);
  }
}

@Resolver(() => FleetReleaseModel)
export class FleetReleaseAnalysisResolver {
  constructor(private readonly analysis: AnalysisQueries) {}

  @ResolveField(() => [AnalysisRunModel], {
    description:
      "The analysis runs of its waves, in the order they were made: a wave's pooled run (no cluster; each measurement's parts carry their cluster, the pooled measurement none) or each cluster's own run.",
  })
  @RequiresRole('viewer')
  async analysisRuns(@CurrentPrincipal() principal: Principal, @Parent() release: FleetReleaseModel): Promise<AnalysisRunModel[]> {
    const runs = await this.analysis.analysisRunsOfFleetRelease(organizationScope(principal.organizationId), release.id);
    return runs.map(toAnalysisRunModel);
  }
}

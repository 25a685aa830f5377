import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { Principal } from '../../common/auth/principal.js';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import { PageInput } from '../../common/graphql/pagination.js';
import { CurrentPrincipal, CurrentRequest, type RequestContext } from '../../common/graphql/request-context.js';
import { RolloutModel } from '../rollouts/rollout.model.js';
import {
  ActiveFreezesModel,
  BreakGlassOverrideModel,
  BreakGlassOverridePage,
  BreakGlassTarget,
  FreezePeriodModel,
  FreezeWindowModel,
  OrganizationSettingsModel,
} from './freezes.models.js';
import { FreezesService } from './freezes.service.js';

@Resolver(() => FreezeWindowModel)
export class FreezesResolver {
  constructor(private readonly freezes: FreezesService) {}

  @Query(() => [FreezeWindowModel], { description: 'Every FreezeWindow of the organization, by name, with its current and next period.' })
  @RequiresRole('viewer')
  freezeWindows(@CurrentPrincipal() principal: Principal): Promise<FreezeWindowModel[]> {
    return this.freezes.list(principal);
  }

  @Query(() => FreezeWindowModel, { nullable: true, description: 'One FreezeWindow by name; null when there is none.' })
  @RequiresRole('viewer')
  freezeWindow(@CurrentPrincipal() principal: Principal, @Args('name') name: string): Promise<FreezeWindowModel | null> {
    return this.freezes.find(principal, name);
  }

  @Query(() => ActiveFreezesModel, { description: 'The freezes in effect now for one namespace of one cluster, and the next to start.' })
  @RequiresRole('viewer')
  activeFreezes(
    @CurrentPrincipal() principal: Principal,
    @Args('cluster', { description: 'Cluster name.' }) cluster: string,
    @Args('namespace', { description: 'Namespace.' }) namespace: string,
  ): Promise<ActiveFreezesModel> {
    return this.freezes.active(principal, cluster, namespace);
  }
}

@Resolver(() => BreakGlassOverrideModel)
export class BreakGlassResolver {
  constructor(private readonly freezes: FreezesService) {}

  @Query(() => BreakGlassOverridePage, { description: 'Break-glass overrides of the organization: active first, then newest first.' })
  @RequiresRole('viewer')
  breakGlassOverrides(
    @CurrentPrincipal() principal: Principal,
    @Args('page', { nullable: true }) page?: PageInput,
  ): Promise<BreakGlassOverridePage> {
    return this.freezes.overridePage(principal, page);
  }

  @Mutation(() => BreakGlassOverrideModel, {
    description:
      'Overrides freezes for one rollout or the active release of one FleetRollout, for durationSeconds (60 to 86400); ' +
      'at once, or once a second admin confirms it when the organization asks for one. Audited.',
  })
  @RequiresRole('admin')
  breakGlass(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('target') target: BreakGlassTarget,
    @Args('reason', { description: 'Why, kept in the audit record: required.' }) reason: string,
    @Args('durationSeconds', { type: () => Int, description: 'How long it lasts once in effect: 60 to 86400 seconds.' })
    durationSeconds: number,
  ): Promise<BreakGlassOverrideModel> {
    return this.freezes.breakGlass(principal, target, reason, durationSeconds, request.requestId);
  }

  @Mutation(() => BreakGlassOverrideModel, {
    description: 'Confirms a pending override, by another admin than the one who asked for it: it takes effect now. Audited.',
  })
  @RequiresRole('admin')
  confirmBreakGlass(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<BreakGlassOverrideModel> {
    return this.freezes.confirm(principal, id, request.requestId);
  }

  @Mutation(() => BreakGlassOverrideModel, { description: 'Ends an override, pending or in effect, before its time. Audited.' })
  @RequiresRole('admin')
  revokeBreakGlass(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('reason', { nullable: true, description: 'Why, kept in the audit record.' }) reason?: string,
  ): Promise<BreakGlassOverrideModel> {
    return this.freezes.revoke(principal, id, reason ?? null, request.requestId);
  }
}

@Resolver(() => OrganizationSettingsModel)
export class OrganizationSettingsResolver {
  constructor(private readonly freezes: FreezesService) {}

  @Query(() => OrganizationSettingsModel, { description: "The organization's settings." })
  @RequiresRole('viewer')
  organizationSettings(@CurrentPrincipal() principal: Principal): Promise<OrganizationSettingsModel> {
    return this.freezes.settings(principal);
  }

  @Mutation(() => OrganizationSettingsModel, { description: "Changes the organization's settings. Audited." })
  @RequiresRole('admin')
  updateOrganizationSettings(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('breakGlassNeedsSecondAdmin', { description: 'A break-glass override takes effect only once a second admin confirms it.' })
    breakGlassNeedsSecondAdmin: boolean,
  ): Promise<OrganizationSettingsModel> {
    return this.freezes.updateSettings(principal, breakGlassNeedsSecondAdmin, request.requestId);
  }
}

@Resolver(() => RolloutModel)
export class RolloutFreezeResolver {
  constructor(private readonly freezes: FreezesService) {}

  @ResolveField(() => FreezePeriodModel, {
    nullable: true,
    description: 'The freeze holding or refusing its releases now; null when none does, or under an active break-glass override.',
  })
  @RequiresRole('viewer')
  freeze(@CurrentPrincipal() principal: Principal, @Parent() rollout: RolloutModel): Promise<FreezePeriodModel | null> {
    return this.freezes.rolloutFreeze(principal, rollout);
  }
}

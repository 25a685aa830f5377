import { Args, Mutation, Resolver } from '@nestjs/graphql';
import type { Principal } from '../../common/auth/principal.js';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import { JsonScalar } from '../../common/graphql/json.scalar.js';
import { CurrentPrincipal, CurrentRequest, type RequestContext } from '../../common/graphql/request-context.js';
import { toFleetReleaseModel } from './fleet.mapper.js';
import { FleetReleaseModel } from './fleet.models.js';
import { FleetReleasesService, type FleetReleaseOperationRequest } from './fleet-releases.service.js';

const fleetRolloutArgument = { description: 'Name of the FleetRollout.' } as const;
const reasonArgument = { type: () => String, nullable: true, description: 'Why, kept in the audit record.' } as const;
const requiredReasonArgument = { description: 'Why, kept in the audit record.' } as const;
const clusterArgument = { description: 'The member cluster.' } as const;

/** Starting a fleet release, and the operations people ask of the active one. */
@Resolver(() => FleetReleaseModel)
export class FleetReleaseOperationsResolver {
  constructor(private readonly releases: FleetReleasesService) {}

  @Mutation(() => FleetReleaseModel, {
    description:
      "Starts a release of the FleetRollout, superseding its active release: exactly one of image (with container) or template. The first wave's first batch changes at once.",
  })
  @RequiresRole('deployer')
  async releaseFleet(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('fleetRollout', fleetRolloutArgument) fleetRollout: string,
    @Args('image', { type: () => String, nullable: true, description: "The new image of `container` in each member's template." })
    image?: string | null,
    @Args('container', { type: () => String, nullable: true, description: 'The container whose image changes; goes with image.' })
    container?: string | null,
    @Args('template', { type: () => JsonScalar, nullable: true, description: "The pod template that replaces each member's." })
    template?: unknown,
    @Args('reason', reasonArgument) reason?: string | null,
  ): Promise<FleetReleaseModel> {
    const record = await this.releases.release(
      principal,
      { fleetRollout, image: image ?? null, container: container ?? null, template: template ?? null, reason: reason ?? null },
      request.requestId,
    );
    return toFleetReleaseModel(record);
  }

  @Mutation(() => FleetReleaseModel, { description: 'Pauses the active release: no member changes until it is resumed.' })
  @RequiresRole('deployer')
  pauseFleetRelease(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('fleetRollout', fleetRolloutArgument) fleetRollout: string,
    @Args('reason', reasonArgument) reason?: string | null,
  ): Promise<FleetReleaseModel> {
    return this.operate(principal, request, fleetRollout, { type: 'pause' }, reason);
  }

  @Mutation(() => FleetReleaseModel, { description: 'Resumes a paused release where it was.' })
  @RequiresRole('deployer')
  resumeFleetRelease(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('fleetRollout', fleetRolloutArgument) fleetRollout: string,
    @Args('reason', reasonArgument) reason?: string | null,
  ): Promise<FleetReleaseModel> {
    return this.operate(principal, request, fleetRollout, { type: 'resume' }, reason);
  }

  @Mutation(() => FleetReleaseModel, {
    description:
      'Aborts the active release: members changing are aborted and keep their templates; with rollback, every changed member gets back the template it had before, wave by wave.',
  })
  @RequiresRole('deployer')
  abortFleetRelease(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('fleetRollout', fleetRolloutArgument) fleetRollout: string,
    @Args('rollback', { defaultValue: false, description: 'Restore the templates the members had before the release.' }) rollback: boolean,
    @Args('reason', reasonArgument) reason?: string | null,
  ): Promise<FleetReleaseModel> {
    return this.operate(principal, request, fleetRollout, { type: 'abort', rollback }, reason);
  }

  @Mutation(() => FleetReleaseModel, {
    description: 'Approves the wave under way, whose approval is manual: once its other gates hold, the next wave starts.',
  })
  @RequiresRole('deployer')
  approveWave(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('fleetRollout', fleetRolloutArgument) fleetRollout: string,
    @Args('wave', { type: () => String, nullable: true, description: 'The wave approved; the one waiting when omitted.' })
    wave?: string | null,
    @Args('reason', reasonArgument) reason?: string | null,
  ): Promise<FleetReleaseModel> {
    return this.operate(principal, request, fleetRollout, { type: 'approveWave', wave: wave ?? null }, reason);
  }

  @Mutation(() => FleetReleaseModel, {
    description: "Retries a Halted release: the failed wave's failed members are retried and its gates assessed afresh.",
  })
  @RequiresRole('deployer')
  retryFleetRelease(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('fleetRollout', fleetRolloutArgument) fleetRollout: string,
    @Args('reason', reasonArgument) reason?: string | null,
  ): Promise<FleetReleaseModel> {
    return this.operate(principal, request, fleetRollout, { type: 'retry' }, reason);
  }

  @Mutation(() => FleetReleaseModel, {
    description: 'Promotes the members of the wave under way that wait at a pause (a step of their own, or spec.paused).',
  })
  @RequiresRole('deployer')
  promoteWave(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('fleetRollout', fleetRolloutArgument) fleetRollout: string,
    @Args('reason', reasonArgument) reason?: string | null,
  ): Promise<FleetReleaseModel> {
    return this.operate(principal, request, fleetRollout, { type: 'promoteWave' }, reason);
  }

  @Mutation(() => FleetReleaseModel, {
    description: 'Passes over one member of the release: it no longer holds its wave; a Halted release that it alone halted goes on.',
  })
  @RequiresRole('deployer')
  skipFleetMember(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('fleetRollout', fleetRolloutArgument) fleetRollout: string,
    @Args('cluster', clusterArgument) cluster: string,
    @Args('reason', requiredReasonArgument) reason: string,
  ): Promise<FleetReleaseModel> {
    return this.operate(principal, request, fleetRollout, { type: 'skipMember', cluster }, reason);
  }

  @Mutation(() => FleetReleaseModel, {
    description:
      "Retries a Failed member: an aborted rollout on the release's template is retried where it stands, another is changed again in its turn.",
  })
  @RequiresRole('deployer')
  retryFleetMember(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('fleetRollout', fleetRolloutArgument) fleetRollout: string,
    @Args('cluster', clusterArgument) cluster: string,
    @Args('reason', requiredReasonArgument) reason: string,
  ): Promise<FleetReleaseModel> {
    return this.operate(principal, request, fleetRollout, { type: 'retryMember', cluster }, reason);
  }

  private async operate(
    principal: Principal,
    request: RequestContext,
    fleetRollout: string,
    operation: FleetReleaseOperationRequest,
    reason: string | null | undefined,
  ): Promise<FleetReleaseModel> {
    return toFleetReleaseModel(await this.releases.operate(principal, fleetRollout, operation, reason ?? null, request.requestId));
  }
}

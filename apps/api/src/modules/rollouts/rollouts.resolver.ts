import { Inject } from '@nestjs/common';
import type { RolloutSpec } from '@flotilla/argo-spec';
import type { RolloutStatus } from '@flotilla/rollout-engine';
import { Args, Int, Mutation, Parent, Query, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import type { Principal } from '../../common/auth/principal.js';
import { PageInput } from '../../common/graphql/pagination.js';
import { CurrentPrincipal, CurrentRequest, type RequestContext } from '../../common/graphql/request-context.js';
import { subscriptionFor } from '../../common/graphql/subscription.js';
import type { EventBus } from '@flotilla/events';
import { EVENT_BUS } from '../../infrastructure/tokens.js';
import { RolloutFilter, RolloutModel, RolloutOperationModel, RolloutPage, RolloutRef, RolloutRevisionModel } from './rollout.model.js';
import { rolloutProgress } from './rollout-progress.js';
import { RolloutProgressModel } from './rollout-progress.model.js';
import { RolloutsService, type OperationRequest } from './rollouts.service.js';
import { restartOperation } from './restart-operation.js';
import { DateTimeScalar } from '../../common/graphql/date-time.scalar.js';

const reasonArgument = { nullable: true, description: 'Why, kept in the audit record.' } as const;

@Resolver(() => RolloutModel)
export class RolloutsResolver {
  constructor(
    private readonly rolloutService: RolloutsService,
    @Inject(EVENT_BUS) private readonly eventBus: EventBus,
  ) {}

  @Query(() => RolloutPage, { description: "Rollouts across the organization's clusters." })
  @RequiresRole('viewer')
  rollouts(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { nullable: true }) filter?: RolloutFilter,
    @Args('page', { nullable: true }) page?: PageInput,
  ): Promise<RolloutPage> {
    return this.rolloutService.list(principal, filter, page);
  }

  @Query(() => RolloutModel, { description: 'One rollout.' })
  @RequiresRole('viewer')
  rollout(
    @CurrentPrincipal() principal: Principal,
    @Args('cluster') cluster: string,
    @Args('namespace') namespace: string,
    @Args('name') name: string,
  ): Promise<RolloutModel> {
    return this.rolloutService.get(principal, { cluster, namespace, name });
  }

  // Read from the rollout as loaded (or as announced to subscribers), so it costs no query.
  @ResolveField(() => RolloutProgressModel, {
    description: 'Its status in typed fields: step, weights, pods, conditions, pauses, abort and analysis.',
  })
  @RequiresRole('viewer')
  progress(@Parent() rollout: RolloutModel): RolloutProgressModel {
    return rolloutProgress({
      spec: rollout.spec as RolloutSpec,
      status: rollout.status as RolloutStatus | null,
      replicaSets: rollout.replicaSets,
      observedTrafficWeights: rollout.observedTrafficWeights,
    });
  }

  @Query(() => [RolloutRevisionModel], { description: 'Release history of one rollout, newest first.' })
  @RequiresRole('viewer')
  rolloutRevisions(
    @CurrentPrincipal() principal: Principal,
    @Args('rollout') rollout: RolloutRef,
    @Args('revisions', {
      type: () => [Int],
      nullable: true,
      description: 'Only the revisions with these numbers (such as the two to compare); every one when absent.',
    })
    revisions?: number[] | null,
  ): Promise<RolloutRevisionModel[]> {
    return this.rolloutService.revisions(principal, rollout, revisions ?? undefined);
  }

  @Query(() => [RolloutOperationModel], { description: 'The latest 100 operations asked of one rollout, newest first.' })
  @RequiresRole('viewer')
  rolloutOperations(@CurrentPrincipal() principal: Principal, @Args('rollout') rollout: RolloutRef): Promise<RolloutOperationModel[]> {
    return this.rolloutService.operations(principal, rollout);
  }

  @Mutation(() => RolloutOperationModel, { description: "Sets a container's image, starting a new revision." })
  @RequiresRole('deployer')
  setImage(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('rollout') rollout: RolloutRef,
    @Args('container', { description: 'The container whose image is set; * sets every container (and init container).' }) container: string,
    @Args('image') image: string,
    @Args('reason', reasonArgument) reason?: string,
  ): Promise<RolloutOperationModel> {
    return this.operate(principal, request, rollout, { type: 'setImage', container, image }, reason);
  }

  @Mutation(() => RolloutOperationModel, {
    description: 'Skips the current pause or step; with `full`, goes straight to 100% skipping the remaining steps and analysis.',
  })
  @RequiresRole('deployer')
  promote(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('rollout') rollout: RolloutRef,
    @Args('full', { defaultValue: false, description: 'Promote fully.' }) full: boolean,
    @Args('reason', reasonArgument) reason?: string,
  ): Promise<RolloutOperationModel> {
    return this.operate(principal, request, rollout, { type: 'promote', full }, reason);
  }

  @Mutation(() => RolloutOperationModel, { description: 'Aborts the update: stable back to full size and all traffic.' })
  @RequiresRole('deployer')
  abort(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('rollout') rollout: RolloutRef,
    @Args('reason', reasonArgument) reason?: string,
  ): Promise<RolloutOperationModel> {
    return this.operate(principal, request, rollout, { type: 'abort' }, reason);
  }

  @Mutation(() => RolloutOperationModel, { description: 'Retries an aborted update from its first step.' })
  @RequiresRole('deployer')
  retry(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('rollout') rollout: RolloutRef,
    @Args('reason', reasonArgument) reason?: string,
  ): Promise<RolloutOperationModel> {
    return this.operate(principal, request, rollout, { type: 'retry' }, reason);
  }

  @Mutation(() => RolloutOperationModel, { description: 'Pauses the rollout (spec.paused).' })
  @RequiresRole('deployer')
  pause(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('rollout') rollout: RolloutRef,
    @Args('reason', reasonArgument) reason?: string,
  ): Promise<RolloutOperationModel> {
    return this.operate(principal, request, rollout, { type: 'pause' }, reason);
  }

  @Mutation(() => RolloutOperationModel, { description: 'Resumes a paused rollout.' })
  @RequiresRole('deployer')
  resume(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('rollout') rollout: RolloutRef,
    @Args('reason', reasonArgument) reason?: string,
  ): Promise<RolloutOperationModel> {
    return this.operate(principal, request, rollout, { type: 'resume' }, reason);
  }

  @Mutation(() => RolloutOperationModel, {
    description: 'Restarts every pod, a few at a time (spec.restartAt): now, or `in` a duration or `at` a time within 168h.',
  })
  @RequiresRole('deployer')
  restart(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('rollout') rollout: RolloutRef,
    @Args('in', { type: () => String, nullable: true, description: 'How long from now, as a Go duration such as `30s`; at most 168h.' })
    delay?: string | null,
    @Args('at', { type: () => DateTimeScalar, nullable: true, description: 'When, instead of `in`; within 168h from now.' })
    at?: Date | null,
    @Args('reason', reasonArgument) reason?: string,
  ): Promise<RolloutOperationModel> {
    const timing = { ...(delay === undefined || delay === null ? {} : { in: delay }), ...(at === undefined || at === null ? {} : { at }) };
    return this.operate(principal, request, rollout, restartOperation(timing, new Date()), reason);
  }

  @Mutation(() => RolloutOperationModel, { description: 'Rolls back to a revision of the release history (the previous one by default).' })
  @RequiresRole('deployer')
  undo(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('rollout') rollout: RolloutRef,
    @Args('toRevision', { type: () => Int, nullable: true, description: 'Revision number; the previous one when omitted.' })
    toRevision?: number,
    @Args('reason', reasonArgument) reason?: string,
  ): Promise<RolloutOperationModel> {
    return this.operate(
      principal,
      request,
      rollout,
      toRevision === undefined || toRevision === null ? { type: 'undo' } : { type: 'undo', toRevision },
      reason,
    );
  }

  @Mutation(() => RolloutModel, { description: 'Deletes a rollout from Flotilla; its agent removes what it created in the cluster.' })
  @RequiresRole('deployer')
  deleteRollout(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('rollout') rollout: RolloutRef,
    @Args('reason', reasonArgument) reason?: string,
  ): Promise<RolloutModel> {
    return this.rolloutService.delete(principal, rollout, reason ?? null, request.requestId);
  }

  @Subscription(() => RolloutModel, {
    description: 'Each change of a rollout of the organization, optionally narrowed to a cluster, namespace or name.',
  })
  @RequiresRole('viewer')
  rolloutChanged(
    @CurrentPrincipal() principal: Principal,
    @Args('cluster', { nullable: true }) cluster?: string,
    @Args('namespace', { nullable: true }) namespace?: string,
    @Args('name', { nullable: true }) name?: string,
  ): AsyncIterableIterator<{ rolloutChanged: RolloutModel }> {
    return subscriptionFor(this.eventBus, 'rolloutChanged', principal.organizationId, async (change) => {
      if ((cluster && change.cluster !== cluster) || (namespace && change.namespace !== namespace) || (name && change.name !== name))
        return [];
      const rollout = await this.rolloutService.current(principal, change.id);
      return rollout ? [{ rolloutChanged: rollout }] : [];
    });
  }

  private operate(
    principal: Principal,
    request: RequestContext,
    rollout: RolloutRef,
    operation: OperationRequest,
    reason: string | undefined,
  ): Promise<RolloutOperationModel> {
    return this.rolloutService.requestOperation(principal, rollout, operation, reason ?? null, request.requestId);
  }
}

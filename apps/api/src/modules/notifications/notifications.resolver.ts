import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Principal } from '../../common/auth/principal.js';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import { PageInput } from '../../common/graphql/pagination.js';
import { CurrentPrincipal, CurrentRequest, type RequestContext } from '../../common/graphql/request-context.js';
import {
  NotificationDeliveryFilterInput,
  NotificationDeliveryModel,
  NotificationDeliveryPage,
  NotificationMuteInput,
  NotificationMuteModel,
} from './notifications.models.js';
import { NotificationsService } from './notifications.service.js';

@Resolver(() => NotificationDeliveryModel)
export class NotificationsResolver {
  constructor(private readonly notifications: NotificationsService) {}

  @Query(() => NotificationDeliveryPage, { description: "The organization's notification deliveries, newest first." })
  @RequiresRole('viewer')
  notificationDeliveries(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { nullable: true }) filter?: NotificationDeliveryFilterInput,
    @Args('page', { nullable: true }) page?: PageInput,
  ): Promise<NotificationDeliveryPage> {
    return this.notifications.deliveryPage(principal, filter, page);
  }

  @Query(() => [NotificationMuteModel], { description: 'The mutes in effect now, soonest ending first.' })
  @RequiresRole('viewer')
  notificationMutes(@CurrentPrincipal() principal: Principal): Promise<NotificationMuteModel[]> {
    return this.notifications.activeMutes(principal);
  }

  @Mutation(() => NotificationMuteModel, {
    description: 'Mutes notifications of a rollout, a trigger or a service (or what they have in common) for a time. Audited.',
  })
  @RequiresRole('deployer')
  muteNotifications(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('input') input: NotificationMuteInput,
  ): Promise<NotificationMuteModel> {
    return this.notifications.mute(principal, input, request.requestId);
  }

  @Mutation(() => NotificationMuteModel, { description: 'Ends a mute before its time. Audited.' })
  @RequiresRole('deployer')
  unmuteNotifications(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<NotificationMuteModel> {
    return this.notifications.unmute(principal, id, request.requestId);
  }
}

import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Principal } from '../../common/auth/principal.js';
import { RequiresRole } from '../../common/auth/requires-role.decorator.js';
import { CurrentPrincipal, CurrentRequest, type RequestContext } from '../../common/graphql/request-context.js';
import { RolloutRef } from '../rollouts/rollout.model.js';
import {
  NotificationRecipientInput,
  NotificationRenderingModel,
  NotificationTemplateModel,
  NotificationTriggerEvaluationModel,
  NotificationTriggerModel,
} from './notification-configuration.models.js';
import { NotificationConfigurationService } from './notification-configuration.service.js';
import { NotificationDeliveryModel } from './notifications.models.js';

const PLACE = {
  cluster: { type: () => String, nullable: true, description: 'A cluster, with namespace: the configuration of that namespace.' },
  namespace: { type: () => String, nullable: true, description: 'A namespace of cluster.' },
} as const;

@Resolver()
export class NotificationConfigurationResolver {
  constructor(private readonly configuration: NotificationConfigurationService) {}

  @Query(() => [NotificationTemplateModel], {
    description: "The notification templates in effect in a namespace (Argo's defaults, the organization's, the namespace's), by name.",
  })
  @RequiresRole('viewer')
  notificationTemplates(
    @CurrentPrincipal() principal: Principal,
    @Args('cluster', PLACE.cluster) cluster?: string | null,
    @Args('namespace', PLACE.namespace) namespace?: string | null,
  ): Promise<NotificationTemplateModel[]> {
    return this.configuration.templates(principal, cluster ?? undefined, namespace ?? undefined);
  }

  @Query(() => [NotificationTriggerModel], {
    description: "The notification triggers in effect in a namespace (Argo's defaults, the organization's, the namespace's), by name.",
  })
  @RequiresRole('viewer')
  notificationTriggers(
    @CurrentPrincipal() principal: Principal,
    @Args('cluster', PLACE.cluster) cluster?: string | null,
    @Args('namespace', PLACE.namespace) namespace?: string | null,
  ): Promise<NotificationTriggerModel[]> {
    return this.configuration.triggers(principal, cluster ?? undefined, namespace ?? undefined);
  }

  @Query(() => NotificationRenderingModel, {
    description: 'Renders a template over a rollout as it is now, for every service it has a block for. Sends nothing.',
  })
  @RequiresRole('viewer')
  renderNotificationTemplate(
    @CurrentPrincipal() principal: Principal,
    @Args('template', { description: 'The template name.' }) template: string,
    @Args('rollout', { description: 'The rollout to render it over.' }) rollout: RolloutRef,
  ): Promise<NotificationRenderingModel> {
    return this.configuration.render(principal, template, rollout);
  }

  @Query(() => NotificationTriggerEvaluationModel, {
    description: "Evaluates a trigger's conditions over a rollout as it is now. Sends nothing.",
  })
  @RequiresRole('viewer')
  evaluateNotificationTrigger(
    @CurrentPrincipal() principal: Principal,
    @Args('trigger', { description: 'The trigger name.' }) trigger: string,
    @Args('rollout', { description: 'The rollout to evaluate it over.' }) rollout: RolloutRef,
  ): Promise<NotificationTriggerEvaluationModel> {
    return this.configuration.evaluate(principal, trigger, rollout);
  }

  @Mutation(() => [NotificationDeliveryModel], {
    description:
      'Renders a template over a rollout and sends it to each recipient through the outbox (trigger on-demand; mutes and the organization bound apply). Audited.',
  })
  @RequiresRole('deployer')
  sendNotification(
    @CurrentPrincipal() principal: Principal,
    @CurrentRequest() request: RequestContext,
    @Args('template', { description: 'The template name.' }) template: string,
    @Args('rollout', { description: 'The rollout it is about.' }) rollout: RolloutRef,
    @Args('recipients', { type: () => [NotificationRecipientInput], description: 'Where to send it (1 to 20).' })
    recipients: NotificationRecipientInput[],
  ): Promise<NotificationDeliveryModel[]> {
    return this.configuration.send(principal, template, rollout, recipients, request.requestId);
  }
}

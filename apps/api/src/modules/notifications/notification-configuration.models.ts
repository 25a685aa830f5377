import { Field, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { JsonScalar } from '../../common/graphql/json.scalar.js';

export enum NotificationConfigurationLayerModel {
  Default = 'Default',
  Organization = 'Organization',
  Namespace = 'Namespace',
}

registerEnumType(NotificationConfigurationLayerModel, {
  name: 'NotificationConfigurationLayer',
  description:
    "Which configuration defines a template or trigger where it is read: Argo's defaults, the organization's, or the namespace's.",
});

@ObjectType('NotificationTemplate', { description: 'A `template.<name>` of the notification configuration in effect, as written.' })
export class NotificationTemplateModel {
  @Field({ description: 'The template name (`rollout-completed`).' })
  name!: string;

  @Field(() => NotificationConfigurationLayerModel, { description: 'The configuration it comes from.' })
  layer!: NotificationConfigurationLayerModel;

  @Field(() => String, { nullable: true, description: 'The message template, if it has one.' })
  message!: string | null;

  @Field(() => String, { nullable: true, description: 'The title template, if it has one.' })
  title!: string | null;

  @Field(() => JsonScalar, { description: 'The per-service blocks by service type (`slack: { attachments }`), as written.' })
  fields!: Record<string, unknown>;
}

@ObjectType('NotificationTriggerCondition', { description: 'One entry of a `trigger.<name>` list.' })
export class NotificationTriggerConditionModel {
  @Field(() => String, { nullable: true, description: 'The condition (`rollout.status.phase == "Healthy"`); absent: always true.' })
  when!: string | null;

  @Field(() => [String], { description: 'The templates it sends when it holds.' })
  send!: string[];

  @Field(() => String, { nullable: true, description: 'The field whose every value is notified once (`oncePer`).' })
  oncePer!: string | null;

  @Field(() => String, { nullable: true, description: 'What it is for, as written.' })
  description!: string | null;
}

@ObjectType('NotificationTrigger', { description: 'A `trigger.<name>` of the notification configuration in effect.' })
export class NotificationTriggerModel {
  @Field({ description: 'The trigger name (`on-rollout-completed`).' })
  name!: string;

  @Field(() => NotificationConfigurationLayerModel, { description: 'The configuration it comes from.' })
  layer!: NotificationConfigurationLayerModel;

  @Field(() => [NotificationTriggerConditionModel], { description: 'Its conditions, in order.' })
  conditions!: NotificationTriggerConditionModel[];
}

@ObjectType('NotificationRendering', { description: 'A template rendered over a rollout as it is now; nothing is sent.' })
export class NotificationRenderingModel {
  @Field({ description: 'The template rendered.' })
  template!: string;

  @Field({ description: 'cluster/namespace/name of the rollout it was rendered over.' })
  rollout!: string;

  @Field({ description: 'The rendered message.' })
  message!: string;

  @Field(() => String, { nullable: true, description: 'The rendered title, if the template has one.' })
  title!: string | null;

  @Field(() => JsonScalar, { description: 'Every per-service block of the template rendered, by service type.' })
  fields!: Record<string, unknown>;
}

@ObjectType('NotificationConditionResult', { description: 'One condition of a trigger and what it evaluates to over a rollout.' })
export class NotificationConditionResultModel extends NotificationTriggerConditionModel {
  @Field({ description: 'Whether it holds (false as well when it cannot be evaluated).' })
  holds!: boolean;

  @Field(() => String, { nullable: true, description: 'Why it could not be evaluated, if it could not.' })
  error!: string | null;
}

@ObjectType('NotificationTriggerEvaluation', {
  description: "A trigger's conditions evaluated over a rollout as it is now; nothing is sent.",
})
export class NotificationTriggerEvaluationModel {
  @Field({ description: 'The trigger evaluated.' })
  trigger!: string;

  @Field({ description: 'cluster/namespace/name of the rollout it was evaluated over.' })
  rollout!: string;

  @Field(() => [NotificationConditionResultModel], { description: 'Each condition with its result, in order.' })
  conditions!: NotificationConditionResultModel[];
}

@InputType({ description: 'Where to send a notification: a configured service and a recipient it understands.' })
export class NotificationRecipientInput {
  @Field({ description: 'The configured service name (`slack`, or `github` of `service.webhook.github`).' })
  service!: string;

  @Field({ description: 'The recipient (a channel, an address, …); empty for a service that takes none.' })
  recipient!: string;
}

import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { DateTimeScalar } from '../../common/graphql/date-time.scalar.js';
import { JsonScalar } from '../../common/graphql/json.scalar.js';
import { PageInfo } from '../../common/graphql/pagination.js';
import { RolloutRef } from '../rollouts/rollout.model.js';

export enum NotificationDeliveryStateModel {
  Pending = 'Pending',
  Delivered = 'Delivered',
  Failed = 'Failed',
  Muted = 'Muted',
}

registerEnumType(NotificationDeliveryStateModel, {
  name: 'NotificationDeliveryState',
  description: 'Pending (to be sent, or retried), Delivered, Failed (refused, given up, or past the organization bound), Muted.',
});

@ObjectType('NotificationDelivery', { description: 'One notification decided by a state change, to one recipient of one service.' })
export class NotificationDeliveryModel {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field({ description: 'Rollout or FleetRollout.' })
  subjectKind!: string;

  @Field({ description: 'cluster/namespace/name of a rollout, the name of a FleetRollout.' })
  subject!: string;

  @Field({ description: "The trigger that decided it (Argo's names: on-rollout-completed, …)." })
  trigger!: string;

  @Field({ description: 'The configured service name (slack, or github of service.webhook.github).' })
  service!: string;

  @Field({ description: 'The service type: slack, webhook, email, teams, pagerdutyv2, opsgenie, github, grafana.' })
  serviceType!: string;

  @Field({ description: 'The recipient (channel, address, …); empty for services that take none.' })
  recipient!: string;

  @Field({ description: 'The rendered message.' })
  message!: string;

  @Field(() => String, { nullable: true, description: 'The rendered title, if the template has one.' })
  title!: string | null;

  @Field(() => JsonScalar, { description: 'The rendered per-service fields, by service type.' })
  fields!: Record<string, unknown>;

  @Field(() => NotificationDeliveryStateModel, { description: 'Where the delivery stands.' })
  state!: NotificationDeliveryStateModel;

  @Field(() => Int, { description: 'Attempts made so far.' })
  attempts!: number;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed, or why it was not sent.' })
  lastError!: string | null;

  @Field(() => DateTimeScalar, { description: 'When the state change decided it.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the receiver took it.' })
  deliveredAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the next attempt is due, while Pending.' })
  nextAttemptAt!: Date | null;
}

@ObjectType('NotificationDeliveryPage', { description: 'A page of notification deliveries, newest first.' })
export class NotificationDeliveryPage {
  @Field(() => [NotificationDeliveryModel], { description: 'The deliveries of this page.' })
  nodes!: NotificationDeliveryModel[];

  @Field(() => PageInfo, { description: 'Where the page ends.' })
  pageInfo!: PageInfo;
}

@InputType({ description: 'Which deliveries to list; every field given narrows the list.' })
export class NotificationDeliveryFilterInput {
  @Field(() => RolloutRef, { nullable: true, description: 'Deliveries about one rollout.' })
  rollout?: RolloutRef | null;

  @Field(() => String, { nullable: true, description: 'Deliveries of one trigger.' })
  trigger?: string | null;

  @Field(() => String, { nullable: true, description: 'Deliveries through one configured service.' })
  service?: string | null;

  @Field(() => NotificationDeliveryStateModel, { nullable: true, description: 'Deliveries in one state.' })
  state?: NotificationDeliveryStateModel | null;
}

@InputType({ description: 'What to mute: any combination of one rollout, one trigger and one service (at least one).' })
export class NotificationMuteInput {
  @Field(() => RolloutRef, { nullable: true, description: 'Only notifications about this rollout.' })
  rollout?: RolloutRef | null;

  @Field(() => String, { nullable: true, description: 'Only notifications of this trigger.' })
  trigger?: string | null;

  @Field(() => String, { nullable: true, description: 'Only notifications through this configured service.' })
  service?: string | null;

  @Field(() => Int, { description: 'How long the mute lasts: 60 to 2592000 seconds (30 days).' })
  durationSeconds!: number;

  @Field({ description: 'Why, kept in the audit record: required.' })
  reason!: string;
}

@ObjectType('NotificationMute', { description: 'Notifications held back until a time; they are recorded as Muted, never sent.' })
export class NotificationMuteModel {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'cluster/namespace/name of the rollout it mutes, if it names one.' })
  rollout!: string | null;

  @Field(() => String, { nullable: true, description: 'The trigger it mutes, if it names one.' })
  trigger!: string | null;

  @Field(() => String, { nullable: true, description: 'The service it mutes, if it names one.' })
  service!: string | null;

  @Field({ description: 'Why.' })
  reason!: string;

  @Field(() => DateTimeScalar, { description: 'When it ends by itself.' })
  until!: Date;

  @Field({ description: 'Who muted.' })
  createdBy!: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was ended before its time.' })
  revokedAt!: Date | null;
}

import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../../common/graphql/date-time.scalar.js';
import { JsonScalar } from '../../common/graphql/json.scalar.js';
import { PageInfo } from '../../common/graphql/pagination.js';

@ObjectType('AuditEvent', { description: 'One entry of the append-only audit of the organization.' })
export class AuditEventModel {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field({ description: 'The organization whose hash chain holds it; its hash covers this too.' })
  organizationId!: string;

  @Field(() => Int, { description: "Position in the organization's hash chain, from 1." })
  sequence!: number;

  @Field({ description: 'Who acted: `token:<name>` for API tokens, `engine` for the rollout engine, `agent:<cluster>` for agents.' })
  actor!: string;

  @Field({ description: 'What happened, such as `rollout.promoted` or `manifests.applied`.' })
  action!: string;

  @Field({ description: 'Kind of the object acted on, such as `Rollout`.' })
  targetType!: string;

  @Field({ description: 'Name of the object acted on, such as `staging/default/checkout`.' })
  targetName!: string;

  @Field(() => String, { nullable: true, description: 'Identifier of the object acted on.' })
  targetId!: string | null;

  @Field(() => JsonScalar, { nullable: true, description: 'The object before the change, where it matters.' })
  before!: unknown;

  @Field(() => JsonScalar, { nullable: true, description: 'The object after the change, where it matters.' })
  after!: unknown;

  @Field(() => String, { nullable: true, description: "Why, in the actor's words." })
  reason!: string | null;

  @Field(() => String, { nullable: true, description: 'The request that caused it (`x-request-id`).' })
  requestId!: string | null;

  @Field(() => DateTimeScalar, { description: 'When it happened.' })
  occurredAt!: Date;

  @Field({ description: 'SHA-256 of the previous event of the organization; empty for the first.' })
  previousHash!: string;

  @Field({ description: 'SHA-256 over this event, including `previousHash`.' })
  hash!: string;
}

@ObjectType({ description: 'A page of audit events, newest first.' })
export class AuditEventPage {
  @Field(() => [AuditEventModel], { description: 'The events of this page.' })
  nodes!: AuditEventModel[];

  @Field(() => PageInfo, { description: 'Where the page ends.' })
  pageInfo!: PageInfo;
}

@InputType({ description: 'Narrows the audit events listed; all given conditions must hold.' })
export class AuditEventFilter {
  @Field(() => String, { nullable: true, description: 'Exact actor, such as `token:ci`.' })
  actor?: string;

  @Field(() => String, { nullable: true, description: 'Exact action, or a prefix ending in `.`, such as `rollout.`.' })
  action?: string;

  @Field(() => String, { nullable: true, description: 'Exact target name.' })
  targetName?: string;

  @Field(() => String, { nullable: true, description: 'Exact target type, such as `Rollout`.' })
  targetType?: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Events at or after this time.' })
  from?: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Events before this time.' })
  to?: Date;
}

@ObjectType({ description: "The result of recomputing the organization's audit hash chain." })
export class AuditChainVerification {
  @Field({ description: 'Whether every event links to the one before and matches its hash.' })
  valid!: boolean;

  @Field(() => Int, { description: 'Sequence of the checkpoint the verification started after; 0 when it started from the first event.' })
  fromSequence!: number;

  @Field(() => Int, { description: 'How many events verified before the first problem, or in all.' })
  checkedEvents!: number;

  @Field(() => Int, { nullable: true, description: 'Sequence of the first event that does not verify.' })
  brokenAtSequence!: number | null;

  @Field(() => String, { nullable: true, description: 'What is wrong with that event.' })
  reason!: string | null;
}

import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { DateTimeScalar } from '../../common/graphql/date-time.scalar.js';
import { JsonScalar } from '../../common/graphql/json.scalar.js';
import { PageInfo } from '../../common/graphql/pagination.js';
import { RolloutRef } from '../rollouts/rollout.model.js';
import { AppliedDocumentModel } from '../../common/graphql/applied-document.model.js';

export enum BreakGlassState {
  PendingConfirmation = 'PendingConfirmation',
  Active = 'Active',
  Expired = 'Expired',
  Revoked = 'Revoked',
}

registerEnumType(BreakGlassState, {
  name: 'BreakGlassState',
  description: 'PendingConfirmation (waits for a second admin), Active (lifts freezes of its target), Expired or Revoked.',
});

@ObjectType('FreezePeriod', { description: 'One period of a freeze window: when it starts and ends.' })
export class FreezePeriodModel {
  @Field({ description: 'Name of the FreezeWindow.' })
  window!: string;

  @Field({ description: 'Why releases are frozen, as the window says.' })
  reason!: string;

  @Field({ description: 'finish (in-flight releases carry on to their end) or hold (they stop where they are).' })
  policy!: string;

  @Field(() => DateTimeScalar, { description: 'When it starts (inclusive).' })
  start!: Date;

  @Field(() => DateTimeScalar, { description: 'When it ends (exclusive).' })
  end!: Date;
}

@ObjectType('FreezeWindow', { description: 'A change freeze (kind FreezeWindow, flotilla.io/v1alpha1) of the organization.' })
export class FreezeWindowModel extends AppliedDocumentModel {
  @Field(() => JsonScalar, { description: 'The FreezeWindowSpec exactly as applied.' })
  spec!: unknown;

  @Field({ description: 'Why releases are frozen.' })
  reason!: string;

  @Field({ description: 'finish (the default) or hold.' })
  policy!: string;

  @Field(() => String, {
    nullable: true,
    description: 'RFC 5545 lines (DTSTART;TZID=…, RRULE:…, DURATION:…) of a recurring window; null for a fixed one.',
  })
  schedule!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "A fixed window's start; null for a recurring one." })
  start!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "A fixed window's end; null for a recurring one." })
  end!: Date | null;

  @Field(() => JsonScalar, { nullable: true, description: 'Label selector over cluster labels; null: every cluster.' })
  clusterSelector!: unknown;

  @Field(() => [String], { nullable: true, description: 'Namespaces it covers; null: every namespace.' })
  namespaces!: string[] | null;

  @Field(() => FreezePeriodModel, { nullable: true, description: 'The period in effect now, if any.' })
  current!: FreezePeriodModel | null;

  @Field(() => FreezePeriodModel, { nullable: true, description: 'The next period to start after now, if any.' })
  next!: FreezePeriodModel | null;
}

@ObjectType('ActiveFreezes', { description: 'The freezes of one namespace of one cluster: now, and next.' })
export class ActiveFreezesModel {
  @Field(() => [FreezePeriodModel], { description: 'Periods in effect now for that cluster and namespace, ending last first.' })
  active!: FreezePeriodModel[];

  @Field(() => FreezePeriodModel, { nullable: true, description: 'The next period to start, if any.' })
  next!: FreezePeriodModel | null;
}

@ObjectType('BreakGlassOverride', {
  description: "An admin's override of freezes for one rollout or one fleet release, for a bounded time.",
})
export class BreakGlassOverrideModel {
  @Field(() => ID, { description: 'Stable identifier, kept in the audit of every operation done under it.' })
  id!: string;

  @Field({ description: 'Rollout or FleetRelease.' })
  targetType!: string;

  @Field({ description: 'cluster/namespace/name of a rollout, or fleet-rollout#number of a fleet release.' })
  target!: string;

  @Field({ description: 'Why freezes are overridden.' })
  reason!: string;

  @Field(() => Int, { description: 'How long it lasts once in effect, in seconds.' })
  durationSeconds!: number;

  @Field({ description: 'The admin who asked for it.' })
  requestedBy!: string;

  @Field(() => DateTimeScalar, { description: 'When it was asked for.' })
  requestedAt!: Date;

  @Field(() => String, { nullable: true, description: 'The second admin who confirmed it, when the organization asks for one.' })
  confirmedBy!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was confirmed.' })
  confirmedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it stops by itself; null while it waits for confirmation.' })
  expiresAt!: Date | null;

  @Field(() => BreakGlassState, { description: 'Where it stands now.' })
  state!: BreakGlassState;
}

@ObjectType('BreakGlassOverridePage', { description: 'A page of break-glass overrides: active first, then newest first.' })
export class BreakGlassOverridePage {
  @Field(() => [BreakGlassOverrideModel], { description: 'The overrides of this page.' })
  nodes!: BreakGlassOverrideModel[];

  @Field(() => PageInfo, { description: 'Where the page ends.' })
  pageInfo!: PageInfo;
}

@InputType({ description: 'What a break-glass override lifts freezes for: exactly one of rollout or fleetRollout.' })
export class BreakGlassTarget {
  @Field(() => RolloutRef, { nullable: true, description: 'One rollout.' })
  rollout?: RolloutRef | null;

  @Field(() => String, { nullable: true, description: "A FleetRollout's name: its active release is the target." })
  fleetRollout?: string | null;
}

@ObjectType('OrganizationSettings', { description: "The organization's own settings." })
export class OrganizationSettingsModel {
  @Field({ description: 'A break-glass override takes effect only once a second admin confirms it.' })
  breakGlassNeedsSecondAdmin!: boolean;
}

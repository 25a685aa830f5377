import type { FleetRolloutSpec } from '@flotilla/fleet-engine';
import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { DateTimeScalar } from '../../common/graphql/date-time.scalar.js';
import { JsonScalar } from '../../common/graphql/json.scalar.js';
import { PageInfo } from '../../common/graphql/pagination.js';
import { AppliedDocumentModel } from '../../common/graphql/applied-document.model.js';

// The enums' values are the fleet engine's own strings, so that records map onto them without a table.

export enum FleetReleasePhase {
  Progressing = 'Progressing',
  Paused = 'Paused',
  Halted = 'Halted',
  RollingBack = 'RollingBack',
  Succeeded = 'Succeeded',
  Aborted = 'Aborted',
  RolledBack = 'RolledBack',
  Superseded = 'Superseded',
}

export enum FleetWavePhase {
  Pending = 'Pending',
  Progressing = 'Progressing',
  Passed = 'Passed',
  Failed = 'Failed',
  RollingBack = 'RollingBack',
  RolledBack = 'RolledBack',
}

export enum FleetMemberState {
  Pending = 'Pending',
  Changing = 'Changing',
  Released = 'Released',
  Failed = 'Failed',
  Skipped = 'Skipped',
  RollingBack = 'RollingBack',
  RolledBack = 'RolledBack',
}

export enum FleetGateState {
  Pending = 'Pending',
  Waiting = 'Waiting',
  Passed = 'Passed',
  Failed = 'Failed',
}

export enum FleetFailurePolicy {
  halt = 'halt',
  rollbackWave = 'rollbackWave',
  rollbackAll = 'rollbackAll',
}

registerEnumType(FleetReleasePhase, {
  name: 'FleetReleasePhase',
  description: "Progressing, Paused, Halted and RollingBack are active: the release owns its members' templates. The others are final.",
});
registerEnumType(FleetWavePhase, { name: 'FleetWavePhase', description: 'Where a wave of a fleet release stands.' });
registerEnumType(FleetMemberState, { name: 'FleetMemberState', description: "A member cluster's place in a fleet release." });
registerEnumType(FleetGateState, { name: 'FleetGateState', description: 'Whether a gate between waves holds.' });
registerEnumType(FleetFailurePolicy, {
  name: 'FleetFailurePolicy',
  description: 'What a release does when a wave fails: halt; also abort the failing wave (rollbackWave); or undo every wave (rollbackAll).',
});

@ObjectType('FleetWaveSpec', { description: 'One wave of a FleetRollout, with the defaults filled in.' })
export class FleetWaveSpecModel {
  @Field({ description: 'Name, unique within the FleetRollout.' })
  name!: string;

  @Field(() => JsonScalar, {
    nullable: true,
    description: 'Label selector over cluster labels; null: every selected cluster not yet in a wave.',
  })
  clusterSelector!: unknown;

  @Field(() => String, { nullable: true, description: 'Members changed at once: "3" or "25%"; null: all at once.' })
  maxParallel!: string | null;

  @Field(() => Int, { description: 'Seconds every member must stay Healthy before the wave passes.' })
  soakSeconds!: number;

  @Field({ description: 'automatic, or manual: the next wave waits for approveWave.' })
  approval!: string;

  @Field({ description: 'Whether a selected cluster without the Rollout is passed over instead of failing the wave.' })
  allowMissing!: boolean;

  @Field(() => Int, { description: "Seconds a member's cluster may stay disconnected before the member fails." })
  disconnectedTimeoutSeconds!: number;
}

@ObjectType('FleetPlanWave', { description: 'The clusters that fall in one wave.' })
export class FleetPlanWaveModel {
  @Field({ description: 'Wave name.' })
  wave!: string;

  @Field(() => [String], { description: 'Cluster names, sorted.' })
  clusters!: string[];
}

@ObjectType('FleetPlan', { description: "Which cluster falls in which wave, by the clusters' labels now." })
export class FleetPlanModel {
  @Field({ description: 'Name of the FleetRollout.' })
  fleetRollout!: string;

  @Field(() => [FleetPlanWaveModel], { description: 'Every wave, in order, with its clusters.' })
  waves!: FleetPlanWaveModel[];

  @Field(() => [String], { description: 'Clusters the FleetRollout selects that no wave takes: a release leaves them alone.' })
  unassigned!: string[];
}

@ObjectType('FleetChange', { description: "What a fleet release changes in each member's Rollout: one image, or the whole template." })
export class FleetChangeModel {
  @Field(() => String, { nullable: true, description: 'Image change: the container.' })
  container!: string | null;

  @Field(() => String, { nullable: true, description: 'Image change: the new image.' })
  image!: string | null;

  @Field(() => JsonScalar, { nullable: true, description: 'Whole-template change: the pod template.' })
  template!: unknown;
}

@ObjectType('FleetGate', { description: 'One gate between a wave and the next.' })
export class FleetGateModel {
  @Field({ description: 'healthy, analysis, soak or approval.' })
  gate!: string;

  @Field(() => FleetGateState, { description: 'Whether it holds.' })
  state!: FleetGateState;

  @Field({ description: 'Why it stands where it does.' })
  message!: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it last changed state.' })
  since!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "When it may pass on its own: the soak's end." })
  until!: Date | null;
}

@ObjectType('FleetMember', { description: 'One cluster of a wave, and its Rollout there.' })
export class FleetMemberModel {
  @Field({ description: 'Cluster name.' })
  cluster!: string;

  @Field(() => FleetMemberState, { description: 'Its place in the release.' })
  state!: FleetMemberState;

  @Field({ description: 'Why it is in that state.' })
  message!: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the release last changed its template.' })
  changedAt!: Date | null;

  /** The member Rollout's namespace and name, for `rollout`: the release's spec names them. */
  rolloutNamespace!: string;
  rolloutName!: string;
}

@ObjectType('FleetWave', { description: 'One wave of a fleet release.' })
export class FleetWaveModel {
  @Field({ description: 'Wave name.' })
  name!: string;

  @Field(() => FleetWavePhase, { description: 'Where the wave stands.' })
  phase!: FleetWavePhase;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it started.' })
  startedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it passed or failed.' })
  finishedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Since when every member has been Released without a break.' })
  healthySince!: Date | null;

  @Field(() => String, { nullable: true, description: 'Who approved the wave, when it needs approval.' })
  approvedBy!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was approved.' })
  approvedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'The reason given with the approval.' })
  approvalReason!: string | null;

  @Field(() => [FleetGateModel], {
    description: 'Its gates, in order: healthy, analysis (when the wave names analysis), soak, approval (when manual).',
  })
  gates!: FleetGateModel[];

  @Field(() => [FleetMemberModel], { description: 'Its member clusters, by name, as frozen when the release started.' })
  members!: FleetMemberModel[];
}

@ObjectType('FleetRelease', { description: 'One release of a FleetRollout: a change carried to its clusters wave by wave.' })
export class FleetReleaseModel {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field({ description: 'Name of the FleetRollout.' })
  fleetRollout!: string;

  @Field(() => Int, { description: '1, 2, 3… within the FleetRollout.' })
  number!: number;

  @Field(() => FleetReleasePhase, { description: 'Where the release stands.' })
  phase!: FleetReleasePhase;

  @Field({ description: 'What it is doing or waiting for, or why it stopped.' })
  message!: string;

  @Field(() => FleetChangeModel, { description: 'What it changes in each member.' })
  change!: FleetChangeModel;

  @Field(() => String, { nullable: true, description: 'Why it was started.' })
  reason!: string | null;

  @Field({ description: 'Who started it.' })
  startedBy!: string;

  @Field(() => DateTimeScalar, { description: 'When it started.' })
  startedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it reached a final phase.' })
  finishedAt!: Date | null;

  @Field(() => Int, { description: 'Index of the wave under way; the number of waves once every wave passed.' })
  currentWave!: number;

  @Field(() => [FleetWaveModel], { description: 'Its waves, in order.' })
  waves!: FleetWaveModel[];

  @Field(() => [String], { description: 'Clusters the FleetRollout selected that no wave took.' })
  unassigned!: string[];

  @Field(() => Int, { nullable: true, description: 'Number of the release that superseded it.' })
  supersededBy!: number | null;
}

@ObjectType('FleetReleasePage', { description: 'One page of the releases of a FleetRollout, newest first.' })
export class FleetReleasePage {
  @Field(() => [FleetReleaseModel], { description: 'The releases of this page.' })
  nodes!: FleetReleaseModel[];

  @Field(() => PageInfo, { description: 'Where the page ends and whether more follow.' })
  pageInfo!: PageInfo;
}

@ObjectType('FleetRollout', { description: 'How a Rollout present in many clusters is released, wave by wave (flotilla.io/v1alpha1).' })
export class FleetRolloutModel extends AppliedDocumentModel {
  @Field(() => JsonScalar, { description: 'The spec exactly as applied.' })
  spec!: FleetRolloutSpec;

  @Field({ description: 'Namespace of the Rollout it releases in every selected cluster.' })
  rolloutNamespace!: string;

  @Field({ description: 'Name of the Rollout it releases in every selected cluster.' })
  rolloutName!: string;

  @Field(() => FleetFailurePolicy, { description: 'What a release does when a wave fails.' })
  failurePolicy!: FleetFailurePolicy;

  @Field(() => [FleetWaveSpecModel], { description: 'Its waves, in order, with the defaults filled in.' })
  waves!: FleetWaveSpecModel[];
}

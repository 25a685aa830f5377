import { Field, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../../common/graphql/date-time.scalar.js';

@ObjectType('CanaryStep', { description: 'One step of a canary and how far the rollout has come with it.' })
export class CanaryStepModel {
  @Field(() => Int, { description: 'Position in spec.strategy.canary.steps, from 0.' })
  index!: number;

  @Field({ description: 'The step in words, such as `Set weight 20%` or `Pause for 10s`.' })
  description!: string;

  @Field({ description: 'done, current or pending; every step is done once the revision is promoted.' })
  state!: string;
}

@ObjectType('CurrentCanaryStep', { description: 'The canary step a rollout is at.' })
export class CurrentCanaryStepModel {
  @Field(() => Int, { description: 'Index of the current step; equal to count once past the last one.' })
  index!: number;

  @Field(() => Int, { description: 'Number of canary steps.' })
  count!: number;

  @Field(() => CanaryStepModel, { nullable: true, description: 'The current step; null once past the last one.' })
  step!: CanaryStepModel | null;
}

@ObjectType('TrafficRouterWeight', { description: 'The canary weight one traffic router reported applying.' })
export class TrafficRouterWeightModel {
  @Field({ description: '`nginx`, `istio`, `smi` or `gatewayAPI`.' })
  router!: string;

  @Field(() => Int, { description: 'Percent of traffic it sends to the canary.' })
  weight!: number;
}

@ObjectType('RolloutWeights', { description: 'The traffic weights of a canary, in percent.' })
export class RolloutWeightsModel {
  @Field(() => Int, {
    description: 'Weight the current step sets: 0 once aborted, 100 past the last step or once promoted, else the last setWeight so far.',
  })
  setWeight!: number;

  @Field(() => Int, {
    description:
      "Share of traffic the canary gets: with traffic routing the weight a router reported (else the one it was asked for); without, the canary's share of the available pods.",
  })
  actualWeight!: number;

  @Field(() => Int, {
    nullable: true,
    description: 'Weight the traffic router is asked to send to the canary; null without traffic routing.',
  })
  canary!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Weight the traffic router is asked to send to the stable revision; null without traffic routing.',
  })
  stable!: number | null;

  @Field(() => [TrafficRouterWeightModel], { description: 'Canary weight each traffic router reported, as the agent last saw it.' })
  routers!: TrafficRouterWeightModel[];
}

@ObjectType('ReplicaCounts', { description: 'Pods of a rollout, as the rollout engine last counted them.' })
export class ReplicaCountsModel {
  @Field(() => Int, { description: 'spec.replicas.' })
  desired!: number;

  @Field(() => Int, { description: 'Pods of all its ReplicaSets.' })
  current!: number;

  @Field(() => Int, { description: 'Pods of the revision being rolled out.' })
  updated!: number;

  @Field(() => Int, { description: 'Ready pods.' })
  ready!: number;

  @Field(() => Int, { description: 'Pods ready for at least minReadySeconds.' })
  available!: number;
}

@ObjectType('RolloutCondition', { description: 'A condition of the rollout, as Argo Rollouts writes them.' })
export class RolloutConditionModel {
  @Field({ description: 'Progressing, Available, Paused, Healthy or Completed.' })
  type!: string;

  @Field({ description: 'True, False or Unknown.' })
  status!: string;

  @Field({ description: 'Why, in upstream words such as `RolloutPaused` or `ProgressDeadlineExceeded`.' })
  reason!: string;

  @Field({ description: 'Details for people.' })
  message!: string;

  @Field(() => DateTimeScalar, { description: 'When the status last changed.' })
  lastTransitionTime!: Date;

  @Field(() => DateTimeScalar, { description: 'When the reason or message last changed.' })
  lastUpdateTime!: Date;
}

@ObjectType('PauseCondition', { description: 'A pause the rollout engine set.' })
export class PauseConditionModel {
  @Field({ description: 'CanaryPauseStep, BlueGreenPause, InconclusiveAnalysisRun or InconclusiveExperiment.' })
  reason!: string;

  @Field(() => DateTimeScalar, { description: 'When the pause began; timed pauses count from it.' })
  startTime!: Date;
}

@ObjectType('RolloutPause', { description: 'Whether and why a rollout is paused.' })
export class RolloutPauseModel {
  @Field({ description: 'Held by spec.paused or by a pause condition.' })
  paused!: boolean;

  @Field({ description: 'spec.paused is set, as the pause operation sets it.' })
  specPaused!: boolean;

  @Field({ description: 'A pause set by the rollout engine is in effect or was just lifted by a promote.' })
  controllerPause!: boolean;

  @Field(() => [PauseConditionModel], { description: 'The pauses the rollout engine set.' })
  conditions!: PauseConditionModel[];
}

@ObjectType('RolloutAbort', { description: 'Whether the update to the current revision was aborted.' })
export class RolloutAbortModel {
  @Field({ description: 'Aborted: the stable revision serves all traffic until a retry.' })
  aborted!: boolean;

  @Field(() => String, { nullable: true, description: 'Why it was aborted; null when it was not.' })
  message!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the rollout engine carried out the abort.' })
  abortedAt!: Date | null;
}

@ObjectType('CurrentAnalysisRun', { description: 'An analysis run the rollout engine is waiting on, as its status records it.' })
export class CurrentAnalysisRunModel {
  @Field({ description: 'step, background, prePromotion or postPromotion.' })
  kind!: string;

  @Field({ description: 'Name of the run; `analysisRuns` has its phase and measurements.' })
  name!: string;
}

@ObjectType('RolloutPodTemplateHashes', { description: 'The pod-template-hash of each ReplicaSet that has a part in the rollout now.' })
export class RolloutPodTemplateHashesModel {
  @Field(() => String, { nullable: true, description: 'The revision being rolled out, or the stable one once done.' })
  current!: string | null;

  @Field(() => String, { nullable: true, description: 'The revision serving production.' })
  stable!: string | null;

  @Field(() => String, { nullable: true, description: 'Blue-green: the one the active Service selects.' })
  active!: string | null;

  @Field(() => String, { nullable: true, description: 'Blue-green: the one the preview Service selects.' })
  preview!: string | null;
}

@ObjectType('RolloutProgress', { description: "A rollout's status as the rollout engine last wrote it, in typed fields." })
export class RolloutProgressModel {
  @Field(() => CurrentCanaryStepModel, { nullable: true, description: 'The canary step it is at; null for blue-green.' })
  currentStep!: CurrentCanaryStepModel | null;

  @Field(() => [CanaryStepModel], { description: 'Every canary step in order; empty for blue-green.' })
  steps!: CanaryStepModel[];

  @Field(() => RolloutWeightsModel, { nullable: true, description: 'Traffic weights of the canary; null for blue-green.' })
  weights!: RolloutWeightsModel | null;

  @Field(() => ReplicaCountsModel, { description: 'Pod counts.' })
  replicas!: ReplicaCountsModel;

  @Field(() => [RolloutConditionModel], { description: 'Progressing, Available, Paused, Healthy and Completed conditions.' })
  conditions!: RolloutConditionModel[];

  @Field(() => RolloutPauseModel, { description: 'Whether and why it is paused.' })
  pause!: RolloutPauseModel;

  @Field(() => RolloutAbortModel, { description: 'Whether the update was aborted.' })
  abort!: RolloutAbortModel;

  @Field(() => [CurrentAnalysisRunModel], { description: 'Analysis runs of the current revision the engine is waiting on.' })
  analysisRuns!: CurrentAnalysisRunModel[];

  @Field(() => RolloutPodTemplateHashesModel, { description: 'ReplicaSets by the part they play.' })
  podTemplateHashes!: RolloutPodTemplateHashesModel;

  @Field({ description: 'The current revision is the stable one: nothing is being rolled out.' })
  fullyPromoted!: boolean;

  @Field({ description: 'A new revision is on its way to replace the stable one.' })
  updateInProgress!: boolean;
}

import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../../common/graphql/date-time.scalar.js';
import { JsonScalar } from '../../common/graphql/json.scalar.js';
import { PageInfo } from '../../common/graphql/pagination.js';

@ObjectType('ExperimentTemplate', { description: 'One template of an experiment: its ReplicaSet as the experiment last saw it.' })
export class ExperimentTemplateModel {
  @Field({ description: 'Template name in the experiment spec.' })
  name!: string;

  @Field({ description: 'Progressing, Running, Successful, Failed or Error.' })
  status!: string;

  @Field({ description: 'Why it is in that status.' })
  message!: string;

  @Field({ description: 'pod-template-hash of its ReplicaSet.' })
  podTemplateHash!: string;

  @Field(() => Int, { description: 'Pods its ReplicaSet has.' })
  replicas!: number;

  @Field(() => Int, { description: 'Ready pods.' })
  readyReplicas!: number;

  @Field(() => Int, { description: 'Pods ready for at least minReadySeconds.' })
  availableReplicas!: number;
}

@ObjectType('ExperimentAnalysis', { description: 'One analysis of an experiment and the run started for it.' })
export class ExperimentAnalysisModel {
  @Field({ description: 'Analysis name in the experiment spec.' })
  name!: string;

  @Field({ description: 'Name of the analysis run started for it.' })
  analysisRun!: string;

  @Field({ description: 'Pending, Running, Successful, Failed, Error or Inconclusive.' })
  phase!: string;

  @Field({ description: 'Why it is in that phase.' })
  message!: string;
}

@ObjectType('Experiment', { description: "An Experiment, standalone or started by a rollout's experiment step." })
export class ExperimentModel {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field({ description: 'Cluster name.' })
  cluster!: string;

  @Field({ description: 'Namespace.' })
  namespace!: string;

  @Field({ description: 'Experiment name.' })
  name!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Name of the rollout whose experiment step started it; null for a standalone experiment.',
  })
  rollout!: string | null;

  @Field(() => Int, { nullable: true, description: 'Index of the rollout step that started it.' })
  stepIndex!: number | null;

  @Field(() => String, { nullable: true, description: 'pod-template-hash of the rollout revision that started it.' })
  podTemplateHash!: string | null;

  @Field(() => JsonScalar, { description: 'The spec exactly as applied or as the rollout step made it.' })
  spec!: unknown;

  @Field({ description: 'Pending, Running, Successful, Failed, Error or Inconclusive.' })
  phase!: string;

  @Field({ description: 'Why it is in that phase.' })
  message!: string;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When every template first ran its replicas; the duration counts from then.',
  })
  availableAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it completed.' })
  finishedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When nothing of it was left in its cluster.' })
  releasedAt!: Date | null;

  @Field(() => DateTimeScalar, { description: 'When it was created.' })
  createdAt!: Date;

  @Field(() => [ExperimentTemplateModel], { description: 'Its templates, in spec order.' })
  templates!: ExperimentTemplateModel[];

  @Field(() => [ExperimentAnalysisModel], { description: 'Its analyses started so far, in spec order.' })
  analyses!: ExperimentAnalysisModel[];
}

@ObjectType({ description: 'A page of experiments, newest first.' })
export class ExperimentPage {
  @Field(() => [ExperimentModel], { description: 'The experiments of this page.' })
  nodes!: ExperimentModel[];

  @Field(() => PageInfo, { description: 'Where the page ends.' })
  pageInfo!: PageInfo;
}

@InputType({ description: 'Narrows the experiments listed.' })
export class ExperimentFilter {
  @Field(() => String, { nullable: true, description: 'Cluster name.' })
  cluster?: string;

  @Field(() => String, { nullable: true, description: 'Namespace.' })
  namespace?: string;

  @Field(() => String, { nullable: true, description: 'Name of the rollout whose experiment steps started them.' })
  rollout?: string;

  @Field(() => String, { nullable: true, description: 'Name of the experiment itself (unique in its cluster and namespace).' })
  name?: string;

  @Field(() => String, { nullable: true, description: 'Phase, such as `Running`.' })
  phase?: string;
}

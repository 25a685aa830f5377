import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../../common/graphql/date-time.scalar.js';
import { JsonScalar } from '../../common/graphql/json.scalar.js';
import { PageInfo } from '../../common/graphql/pagination.js';

/** What both kinds of template share. */
@ObjectType({ isAbstract: true })
abstract class TemplateFields {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field({ description: 'metadata.name.' })
  name!: string;

  @Field(() => Int, { description: 'Grows by one each time the spec changes; analysis runs record it.' })
  version!: number;

  @Field(() => JsonScalar, { description: 'The spec exactly as applied.' })
  spec!: unknown;

  @Field(() => JsonScalar, { description: 'metadata.annotations, such as `flotilla.io/measure-from`.' })
  annotations!: unknown;

  @Field(() => DateTimeScalar, { description: 'When the spec last changed.' })
  updatedAt!: Date;
}

@ObjectType('AnalysisTemplate', { description: 'An AnalysisTemplate of one namespace of one cluster.' })
export class AnalysisTemplateModel extends TemplateFields {
  @Field({ description: 'Cluster name.' })
  cluster!: string;

  @Field({ description: 'Namespace.' })
  namespace!: string;
}

@ObjectType('ClusterAnalysisTemplate', {
  description: 'A ClusterAnalysisTemplate: one definition shared by every cluster of the organization.',
})
export class ClusterAnalysisTemplateModel extends TemplateFields {}

@ObjectType('Measurement', { description: 'One measurement of one metric of an analysis run.' })
export class MeasurementModel {
  @Field({ description: 'The metric measured.' })
  metricName!: string;

  @Field(() => Int, { description: "Position among the metric's measurements, from 0." })
  index!: number;

  @Field(() => String, {
    nullable: true,
    description:
      "In a pooled run: the cluster whose agent took this part of the measurement. Null for the pooled measurement itself (whose value lists every cluster's, `[{ cluster, value }]`, and whose phase is the verdict) and in single-cluster runs.",
  })
  cluster!: string | null;

  @Field({ description: 'Successful, Failed, Inconclusive, Error or Running.' })
  phase!: string;

  @Field(() => String, { nullable: true, description: 'The value the provider returned.' })
  value!: string | null;

  @Field(() => String, { nullable: true, description: 'Why, for errors and failures.' })
  message!: string | null;

  @Field(() => DateTimeScalar, { description: 'When the query started.' })
  startedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the query finished.' })
  finishedAt!: Date | null;
}

@ObjectType('AnalysisRun', { description: 'An analysis run of a rollout or experiment.' })
export class AnalysisRunModel {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => String, {
    nullable: true,
    description: "Cluster name; null for a fleet wave's pooled run, which measures in every cluster of `clusters`.",
  })
  cluster!: string | null;

  @Field(() => [String], { description: 'The clusters it measures in, by name: its own, or every cluster of a pooled run.' })
  clusters!: string[];

  @Field({ description: 'Namespace.' })
  namespace!: string;

  @Field({ description: 'Run name.' })
  name!: string;

  @Field({
    description: "background, step, prePromotion, postPromotion, experiment, or fleetWave (the analysis of a fleet release's wave).",
  })
  kind!: string;

  @Field(() => String, {
    nullable: true,
    description: "Name of the rollout it analyses, in its cluster and namespace; null for a standalone experiment's run or a pooled run.",
  })
  rollout!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Name of the experiment that started it, in its cluster and namespace; null when none did.',
  })
  experiment!: string | null;

  @Field(() => Int, { nullable: true, description: 'Rollout revision it analysed.' })
  revision!: number | null;

  @Field({ description: 'Pending, Running, Successful, Failed, Error or Inconclusive.' })
  phase!: string;

  @Field({ description: 'Why it is in that phase.' })
  message!: string;

  @Field(() => JsonScalar, { description: 'The merged run spec, with the template versions it came from.' })
  spec!: unknown;

  @Field(() => DateTimeScalar, { description: 'When it started.' })
  startedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it finished.' })
  finishedAt!: Date | null;

  @Field(() => [MeasurementModel], { description: 'Every measurement kept, by metric and index.' })
  measurements!: MeasurementModel[];
}

@ObjectType({ description: 'A page of analysis runs, newest first.' })
export class AnalysisRunPage {
  @Field(() => [AnalysisRunModel], { description: 'The runs of this page.' })
  nodes!: AnalysisRunModel[];

  @Field(() => PageInfo, { description: 'Where the page ends.' })
  pageInfo!: PageInfo;
}

@InputType({ description: 'Narrows the analysis runs listed.' })
export class AnalysisRunFilter {
  @Field(() => String, { nullable: true, description: 'Cluster name.' })
  cluster?: string;

  @Field(() => String, { nullable: true, description: 'Namespace.' })
  namespace?: string;

  @Field(() => String, { nullable: true, description: 'Name of the rollout the runs belong to.' })
  rollout?: string;

  @Field(() => String, { nullable: true, description: 'Name of the run itself (unique in its cluster and namespace).' })
  name?: string;

  @Field(() => Int, { nullable: true, description: 'Rollout revision analysed.' })
  revision?: number;

  @Field(() => String, { nullable: true, description: 'Phase, such as `Failed`.' })
  phase?: string;
}

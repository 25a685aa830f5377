import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum ApplyAction {
  Created = 'Created',
  Updated = 'Updated',
  Unchanged = 'Unchanged',
}

registerEnumType(ApplyAction, { name: 'ApplyAction', description: 'What applying a document did.' });

@ObjectType({ description: 'One document of an apply and what became of it.' })
export class AppliedDocument {
  @Field(() => Int, { description: 'Position among the non-empty documents of the YAML, from 0.' })
  documentIndex!: number;

  @Field({ description: 'Rollout, AnalysisTemplate, ClusterAnalysisTemplate, Experiment or FleetRollout.' })
  kind!: string;

  @Field({ description: 'metadata.name, or the name an Experiment was given from its metadata.generateName.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Namespace; empty for cluster-wide and organization-scoped kinds.' })
  namespace!: string | null;

  @Field(() => ApplyAction, { description: 'Created, Updated (the spec changed) or Unchanged.' })
  action!: ApplyAction;

  @Field(() => Int, { description: 'Generation of a Rollout, Experiment or FleetRollout, version of a template, after the apply.' })
  generation!: number;

  @Field(() => [String], { description: 'Accepted, but almost certainly not what was meant, such as a count not above failureLimit.' })
  warnings!: string[];
}

import { ArgsType, Field } from '@nestjs/graphql';

/** The arguments of every operation on one experiment: which experiment, and why. */
@ArgsType()
export class ExperimentOperationArgs {
  @Field({ description: 'Cluster name.' })
  cluster!: string;

  @Field({ description: 'Namespace.' })
  namespace!: string;

  @Field({ description: 'Experiment name.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Why, kept in the audit record.' })
  reason?: string | null;
}

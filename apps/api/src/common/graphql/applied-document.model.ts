import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from './date-time.scalar.js';
import { JsonScalar } from './json.scalar.js';

/** The metadata every document applied to the organization (a FreezeWindow, a FleetRollout) answers with. */
@ObjectType({ isAbstract: true })
export abstract class AppliedDocumentModel {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field({ description: 'metadata.name, unique in the organization.' })
  name!: string;

  @Field(() => JsonScalar, { description: 'metadata.labels.' })
  labels!: Record<string, string>;

  @Field(() => JsonScalar, { description: 'metadata.annotations.' })
  annotations!: Record<string, string>;

  @Field(() => Int, { description: 'Grows by one each time an apply really changes the spec.' })
  generation!: number;

  @Field({ description: 'Who applied it last.' })
  appliedBy!: string;

  @Field(() => DateTimeScalar, { description: 'When it was first applied.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { description: 'When it last changed.' })
  updatedAt!: Date;
}

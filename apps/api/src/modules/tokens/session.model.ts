import { Field, ObjectType } from '@nestjs/graphql';
import { Role } from '@flotilla/stores';

@ObjectType('Session', { description: 'Who the caller is: the token it presents and its organization.' })
export class SessionModel {
  @Field({ description: 'Name of the organization the token belongs to.' })
  organization!: string;

  @Field({ description: 'Name of the token.' })
  tokenName!: string;

  @Field(() => Role, { description: 'What the token may do.' })
  role!: Role;
}

import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { DateTimeScalar } from '../../common/graphql/date-time.scalar.js';
import { Role } from '@flotilla/stores';

registerEnumType(Role, {
  name: 'Role',
  description:
    'viewer reads; deployer also operates rollouts and applies manifests; admin also manages clusters, tokens and cluster-wide templates.',
});

@ObjectType('ApiToken', { description: 'An API token. Its secret is shown once, when created or rotated.' })
export class ApiTokenModel {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field({ description: 'Name given at creation; audit records name the token by it.' })
  name!: string;

  @Field(() => Role, { description: 'What the token may do.' })
  role!: Role;

  @Field({ description: 'The first characters of the secret, to tell tokens apart.' })
  tokenPrefix!: string;

  @Field({ description: 'Who created it.' })
  createdBy!: string;

  @Field(() => DateTimeScalar, { description: 'When it was created.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was last used, to the minute.' })
  lastUsedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was revoked; revoked tokens are refused.' })
  revokedAt!: Date | null;
}

@ObjectType({ description: 'A token together with its secret, which is not shown again.' })
export class IssuedApiToken {
  @Field(() => ApiTokenModel, { description: 'The token.' })
  token!: ApiTokenModel;

  @Field({ description: 'The bearer secret. Flotilla keeps only its hash.' })
  secret!: string;
}

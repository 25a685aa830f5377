import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { DateTimeScalar } from '../../common/graphql/date-time.scalar.js';
import { ConnectionState, type ClusterLabels } from '@flotilla/stores';
import { JsonScalar } from '../../common/graphql/json.scalar.js';

registerEnumType(ConnectionState, { name: 'ConnectionState', description: "Whether the cluster's agent is connected." });

@ObjectType('Cluster', { description: 'A Kubernetes cluster of the organization, reached through its agent.' })
export class ClusterModel {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field({ description: 'Name, unique within the organization.' })
  name!: string;

  @Field(() => JsonScalar, { description: 'Labels given at registration, such as `{"env":"prod"}`.' })
  labels!: ClusterLabels;

  @Field(() => ConnectionState, { description: 'Pending until the agent first connects.' })
  connectionState!: ConnectionState;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the agent last sent a heartbeat.' })
  lastHeartbeatAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Version of the connected agent.' })
  agentVersion!: string | null;

  @Field(() => String, { nullable: true, description: 'Kubernetes version the agent reported.' })
  kubernetesVersion!: string | null;

  @Field(() => DateTimeScalar, { description: 'When the cluster was registered.' })
  createdAt!: Date;
}

@ObjectType({ description: 'A newly registered cluster and the token its agent authenticates with.' })
export class ClusterRegistration {
  @Field(() => ClusterModel, { description: 'The cluster.' })
  cluster!: ClusterModel;

  @Field({ description: 'The agent token. Shown only now: Flotilla keeps only its hash.' })
  agentToken!: string;
}

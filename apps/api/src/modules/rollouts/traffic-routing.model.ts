import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('TrafficRouterObject', { description: 'One cluster object a traffic router drives.' })
export class TrafficRouterObjectModel {
  @Field({ description: 'Ingress, VirtualService, DestinationRule, TrafficSplit or HTTPRoute.' })
  kind!: string;

  @Field({ description: 'Namespace of the object.' })
  namespace!: string;

  @Field({ description: 'Name of the object.' })
  name!: string;

  @Field({ description: 'What the router changes in it, in a few words.' })
  purpose!: string;

  @Field(() => [String], {
    description: 'Its weighted routes the spec names: HTTP route names, `tls <port>` or `tcp <port>`; empty when it names none.',
  })
  routes!: string[];

  @Field({ description: 'Whether the agent reads the canary weight the router serves back from this object.' })
  weightSource!: boolean;
}

@ObjectType('TrafficRouting', {
  description: 'How a canary splits traffic: the router, its objects, and the weight asked of it next to the weight it reported.',
})
export class TrafficRoutingModel {
  @Field({ description: '`nginx`, `istio`, `smi` or `gatewayAPI`.' })
  router!: string;

  @Field(() => Int, { description: 'The weight that stands for all traffic: `maxTrafficWeight`, 100 unless the spec sets it.' })
  maxWeight!: number;

  @Field(() => String, { nullable: true, description: 'spec.strategy.canary.canaryService.' })
  canaryService!: string | null;

  @Field(() => String, { nullable: true, description: 'spec.strategy.canary.stableService.' })
  stableService!: string | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Canary weight the engine asks the router for, in the desired state; null before its first reconcile.',
  })
  desiredCanaryWeight!: number | null;

  @Field(() => Int, { nullable: true, description: 'Stable weight the engine asks the router for; null before its first reconcile.' })
  desiredStableWeight!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: "Canary weight the agent read back from the router's objects; null until it reported one.",
  })
  observedCanaryWeight!: number | null;

  @Field(() => [TrafficRouterObjectModel], { description: 'The objects the router drives, as the spec names them.' })
  objects!: TrafficRouterObjectModel[];

  @Field(() => [String], { description: 'Header routes (setHeaderRoute) the engine asks the router to carry now.' })
  headerRoutes!: string[];

  @Field(() => [String], { description: 'Mirror routes (setMirrorRoute) the engine asks the router to carry now.' })
  mirrorRoutes!: string[];
}

import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { DateTimeScalar } from '../../common/graphql/date-time.scalar.js';
import { JsonScalar } from '../../common/graphql/json.scalar.js';
import { PageInfo } from '../../common/graphql/pagination.js';
import { TrafficRoutingModel } from './traffic-routing.model.js';

export enum RolloutStrategy {
  Canary = 'Canary',
  BlueGreen = 'BlueGreen',
}

registerEnumType(RolloutStrategy, { name: 'RolloutStrategy', description: 'How a new revision replaces the stable one.' });

@ObjectType('Pod', { description: 'One pod of a ReplicaSet, as the agent last reported it (as `kubectl get pods` shows it).' })
export class PodModel {
  @Field({ description: 'Name of the pod.' })
  name!: string;

  @Field({
    description:
      "kubectl's STATUS: the phase (Running, Pending…), what a container waits or ended in (ContainerCreating, CrashLoopBackOff, Error…), or Terminating.",
  })
  status!: string;

  @Field(() => Int, { description: "Containers ready (the 1 of kubectl's READY 1/2)." })
  readyContainers!: number;

  @Field(() => Int, { description: "Containers of the pod (the 2 of kubectl's READY 1/2)." })
  containers!: number;

  @Field(() => Int, { description: 'Restarts of all its containers.' })
  restarts!: number;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the kubelet started it (its age counts from here).' })
  startedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'The node it runs on; null before it is scheduled.' })
  nodeName!: string | null;
}

@ObjectType('RolloutEvent', { description: "A Kubernetes Event about one of a rollout's objects, as the agent last reported it." })
export class RolloutEventModel {
  @Field({ description: 'Normal or Warning.' })
  type!: string;

  @Field({ description: 'Why it happened, in one word (SuccessfulCreate, BackOff, ScalingReplicaSet…).' })
  reason!: string;

  @Field({ description: 'What happened; at most 1,024 characters (longer ones are cut, ending in …).' })
  message!: string;

  @Field(() => Int, { description: 'How many times it happened.' })
  count!: number;

  @Field(() => DateTimeScalar, { description: 'When it last happened.' })
  lastSeenAt!: Date;

  @Field({ description: 'Kind of the object it is about: Rollout, ReplicaSet, Pod, Service, Ingress…' })
  objectKind!: string;

  @Field({ description: 'Name of the object it is about.' })
  objectName!: string;
}

@ObjectType('ReplicaSet', { description: 'One ReplicaSet of a rollout: what the engine wants next to what the cluster holds.' })
export class ReplicaSetModel {
  @Field({ description: 'pod-template-hash, also the `rollouts-pod-template-hash` label.' })
  podTemplateHash!: string;

  @Field(() => Int, { nullable: true, description: 'Revision of the rollout it belongs to.' })
  revision!: number | null;

  @Field({ description: 'stable, canary, active, preview or old.' })
  role!: string;

  @Field(() => [String], {
    description: 'Every part it plays now: stable, canary, active or preview (a blue-green stable one is also active); none when old.',
  })
  roles!: string[];

  @Field(() => [String], { description: 'Container images of its pods.' })
  images!: string[];

  @Field(() => Int, { nullable: true, description: 'Replicas the engine asks for; null once it is to be removed.' })
  desiredReplicas!: number | null;

  @Field(() => Int, { nullable: true, description: 'Pods that exist, as the agent last reported; null before it was seen.' })
  replicas!: number | null;

  @Field(() => Int, { nullable: true, description: 'Ready pods, as the agent last reported.' })
  readyReplicas!: number | null;

  @Field(() => Int, { nullable: true, description: 'Pods ready for at least minReadySeconds, as the agent last reported.' })
  availableReplicas!: number | null;

  @Field(() => String, { nullable: true, description: 'When it will be scaled down (ISO time), if it is waiting to be.' })
  scaleDownDeadline!: string | null;

  @Field(() => [String], { description: 'Pod problems the agent reported, such as CrashLoopBackOff.' })
  podProblems!: string[];

  @Field(() => [PodModel], {
    description:
      'Its pods as the agent last reported them, oldest first: at most 32 (see podsOmitted); empty from agents that predate pods.',
  })
  pods!: PodModel[];

  @Field(() => Int, { description: 'Pods beyond the 32 reported in `pods`.' })
  podsOmitted!: number;
}

@ObjectType('Rollout', { description: 'A Rollout (argoproj.io/v1alpha1) in one namespace of one cluster.' })
export class RolloutModel {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field({ description: 'Name of the cluster it runs in.' })
  cluster!: string;

  @Field({ description: 'Kubernetes namespace.' })
  namespace!: string;

  @Field({ description: 'Name within the namespace.' })
  name!: string;

  @Field(() => JsonScalar, { description: 'metadata.labels of the Rollout.' })
  labels!: Record<string, string>;

  @Field(() => JsonScalar, { description: 'metadata.annotations of the Rollout.' })
  annotations!: Record<string, string>;

  @Field(() => RolloutStrategy, { description: 'Canary or blue-green.' })
  strategy!: RolloutStrategy;

  @Field(() => JsonScalar, { description: 'The spec exactly as applied.' })
  spec!: unknown;

  @Field(() => Int, { description: 'Grows by one each time the spec really changes.' })
  generation!: number;

  @Field(() => Int, { description: 'The generation the rollout engine last acted on.' })
  observedGeneration!: number;

  @Field({ description: 'Pending (never reconciled), Progressing, Paused, Healthy or Degraded.' })
  phase!: string;

  @Field({ description: 'Why it is in that phase.' })
  message!: string;

  @Field(() => [String], { description: 'Container images of the pod template, in container order.' })
  images!: string[];

  @Field(() => Int, { nullable: true, description: 'Index of the current canary step.' })
  currentStepIndex!: number | null;

  @Field(() => Int, { description: 'Number of canary steps; 0 for blue-green.' })
  stepCount!: number;

  @Field(() => JsonScalar, {
    nullable: true,
    description: 'Full status written by the rollout engine.',
    deprecationReason: 'Read the typed fields instead: `progress`, and `roles` of `replicaSets` and of `rolloutRevisions`.',
  })
  status!: unknown;

  @Field(() => [ReplicaSetModel], { description: 'Its ReplicaSets, newest revision first.' })
  replicaSets!: ReplicaSetModel[];

  @Field(() => [RolloutEventModel], {
    description:
      'The most recent Kubernetes Events of its objects (the Rollout, its ReplicaSets and pods, Services, router objects), newest first: at most 20; empty from agents that predate events.',
  })
  events!: RolloutEventModel[];

  @Field(() => JsonScalar, {
    description: 'Canary weight each traffic router reported, by router (`nginx`, `istio`, `smi`, `gatewayAPI`).',
  })
  observedTrafficWeights!: Record<string, number>;

  @Field(() => TrafficRoutingModel, {
    nullable: true,
    description: 'Its traffic router, the objects it drives and the desired against the observed canary weight; null without one.',
  })
  trafficRouting!: TrafficRoutingModel | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the agent last reported a change in the cluster.' })
  observedAt!: Date | null;

  @Field(() => Int, { description: 'Version of the desired state sent to the agent; grows with every change.' })
  desiredVersion!: number;

  @Field(() => Int, { description: 'The desired version the agent reported as applied.' })
  appliedDesiredVersion!: number;

  @Field(() => DateTimeScalar, { description: 'When it was first applied.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { description: 'When its spec or status last changed.' })
  updatedAt!: Date;

  /** The fleet release that owns its template, for `freeze`: an override of that release lifts its freezes too. */
  fleetReleaseId!: string | null;
}

@ObjectType({ description: 'A page of rollouts, by cluster, namespace and name.' })
export class RolloutPage {
  @Field(() => [RolloutModel], { description: 'The rollouts of this page.' })
  nodes!: RolloutModel[];

  @Field(() => PageInfo, { description: 'Where the page ends.' })
  pageInfo!: PageInfo;
}

@InputType({ description: 'Narrows the rollouts listed; all given conditions must hold.' })
export class RolloutFilter {
  @Field(() => String, { nullable: true, description: 'Cluster name.' })
  cluster?: string;

  @Field(() => String, { nullable: true, description: 'Namespace.' })
  namespace?: string;

  @Field(() => String, { nullable: true, description: 'Phase, such as `Paused`.' })
  phase?: string;

  @Field(() => [String], { nullable: true, description: 'Label equalities such as `app=checkout`; all must match.' })
  labels?: string[];
}

@ObjectType('RolloutRevision', { description: "One revision in a rollout's release history." })
export class RolloutRevisionModel {
  @Field(() => Int, { description: 'Revision number, from 1.' })
  revision!: number;

  @Field({ description: 'pod-template-hash of its ReplicaSet.' })
  podTemplateHash!: string;

  @Field(() => [String], { description: 'Container images it released.' })
  images!: string[];

  @Field({ description: 'Who started it.' })
  startedBy!: string;

  @Field({ description: 'Progressing, Healthy, Aborted, Superseded or RolledBack.' })
  outcome!: string;

  @Field(() => [String], {
    description: 'What its ReplicaSet is to the rollout now: stable, canary, active or preview; none once scaled down.',
  })
  roles!: string[];

  @Field(() => DateTimeScalar, { description: 'When it started.' })
  startedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it ended.' })
  finishedAt!: Date | null;

  @Field(() => JsonScalar, { description: 'The rollout spec it was released with.' })
  specSnapshot!: unknown;
}

@ObjectType('RolloutOperation', { description: 'An operation asked of a rollout; the rollout engine carries it out.' })
export class RolloutOperationModel {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field({ description: 'promote, abort, retry, pause, resume, restart, setImage or undo.' })
  type!: string;

  @Field(() => JsonScalar, { description: 'Its parameters, such as `{"full":true}`.' })
  parameters!: unknown;

  @Field({ description: 'Pending, Applied or Refused.' })
  state!: string;

  @Field(() => String, { nullable: true, description: 'Why it was refused, when it was.' })
  message!: string | null;

  @Field({ description: 'Who asked for it.' })
  requestedBy!: string;

  @Field(() => DateTimeScalar, { description: 'When it was asked for.' })
  requestedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the engine carried it out or refused it.' })
  completedAt!: Date | null;
}

@InputType({ description: 'Names one rollout.' })
export class RolloutRef {
  @Field({ description: 'Cluster name.' })
  cluster!: string;

  @Field({ description: 'Namespace.' })
  namespace!: string;

  @Field({ description: 'Rollout name.' })
  name!: string;
}

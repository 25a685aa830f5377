import type { ChainedAuditFields } from '@flotilla/protocol';
import type { FreezePeriod } from './freeze-queries.js';

/** GraphQL documents the commands send, with the shapes they read back (see apps/api/schema.gql). */

export interface RolloutRef {
  cluster: string;
  namespace: string;
  name: string;
}

export interface ClusterRow {
  name: string;
  connectionState: 'Connected' | 'Disconnected' | 'Pending';
  agentVersion: string | null;
  kubernetesVersion: string | null;
  labels: Record<string, string>;
  lastHeartbeatAt: string | null;
  createdAt: string;
}

const CLUSTER_FIELDS = 'name connectionState agentVersion kubernetesVersion labels lastHeartbeatAt createdAt';

export const CLUSTERS = `query { clusters { ${CLUSTER_FIELDS} } }`;
export const REGISTER_CLUSTER = `mutation($name: String!, $labels: JSON) { registerCluster(name: $name, labels: $labels) { agentToken cluster { ${CLUSTER_FIELDS} } } }`;
export const CLUSTER_LABELS = `query($name: String!) { cluster(name: $name) { name labels } }`;
export const UPDATE_CLUSTER_LABELS = `mutation($name: String!, $labels: JSON!) { updateClusterLabels(cluster: $name, labels: $labels) { ${CLUSTER_FIELDS} } }`;

export interface AppliedDocument {
  documentIndex: number;
  kind: string;
  name: string;
  namespace: string | null;
  action: 'Created' | 'Updated' | 'Unchanged';
  generation: number;
}

export const APPLY_MANIFESTS = `mutation($cluster: String, $namespace: String, $yaml: String!) {
  applyManifests(cluster: $cluster, namespace: $namespace, yaml: $yaml) { documentIndex kind name namespace action generation }
}`;

/** The fields every listing of rollouts shows. */
export interface RolloutSummary extends RolloutRef {
  phase: string;
  message: string;
  strategy: 'Canary' | 'BlueGreen';
  stepCount: number;
  currentStepIndex: number | null;
  images: string[];
  generation: number;
  observedGeneration: number;
  labels: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  /** The weight and replica counts `list rollouts` shows. */
  progress: Pick<RolloutProgress, 'weights' | 'replicas'>;
}

/** What the tree shows of a rollout's status, read from the API's typed `progress`. */
export interface RolloutProgress {
  currentStep: { index: number; count: number } | null;
  weights: { setWeight: number; actualWeight: number } | null;
  replicas: { desired: number; current: number; updated: number; ready: number; available: number };
  podTemplateHashes: { stable: string | null };
  fullyPromoted: boolean;
}

/** A rollout with its spec as JSON and its status as the API types it. */
export interface RolloutDetail extends RolloutSummary {
  spec: unknown;
  progress: RolloutProgress;
}

const ROLLOUT_COUNT_FIELDS = 'weights { setWeight actualWeight } replicas { desired current updated ready available }';
const ROLLOUT_SUMMARY_FIELDS = `cluster namespace name phase message strategy stepCount currentStepIndex images generation observedGeneration labels createdAt updatedAt progress { ${ROLLOUT_COUNT_FIELDS} }`;
const ROLLOUT_PROGRESS_FIELDS = `currentStep { index count } ${ROLLOUT_COUNT_FIELDS} podTemplateHashes { stable } fullyPromoted`;
const ROLLOUT_DETAIL_FIELDS = `${ROLLOUT_SUMMARY_FIELDS} spec progress { ${ROLLOUT_PROGRESS_FIELDS} }`;

export interface PageInfo {
  endCursor: string | null;
  hasNextPage: boolean;
}

export const ROLLOUTS = `query($filter: RolloutFilter, $page: PageInput) {
  rollouts(filter: $filter, page: $page) { nodes { ${ROLLOUT_SUMMARY_FIELDS} } pageInfo { endCursor hasNextPage } }
}`;

export interface RolloutRevision {
  revision: number;
  podTemplateHash: string;
  images: string[];
  outcome: string;
  startedAt: string;
  finishedAt: string | null;
  startedBy: string;
}

/** A revision with what its ReplicaSet is to the rollout now (`stable`, `canary`, `active`, `preview`), as the tree shows it. */
export interface RolloutRevisionWithRoles extends RolloutRevision {
  roles: string[];
}

export const ROLLOUT_REVISIONS = `query($rollout: RolloutRef!) {
  rolloutRevisions(rollout: $rollout) { revision podTemplateHash images outcome startedAt finishedAt startedBy }
}`;

export interface AnalysisRunSummary {
  name: string;
  kind: string;
  phase: string;
  message: string;
  revision: number | null;
  startedAt: string;
  finishedAt: string | null;
  measurements: { metricName: string; phase: string }[];
}

/** One pod of a ReplicaSet as the agent last reported it. */
export interface PodSummary {
  name: string;
  /** kubectl's STATUS (Running, ContainerCreating, CrashLoopBackOff, Terminating…). */
  status: string;
  readyContainers: number;
  containers: number;
  restarts: number;
  startedAt: string | null;
}

/** One ReplicaSet of a rollout: the replicas the engine asks for and the counts and pods the agent last reported. */
export interface ReplicaSetCounts {
  podTemplateHash: string;
  desiredReplicas: number | null;
  replicas: number | null;
  readyReplicas: number | null;
  availableReplicas: number | null;
  /** When it will be scaled down (ISO time), while it waits to be. */
  scaleDownDeadline: string | null;
  podProblems: string[];
  pods: PodSummary[];
  /** Pods beyond those in `pods`. */
  podsOmitted: number;
}

/** An experiment a rollout's experiment step started, by the pod-template-hash of the revision that started it. */
export interface ExperimentSummary {
  name: string;
  phase: string;
  podTemplateHash: string | null;
  createdAt: string;
}

/** Everything the rollout tree draws, read at once. */
export interface RolloutTreeData {
  /** `analysisRuns` and `experiments`: those the rollout lists, within its history limits, newest first. */
  rollout: RolloutDetail & {
    freeze?: FreezePeriod | null;
    analysisRuns: AnalysisRunSummary[];
    replicaSets: ReplicaSetCounts[];
    experiments: ExperimentSummary[];
  };
  rolloutRevisions: RolloutRevisionWithRoles[];
}

export const ROLLOUT_TREE = `query($cluster: String!, $namespace: String!, $name: String!, $rollout: RolloutRef!) {
  rollout(cluster: $cluster, namespace: $namespace, name: $name) {
    ${ROLLOUT_DETAIL_FIELDS} freeze { window reason policy start end }
    analysisRuns { name kind phase message revision startedAt finishedAt measurements { metricName phase } }
    replicaSets {
      podTemplateHash desiredReplicas replicas readyReplicas availableReplicas scaleDownDeadline podProblems
      pods { name status readyContainers containers restarts startedAt } podsOmitted
    }
    experiments { name phase podTemplateHash createdAt }
  }
  rolloutRevisions(rollout: $rollout) { revision podTemplateHash images outcome startedAt finishedAt startedBy roles }
}`;

/** What `status` reads each time: the rollout's phase and the operations the engine has still to carry out. */
export interface RolloutStatusReading {
  rollout: Pick<RolloutDetail, 'phase' | 'message' | 'generation' | 'observedGeneration'>;
  rolloutOperations: Pick<RolloutOperation, 'type' | 'state'>[];
}

export const ROLLOUT_STATUS = `query($cluster: String!, $namespace: String!, $name: String!, $rollout: RolloutRef!) {
  rollout(cluster: $cluster, namespace: $namespace, name: $name) { phase message generation observedGeneration }
  rolloutOperations(rollout: $rollout) { type state }
}`;

export const ROLLOUT_CHANGED = `subscription($cluster: String, $namespace: String, $name: String) {
  rolloutChanged(cluster: $cluster, namespace: $namespace, name: $name) { name generation updatedAt }
}`;

export type OperationType = 'promote' | 'abort' | 'retry' | 'pause' | 'resume' | 'restart' | 'setImage' | 'undo';

export interface RolloutOperation {
  id: string;
  type: OperationType;
  state: string;
  message: string | null;
  parameters: Record<string, unknown>;
  requestedAt: string;
  requestedBy: string;
}

const OPERATION_FIELDS = 'id type state message parameters requestedAt requestedBy';

/** What waiting for an operation reads of it: whether the engine applied or refused it yet, and why it refused. */
export type OperationState = Pick<RolloutOperation, 'id' | 'state' | 'message'>;

export const ROLLOUT_OPERATION_STATES = `query($rollout: RolloutRef!) { rolloutOperations(rollout: $rollout) { id state message } }`;

/** The mutation of an operation, with its own arguments declared after the rollout and reason. */
export function operationMutation(type: OperationType, extraVariables: string, extraArguments: string): string {
  return `mutation($rollout: RolloutRef!, $reason: String${extraVariables}) { operation: ${type}(rollout: $rollout, reason: $reason${extraArguments}) { ${OPERATION_FIELDS} } }`;
}

export interface AuditEvent {
  sequence: number;
  occurredAt: string;
  actor: string;
  action: string;
  targetType: string;
  targetName: string;
  reason: string | null;
  requestId: string | null;
  /** The object after the change; a refused operation's `message` says why the engine refused it. */
  after: unknown;
}

export const AUDIT_EVENTS = `query($filter: AuditEventFilter, $page: PageInput) {
  auditEvents(filter: $filter, page: $page) { nodes { sequence occurredAt actor action targetType targetName reason requestId after } pageInfo { endCursor hasNextPage } }
}`;

/** An audit event with every field its hash covers, as the API answers it (its time as ISO-8601 text), and its hash. */
export type ChainedAuditEventRow = Omit<ChainedAuditFields, 'occurredAt'> & { occurredAt: string; hash: string };

export const AUDIT_CHAIN = `query($page: PageInput) {
  auditEvents(page: $page) {
    nodes { organizationId sequence actor action targetType targetName targetId before after reason requestId occurredAt previousHash hash }
    pageInfo { endCursor hasNextPage }
  }
}`;

/** A signed checkpoint of the audit chain with the public key that verifies it: the file `audit verify --checkpoint` reads. */
export interface AuditCheckpoint {
  id: string;
  organizationId: string;
  sequence: number;
  headHash: string;
  signedAt: string;
  keyId: string;
  publicKey: string;
  signature: string;
}

const CHECKPOINT_FIELDS = 'id organizationId sequence headHash signedAt keyId publicKey signature';

export const NEWEST_AUDIT_CHECKPOINT = `query { auditCheckpoints(page: { first: 1 }) { nodes { ${CHECKPOINT_FIELDS} } signingEnabled } }`;
export const CREATE_AUDIT_CHECKPOINT = `mutation { createAuditCheckpoint { ${CHECKPOINT_FIELDS} } }`;

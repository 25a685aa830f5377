/** The GraphQL documents the dashboard sends and the shapes it reads back (see apps/api/schema.gql). */

export type ConnectionState = 'Connected' | 'Disconnected' | 'Pending';
export type Strategy = 'Canary' | 'BlueGreen';
export type Role = 'admin' | 'deployer' | 'viewer';

export interface RolloutRef {
  cluster: string;
  namespace: string;
  name: string;
}

export interface Cluster {
  name: string;
  connectionState: ConnectionState;
  agentVersion: string | null;
  kubernetesVersion: string | null;
  labels: Record<string, string>;
  lastHeartbeatAt: string | null;
}

export interface RolloutSummary extends RolloutRef {
  phase: string;
  message: string;
  strategy: Strategy;
  stepCount: number;
  currentStepIndex: number | null;
  images: string[];
  labels: Record<string, string>;
  generation: number;
  observedGeneration: number;
  updatedAt: string;
}

/** One ReplicaSet: the pods the engine wants next to those the agent last reported. */
export interface ReplicaSet {
  podTemplateHash: string;
  revision: number | null;
  role: string;
  images: string[];
  desiredReplicas: number | null;
  replicas: number | null;
  readyReplicas: number | null;
  availableReplicas: number | null;
  scaleDownDeadline: string | null;
  podProblems: string[];
}

export type StepState = 'done' | 'current' | 'pending';

/** What the pages show of a rollout's status, as the API types it. */
export interface RolloutProgress {
  currentStep: { index: number; count: number } | null;
  steps: { index: number; description: string; state: StepState }[];
  weights: { setWeight: number; actualWeight: number } | null;
  replicas: { desired: number; current: number; updated: number; ready: number; available: number };
  pause: { specPaused: boolean; conditions: { reason: string }[] };
  abort: { aborted: boolean };
  podTemplateHashes: { stable: string | null; active: string | null; preview: string | null };
  fullyPromoted: boolean;
  updateInProgress: boolean;
}

/** One period of a freeze window, as the API answers it. */
export interface FreezePeriod {
  window: string;
  reason: string;
  policy: string;
  start: string;
  end: string;
}

const FREEZE_PERIOD_FIELDS = 'window reason policy start end';

export interface RolloutDetail extends RolloutSummary {
  createdAt: string;
  /** The freeze holding or refusing its releases now; null when none, or under a break-glass override. */
  freeze: FreezePeriod | null;
  progress: RolloutProgress;
  replicaSets: ReplicaSet[];
  desiredVersion: number;
  appliedDesiredVersion: number;
  observedAt: string | null;
}

export interface RolloutRevision {
  revision: number;
  podTemplateHash: string;
  images: string[];
  outcome: string;
  startedAt: string;
  finishedAt: string | null;
  startedBy: string;
  /** What its ReplicaSet is to the rollout now: `stable`, `canary`, `active` or `preview`; none once scaled down. */
  roles: string[];
}

export type OperationType = 'promote' | 'abort' | 'retry' | 'pause' | 'resume' | 'restart' | 'setImage' | 'undo';

export interface RolloutOperation {
  id: string;
  type: OperationType;
  state: string;
  message: string | null;
  parameters: Record<string, unknown>;
  requestedAt: string;
  completedAt: string | null;
  requestedBy: string;
}

export interface Measurement {
  metricName: string;
  index: number;
  /** In a pooled run: the cluster whose agent took this part; null for the pooled measurement (and single-cluster runs). Not read by every query. */
  cluster?: string | null;
  phase: string;
  value: string | null;
  message: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface AnalysisRun {
  id: string;
  name: string;
  kind: string;
  phase: string;
  message: string;
  revision: number | null;
  spec: unknown;
  startedAt: string;
  finishedAt: string | null;
  measurements: Measurement[];
}

/** One template of an experiment: its ReplicaSet as the experiment last saw it. */
export interface ExperimentTemplate {
  name: string;
  status: string;
  message: string;
  podTemplateHash: string;
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
}

/** One analysis of an experiment and the run started for it. */
export interface ExperimentAnalysis {
  name: string;
  analysisRun: string;
  phase: string;
  message: string;
}

export interface Experiment {
  id: string;
  name: string;
  phase: string;
  message: string;
  stepIndex: number | null;
  podTemplateHash: string | null;
  createdAt: string;
  availableAt: string | null;
  finishedAt: string | null;
  releasedAt: string | null;
  templates: ExperimentTemplate[];
  analyses: ExperimentAnalysis[];
  /** The runs it started, by name and id, so that its analyses can point at them. */
  analysisRuns: Pick<AnalysisRun, 'id' | 'name'>[];
}

export interface AuditEvent {
  id: string;
  sequence: number;
  occurredAt: string;
  actor: string;
  action: string;
  targetType: string;
  targetName: string;
  reason: string | null;
}

const CLUSTER_FIELDS = 'name connectionState agentVersion kubernetesVersion labels lastHeartbeatAt';
const ROLLOUT_SUMMARY_FIELDS =
  'cluster namespace name phase message strategy stepCount currentStepIndex images labels generation observedGeneration updatedAt';
const ROLLOUT_PROGRESS_FIELDS = `currentStep { index count } steps { index description state } weights { setWeight actualWeight }
    replicas { desired current updated ready available } pause { specPaused conditions { reason } } abort { aborted }
    podTemplateHashes { stable active preview } fullyPromoted updateInProgress`;
const OPERATION_FIELDS = 'id type state message parameters requestedAt completedAt requestedBy';
export const AUDIT_EVENT_FIELDS = 'id sequence occurredAt actor action targetType targetName reason';

export const CLUSTERS = `query { clusters { ${CLUSTER_FIELDS} } }`;
export interface ClustersData {
  clusters: Cluster[];
}

export const ROLLOUTS = `query($page: PageInput) {
  rollouts(page: $page) { nodes { ${ROLLOUT_SUMMARY_FIELDS} } pageInfo { endCursor hasNextPage } }
}`;
export interface RolloutsData {
  rollouts: { nodes: RolloutSummary[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
}

export const ROLLOUT_DETAIL = `query($cluster: String!, $namespace: String!, $name: String!, $rollout: RolloutRef!) {
  rollout(cluster: $cluster, namespace: $namespace, name: $name) {
    ${ROLLOUT_SUMMARY_FIELDS} createdAt desiredVersion appliedDesiredVersion observedAt freeze { ${FREEZE_PERIOD_FIELDS} }
    progress { ${ROLLOUT_PROGRESS_FIELDS} }
    replicaSets { podTemplateHash revision role images desiredReplicas replicas readyReplicas availableReplicas scaleDownDeadline podProblems }
  }
  rolloutRevisions(rollout: $rollout) { revision podTemplateHash images outcome startedAt finishedAt startedBy roles }
  rolloutOperations(rollout: $rollout) { ${OPERATION_FIELDS} }
}`;
export interface RolloutDetailData {
  rollout: RolloutDetail;
  rolloutRevisions: RolloutRevision[];
  rolloutOperations: RolloutOperation[];
}

/** The analysis runs a rollout lists: those not finished and the newest within its run history limits. */
export const ANALYSIS_RUNS = `query($cluster: String!, $namespace: String!, $name: String!) {
  rollout(cluster: $cluster, namespace: $namespace, name: $name) {
    analysisRuns { id name kind phase message revision spec startedAt finishedAt measurements { metricName index phase value message startedAt finishedAt } }
  }
}`;
export interface AnalysisRunsData {
  rollout: { analysisRuns: AnalysisRun[] };
}

/** The experiments a rollout lists: those not finished and the newest within its run history limits. */
export const EXPERIMENTS = `query($cluster: String!, $namespace: String!, $name: String!) {
  rollout(cluster: $cluster, namespace: $namespace, name: $name) {
    experiments {
      id name phase message stepIndex podTemplateHash createdAt availableAt finishedAt releasedAt
      templates { name status message podTemplateHash replicas readyReplicas availableReplicas }
      analyses { name analysisRun phase message }
      analysisRuns { id name }
    }
  }
}`;
export interface ExperimentsData {
  rollout: { experiments: Experiment[] };
}

export const AUDIT_EVENTS = `query($filter: AuditEventFilter, $page: PageInput) {
  auditEvents(filter: $filter, page: $page) { nodes { ${AUDIT_EVENT_FIELDS} } }
}`;
export interface AuditEventsData {
  auditEvents: { nodes: AuditEvent[] };
}

export const ROLLOUT_CHANGED = `subscription($cluster: String, $namespace: String, $name: String) {
  rolloutChanged(cluster: $cluster, namespace: $namespace, name: $name) { ${ROLLOUT_SUMMARY_FIELDS} }
}`;
export interface RolloutChangedData {
  rolloutChanged: RolloutSummary;
}

export const AUDIT_EVENT_ADDED = `subscription { auditEventAdded { ${AUDIT_EVENT_FIELDS} } }`;
export interface AuditEventAddedData {
  auditEventAdded: AuditEvent;
}

export const ME = 'query { me { role tokenName organization } }';
export interface MeData {
  me: { role: Role; tokenName: string; organization: string };
}

/** The mutation of one operation; promote and undo take their own argument. */
export function operationMutation(type: Exclude<OperationType, 'setImage'>): string {
  const extraVariable = type === 'promote' ? ', $full: Boolean!' : '';
  const extraArgument = type === 'promote' ? ', full: $full' : '';
  return `mutation($rollout: RolloutRef!, $reason: String${extraVariable}) { ${type}(rollout: $rollout, reason: $reason${extraArgument}) { ${OPERATION_FIELDS} } }`;
}

export type FleetReleasePhase = 'Progressing' | 'Paused' | 'Halted' | 'RollingBack' | 'Succeeded' | 'Aborted' | 'RolledBack' | 'Superseded';
export type FleetWavePhase = 'Pending' | 'Progressing' | 'Passed' | 'Failed' | 'RollingBack' | 'RolledBack';
export type FleetMemberState = 'Pending' | 'Changing' | 'Released' | 'Failed' | 'Skipped' | 'RollingBack' | 'RolledBack';
export type FleetGateState = 'Pending' | 'Waiting' | 'Passed' | 'Failed';

/** A wave of a FleetRollout's spec, with the API's defaults filled in. */
export interface FleetWaveSpec {
  name: string;
  clusterSelector: unknown;
  maxParallel: string | null;
  soakSeconds: number;
  approval: string;
  allowMissing: boolean;
  disconnectedTimeoutSeconds: number;
}

/** Which cluster falls in which wave now. */
export interface FleetPlan {
  waves: { wave: string; clusters: string[] }[];
  unassigned: string[];
}

export interface FleetChange {
  container: string | null;
  image: string | null;
  template: unknown;
}

/** One gate of a wave: `healthy`, `soak` (counting down to `until`) or `approval`. */
export interface FleetGate {
  gate: string;
  state: FleetGateState;
  message: string;
  since: string | null;
  until: string | null;
}

/** A member Rollout as a fleet release card shows it: the rollout page's phase, step and weights. */
export interface FleetMemberRollout extends RolloutRef {
  phase: string;
  message: string;
  strategy: Strategy;
  progress: Pick<RolloutProgress, 'currentStep' | 'weights' | 'pause' | 'abort'>;
  freeze: FreezePeriod | null;
}

export interface FleetMember {
  cluster: string;
  state: FleetMemberState;
  message: string;
  changedAt: string | null;
  /** Null when the cluster has no such Rollout. */
  rollout: FleetMemberRollout | null;
}

export interface FleetWave {
  name: string;
  phase: FleetWavePhase;
  startedAt: string | null;
  finishedAt: string | null;
  healthySince: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  approvalReason: string | null;
  gates: FleetGate[];
  members: FleetMember[];
}

export interface FleetRelease {
  number: number;
  phase: FleetReleasePhase;
  message: string;
  change: FleetChange;
  reason: string | null;
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  /** Index of the wave under way; `waves.length` once every wave passed. */
  currentWave: number;
  waves: FleetWave[];
  unassigned: string[];
  supersededBy: number | null;
  /** Its waves' analysis runs: pooled over a wave's clusters, or each cluster's own. */
  analysisRuns: FleetAnalysisRun[];
}

/** An analysis run of a fleet release's wave; its `spec.fleetWave` names the wave. */
export interface FleetAnalysisRun extends AnalysisRun {
  /** Null for a pooled run. */
  cluster: string | null;
  clusters: string[];
}

/** A FleetRollout as the list of fleet releases shows it. */
export interface FleetRolloutSummary {
  name: string;
  rolloutNamespace: string;
  rolloutName: string;
  failurePolicy: string;
  waves: FleetWaveSpec[];
  updatedAt: string;
  currentRelease: Pick<FleetRelease, 'number' | 'phase' | 'message' | 'startedAt'> | null;
}

export interface FleetRolloutDetail extends FleetRolloutSummary {
  generation: number;
  appliedBy: string;
  plan: FleetPlan;
}

const FLEET_WAVE_SPEC_FIELDS = 'name clusterSelector maxParallel soakSeconds approval allowMissing disconnectedTimeoutSeconds';
const FLEET_ROLLOUT_SUMMARY_FIELDS = `name rolloutNamespace rolloutName failurePolicy updatedAt waves { ${FLEET_WAVE_SPEC_FIELDS} }
    currentRelease { number phase message startedAt }`;
const FLEET_RELEASE_FIELDS = `number phase message change { container image template } reason startedBy startedAt finishedAt
    currentWave unassigned supersededBy
    waves {
      name phase startedAt finishedAt healthySince approvedBy approvedAt approvalReason
      gates { gate state message since until }
      members {
        cluster state message changedAt
        rollout { cluster namespace name phase message strategy
          progress { currentStep { index count } weights { setWeight actualWeight } pause { specPaused conditions { reason } } abort { aborted } }
          freeze { ${FREEZE_PERIOD_FIELDS} } }
      }
    }
    analysisRuns { id name kind phase message revision cluster clusters spec startedAt finishedAt
      measurements { metricName index cluster phase value message startedAt finishedAt } }`;

export const FLEET_ROLLOUTS = `query { fleetRollouts { ${FLEET_ROLLOUT_SUMMARY_FIELDS} } }`;
export interface FleetRolloutsData {
  fleetRollouts: FleetRolloutSummary[];
}

/** How many releases the selector of older releases offers. */
export const FLEET_RELEASE_CHOICES = 20;

/** A FleetRollout with its plan, the releases to choose from and one release (`number` null: the current one). */
export const FLEET_ROLLOUT_DETAIL = `query($name: String!, $number: Int) {
  fleetRollout(name: $name) { ${FLEET_ROLLOUT_SUMMARY_FIELDS} generation appliedBy plan { waves { wave clusters } unassigned } }
  fleetReleases(fleetRollout: $name, page: { first: ${FLEET_RELEASE_CHOICES} }) { nodes { number phase startedAt } }
  fleetRelease(fleetRollout: $name, number: $number) { ${FLEET_RELEASE_FIELDS} }
}`;
export interface FleetRolloutDetailData {
  fleetRollout: FleetRolloutDetail | null;
  fleetReleases: { nodes: Pick<FleetRelease, 'number' | 'phase' | 'startedAt'>[] };
  fleetRelease: FleetRelease | null;
}

export const FLEET_RELEASE_CHANGED = `subscription($fleetRollout: String) {
  fleetReleaseChanged(fleetRollout: $fleetRollout) { number phase }
}`;
export interface FleetReleaseChangedData {
  fleetReleaseChanged: Pick<FleetRelease, 'number' | 'phase'>;
}

/** The mutations of fleet releases, each acting on a FleetRollout's active release (releaseFleet starts one). */
export type FleetMutation =
  | 'releaseFleet'
  | 'pauseFleetRelease'
  | 'resumeFleetRelease'
  | 'abortFleetRelease'
  | 'approveWave'
  | 'promoteWave'
  | 'retryFleetRelease'
  | 'skipFleetMember'
  | 'retryFleetMember';

const FLEET_MUTATION_ARGUMENTS: Record<FleetMutation, Record<string, string>> = {
  releaseFleet: { image: 'String', container: 'String' },
  pauseFleetRelease: {},
  resumeFleetRelease: {},
  abortFleetRelease: { rollback: 'Boolean!' },
  approveWave: { wave: 'String' },
  promoteWave: {},
  retryFleetRelease: {},
  skipFleetMember: { cluster: 'String!' },
  retryFleetMember: { cluster: 'String!' },
};

/**
 * The document of a fleet mutation, with its own arguments next to `fleetRollout` and `reason`.
 * @example fleetMutation('skipFleetMember') → 'mutation($fleetRollout: String!, $reason: String!, $cluster: String!) { skipFleetMember(…) { number phase } }'
 */
export function fleetMutation(mutation: FleetMutation): string {
  // Skipping or retrying one member needs a reason; the other operations take one optionally.
  const reasonType = mutation === 'skipFleetMember' || mutation === 'retryFleetMember' ? 'String!' : 'String';
  const own = Object.entries(FLEET_MUTATION_ARGUMENTS[mutation]);
  const variables = [`$fleetRollout: String!`, `$reason: ${reasonType}`, ...own.map(([name, type]) => `$${name}: ${type}`)];
  const argumentList = ['fleetRollout', 'reason', ...own.map(([name]) => name)].map((name) => `${name}: $${name}`);
  return `mutation(${variables.join(', ')}) { ${mutation}(${argumentList.join(', ')}) { number phase } }`;
}

/** A FreezeWindow with its current and next period. */
export interface FreezeWindow {
  name: string;
  reason: string;
  policy: string;
  schedule: string | null;
  start: string | null;
  end: string | null;
  clusterSelector: unknown;
  namespaces: string[] | null;
  current: FreezePeriod | null;
  next: FreezePeriod | null;
}

export const FREEZE_WINDOWS = `query { freezeWindows { name reason policy schedule start end clusterSelector namespaces
  current { ${FREEZE_PERIOD_FIELDS} } next { ${FREEZE_PERIOD_FIELDS} } } }`;
export interface FreezeWindowsData {
  freezeWindows: FreezeWindow[];
}

export type BreakGlassState = 'PendingConfirmation' | 'Active' | 'Expired' | 'Revoked';

export interface BreakGlassOverride {
  id: string;
  targetType: string;
  target: string;
  reason: string;
  durationSeconds: number;
  requestedBy: string;
  requestedAt: string;
  confirmedBy: string | null;
  confirmedAt: string | null;
  expiresAt: string | null;
  state: BreakGlassState;
}

const BREAK_GLASS_FIELDS = 'id targetType target reason durationSeconds requestedBy requestedAt confirmedBy confirmedAt expiresAt state';

/** How many overrides the freezes page lists: active first, then newest first. */
export const BREAK_GLASS_PAGE_SIZE = 50;

export const FREEZES_PAGE = `query {
  freezeWindows { name reason policy schedule start end clusterSelector namespaces
    current { ${FREEZE_PERIOD_FIELDS} } next { ${FREEZE_PERIOD_FIELDS} } }
  breakGlassOverrides(page: { first: ${BREAK_GLASS_PAGE_SIZE} }) { nodes { ${BREAK_GLASS_FIELDS} } pageInfo { hasNextPage } }
  organizationSettings { breakGlassNeedsSecondAdmin }
}`;
export interface FreezesPageData extends FreezeWindowsData {
  breakGlassOverrides: { nodes: BreakGlassOverride[]; pageInfo: { hasNextPage: boolean } };
  organizationSettings: { breakGlassNeedsSecondAdmin: boolean };
}

export const CONFIRM_BREAK_GLASS = `mutation($id: ID!) { confirmBreakGlass(id: $id) { ${BREAK_GLASS_FIELDS} } }`;
export const REVOKE_BREAK_GLASS = `mutation($id: ID!, $reason: String) { revokeBreakGlass(id: $id, reason: $reason) { ${BREAK_GLASS_FIELDS} } }`;

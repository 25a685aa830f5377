import type { PageInfo, RolloutProgress } from './queries.js';

/** GraphQL documents of fleet releases, with the shapes they read back (see the fleet types of apps/api/schema.gql). */

export type FleetReleasePhase = 'Progressing' | 'Paused' | 'Halted' | 'RollingBack' | 'Succeeded' | 'Aborted' | 'RolledBack' | 'Superseded';
export type FleetWavePhase = 'Pending' | 'Progressing' | 'Passed' | 'Failed' | 'RollingBack' | 'RolledBack';
export type FleetMemberState = 'Pending' | 'Changing' | 'Released' | 'Failed' | 'Skipped' | 'RollingBack' | 'RolledBack';
export type FleetGateState = 'Pending' | 'Waiting' | 'Passed' | 'Failed';
export type FleetFailurePolicy = 'halt' | 'rollbackWave' | 'rollbackAll';

export interface FleetChange {
  container: string | null;
  image: string | null;
  template: unknown;
}

export interface FleetGate {
  gate: string;
  state: FleetGateState;
  message: string;
  since: string | null;
  until: string | null;
}

/** What a member's line shows of its Rollout now. */
export interface FleetMemberRollout {
  cluster: string;
  namespace: string;
  name: string;
  phase: string;
  message: string;
  progress: Pick<RolloutProgress, 'currentStep' | 'weights'>;
}

export interface FleetMember {
  cluster: string;
  state: FleetMemberState;
  message: string;
  changedAt: string | null;
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

/** A release without its waves: what history and operations print. */
export interface FleetReleaseSummary {
  id: string;
  fleetRollout: string;
  number: number;
  phase: FleetReleasePhase;
  message: string;
  change: FleetChange;
  reason: string | null;
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  currentWave: number;
  unassigned: string[];
  supersededBy: number | null;
}

/** A measurement of a wave's analysis run: in a pooled run, a cluster's part (`cluster` set) or the pooled one. */
export interface FleetAnalysisMeasurement {
  metricName: string;
  index: number;
  cluster: string | null;
  phase: string;
  value: string | null;
}

/** An analysis run of a wave: pooled over its clusters (`cluster` null), or one cluster's own. */
export interface FleetAnalysisRun {
  name: string;
  phase: string;
  message: string;
  cluster: string | null;
  clusters: string[];
  /** Holds `fleetWave: { wave, cluster, attempt }`. */
  spec: unknown;
  measurements: FleetAnalysisMeasurement[];
}

export interface FleetRelease extends FleetReleaseSummary {
  waves: FleetWave[];
  /** Read by `fleet get` only. */
  analysisRuns?: FleetAnalysisRun[];
}

export interface FleetWaveSpec {
  name: string;
  clusterSelector: unknown;
  maxParallel: string | null;
  soakSeconds: number;
  approval: string;
  allowMissing: boolean;
  disconnectedTimeoutSeconds: number;
}

export interface FleetPlan {
  fleetRollout: string;
  waves: { wave: string; clusters: string[] }[];
  unassigned: string[];
}

export interface FleetRolloutRow {
  id: string;
  name: string;
  labels: Record<string, string>;
  rolloutNamespace: string;
  rolloutName: string;
  failurePolicy: FleetFailurePolicy;
  waves: FleetWaveSpec[];
  generation: number;
  appliedBy: string;
  createdAt: string;
  updatedAt: string;
  currentRelease: Pick<FleetReleaseSummary, 'number' | 'phase' | 'message'> | null;
}

const RELEASE_SUMMARY_FIELDS =
  'id fleetRollout number phase message change { container image template } reason startedBy startedAt finishedAt currentWave unassigned supersededBy';
const RELEASE_FIELDS = `${RELEASE_SUMMARY_FIELDS} waves {
  name phase startedAt finishedAt healthySince approvedBy approvedAt approvalReason
  gates { gate state message since until }
  members { cluster state message changedAt rollout { cluster namespace name phase message progress { currentStep { index count } weights { setWeight actualWeight } } } }
}`;
const WAVE_SPEC_FIELDS = 'name clusterSelector maxParallel soakSeconds approval allowMissing disconnectedTimeoutSeconds';
const FLEET_ROLLOUT_FIELDS = `id name labels rolloutNamespace rolloutName failurePolicy waves { ${WAVE_SPEC_FIELDS} } generation appliedBy createdAt updatedAt currentRelease { number phase message }`;

export const FLEET_ROLLOUTS = `query { fleetRollouts { ${FLEET_ROLLOUT_FIELDS} } }`;

export const FLEET_PLAN = `query($name: String!) { fleetPlan(name: $name) { fleetRollout waves { wave clusters } unassigned } }`;

/** What `fleet get` draws: the FleetRollout (null when absent) and one of its releases (null when it has none). */
export interface FleetTreeData {
  fleetRollout: Pick<FleetRolloutRow, 'name' | 'rolloutNamespace' | 'rolloutName' | 'failurePolicy'> | null;
  fleetRelease: FleetRelease | null;
}

export const FLEET_TREE = `query($name: String!, $number: Int) {
  fleetRollout(name: $name) { name rolloutNamespace rolloutName failurePolicy }
  fleetRelease(fleetRollout: $name, number: $number) {
    ${RELEASE_FIELDS}
    analysisRuns { name phase message cluster clusters spec measurements { metricName index cluster phase value } }
  }
}`;

/** What `fleet status` and `fleet release --wait` read of the release each time (with the FleetRollout's name, null when absent). */
export type FleetReleaseReading = Pick<FleetRelease, 'number' | 'phase' | 'message' | 'currentWave' | 'supersededBy'> & {
  waves: Pick<FleetWave, 'name'>[];
};

export const FLEET_RELEASE_STATUS = `query($name: String!, $number: Int) {
  fleetRollout(name: $name) { name }
  fleetRelease(fleetRollout: $name, number: $number) { number phase message currentWave supersededBy waves { name } }
}`;

export const FLEET_RELEASES = `query($name: String!, $page: PageInput) {
  fleetReleases(fleetRollout: $name, page: $page) { nodes { ${RELEASE_SUMMARY_FIELDS} } pageInfo { endCursor hasNextPage } }
}`;

export type FleetReleasePage = { nodes: FleetReleaseSummary[]; pageInfo: PageInfo };

export const FLEET_RELEASE_CHANGED = `subscription($name: String) { fleetReleaseChanged(fleetRollout: $name) { number phase } }`;

export const RELEASE_FLEET = `mutation($name: String!, $image: String, $container: String, $template: JSON, $reason: String) {
  release: releaseFleet(fleetRollout: $name, image: $image, container: $container, template: $template, reason: $reason) { ${RELEASE_SUMMARY_FIELDS} }
}`;

/** The mutations on a FleetRollout's active release, by the command that asks for them. */
export type FleetOperation = 'pause' | 'resume' | 'abort' | 'approve' | 'retry' | 'promote' | 'skip' | 'retryMember';

/** Each operation's mutation; every one answers the release as it is after it, under the alias `release`. */
export const FLEET_OPERATIONS: Record<FleetOperation, string> = {
  pause: `mutation($name: String!, $reason: String) { release: pauseFleetRelease(fleetRollout: $name, reason: $reason) { ${RELEASE_SUMMARY_FIELDS} } }`,
  resume: `mutation($name: String!, $reason: String) { release: resumeFleetRelease(fleetRollout: $name, reason: $reason) { ${RELEASE_SUMMARY_FIELDS} } }`,
  abort: `mutation($name: String!, $rollback: Boolean!, $reason: String) {
  release: abortFleetRelease(fleetRollout: $name, rollback: $rollback, reason: $reason) { ${RELEASE_SUMMARY_FIELDS} }
}`,
  approve: `mutation($name: String!, $wave: String, $reason: String) {
  release: approveWave(fleetRollout: $name, wave: $wave, reason: $reason) { ${RELEASE_SUMMARY_FIELDS} }
}`,
  retry: `mutation($name: String!, $reason: String) { release: retryFleetRelease(fleetRollout: $name, reason: $reason) { ${RELEASE_SUMMARY_FIELDS} } }`,
  promote: `mutation($name: String!, $reason: String) { release: promoteWave(fleetRollout: $name, reason: $reason) { ${RELEASE_SUMMARY_FIELDS} } }`,
  skip: `mutation($name: String!, $cluster: String!, $reason: String!) {
  release: skipFleetMember(fleetRollout: $name, cluster: $cluster, reason: $reason) { ${RELEASE_SUMMARY_FIELDS} }
}`,
  retryMember: `mutation($name: String!, $cluster: String!, $reason: String!) {
  release: retryFleetMember(fleetRollout: $name, cluster: $cluster, reason: $reason) { ${RELEASE_SUMMARY_FIELDS} }
}`,
};

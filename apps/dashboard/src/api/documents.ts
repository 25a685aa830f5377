/** The GraphQL documents the dashboard sends, each typed from apps/api/schema.gql, and the shapes the pages read. */
import { graphql, type ResultOf, type VariablesOf } from './graphql.js';

export type RolloutRef = VariablesOf<typeof ROLLOUT_OPERATIONS.promote>['rollout'];

const CLUSTER_FIELDS = graphql(`
  fragment ClusterFields on Cluster {
    id
    name
    connectionState
    agentVersion
    kubernetesVersion
    labels
    lastHeartbeatAt
  }
`);
export type Cluster = ResultOf<typeof CLUSTER_FIELDS>;
export type ConnectionState = Cluster['connectionState'];

const ROLLOUT_SUMMARY_FIELDS = graphql(`
  fragment RolloutSummaryFields on Rollout {
    cluster
    namespace
    name
    phase
    message
    strategy
    stepCount
    currentStepIndex
    images
    labels
    generation
    observedGeneration
    updatedAt
  }
`);
export type RolloutSummary = ResultOf<typeof ROLLOUT_SUMMARY_FIELDS>;
export type Strategy = RolloutSummary['strategy'];

const FREEZE_PERIOD_FIELDS = graphql(`
  fragment FreezePeriodFields on FreezePeriod {
    window
    reason
    policy
    start
    end
  }
`);
/** One period of a freeze window, as the API answers it. */
export type FreezePeriod = ResultOf<typeof FREEZE_PERIOD_FIELDS>;

const ROLLOUT_PROGRESS_FIELDS = graphql(`
  fragment RolloutProgressFields on RolloutProgress {
    currentStep {
      index
      count
    }
    steps {
      index
      description
      state
    }
    weights {
      setWeight
      actualWeight
    }
    replicas {
      desired
      current
      updated
      ready
      available
    }
    pause {
      specPaused
      conditions {
        reason
      }
    }
    abort {
      aborted
    }
    podTemplateHashes {
      stable
      active
      preview
    }
    fullyPromoted
    updateInProgress
  }
`);
/** What the pages show of a rollout's status. */
export type RolloutProgress = ResultOf<typeof ROLLOUT_PROGRESS_FIELDS>;
export type StepState = RolloutProgress['steps'][number]['state'];

const OPERATION_FIELDS = graphql(`
  fragment OperationFields on RolloutOperation {
    id
    type
    state
    message
    parameters
    requestedAt
    completedAt
    requestedBy
  }
`);
export type RolloutOperation = ResultOf<typeof OPERATION_FIELDS>;

export const AUDIT_EVENT_FIELDS = graphql(`
  fragment AuditEventFields on AuditEvent {
    id
    sequence
    occurredAt
    actor
    action
    targetType
    targetName
    reason
  }
`);
export type AuditEvent = ResultOf<typeof AUDIT_EVENT_FIELDS>;

const MEASUREMENT_FIELDS = graphql(`
  fragment MeasurementFields on Measurement {
    metricName
    index
    phase
    value
    message
    startedAt
    finishedAt
  }
`);

const ANALYSIS_RUN_FIELDS = graphql(
  `
    fragment AnalysisRunFields on AnalysisRun {
      id
      name
      kind
      phase
      message
      revision
      spec
      startedAt
      finishedAt
      measurements {
        ...MeasurementFields
      }
    }
  `,
  [MEASUREMENT_FIELDS],
);
export type AnalysisRun = ResultOf<typeof ANALYSIS_RUN_FIELDS>;
/** One measurement; in a pooled run `cluster` names the cluster whose agent took this part (not read by every query). */
export type Measurement = AnalysisRun['measurements'][number] & { cluster?: string | null };

export const CLUSTERS = graphql(
  `
    query Clusters {
      clusters {
        ...ClusterFields
      }
    }
  `,
  [CLUSTER_FIELDS],
);

export const ROLLOUTS = graphql(
  `
    query Rollouts($page: PageInput) {
      rollouts(page: $page) {
        nodes {
          ...RolloutSummaryFields
        }
        pageInfo {
          endCursor
          hasNextPage
        }
      }
    }
  `,
  [ROLLOUT_SUMMARY_FIELDS],
);

export const ROLLOUT_DETAIL = graphql(
  `
    query RolloutDetail($cluster: String!, $namespace: String!, $name: String!, $rollout: RolloutRef!) {
      cluster(name: $cluster) {
        connectionState
        lastHeartbeatAt
      }
      rollout(cluster: $cluster, namespace: $namespace, name: $name) {
        ...RolloutSummaryFields
        createdAt
        desiredVersion
        appliedDesiredVersion
        observedAt
        freeze {
          ...FreezePeriodFields
        }
        progress {
          ...RolloutProgressFields
        }
        replicaSets {
          podTemplateHash
          revision
          role
          images
          desiredReplicas
          replicas
          readyReplicas
          availableReplicas
          scaleDownDeadline
          podProblems
          pods {
            name
            status
            readyContainers
            containers
            restarts
            startedAt
            nodeName
          }
          podsOmitted
        }
        events {
          type
          reason
          message
          count
          lastSeenAt
          objectKind
          objectName
        }
      }
      rolloutRevisions(rollout: $rollout) {
        revision
        podTemplateHash
        images
        outcome
        startedAt
        finishedAt
        startedBy
        roles
      }
      rolloutOperations(rollout: $rollout) {
        ...OperationFields
      }
    }
  `,
  [ROLLOUT_SUMMARY_FIELDS, FREEZE_PERIOD_FIELDS, ROLLOUT_PROGRESS_FIELDS, OPERATION_FIELDS],
);
export type RolloutDetailData = ResultOf<typeof ROLLOUT_DETAIL>;
export type RolloutDetail = RolloutDetailData['rollout'];
/** One ReplicaSet: the pods the engine wants next to those the agent last reported. */
export type ReplicaSet = RolloutDetail['replicaSets'][number];
/** One pod of a ReplicaSet as the agent last reported it. */
export type Pod = ReplicaSet['pods'][number];
/** One recent Kubernetes Event of the rollout's objects. */
export type RolloutEvent = RolloutDetail['events'][number];
export type RolloutRevision = RolloutDetailData['rolloutRevisions'][number];
/** The cluster of a rollout as its page shows it: whether its agent is connected and when it was last heard from. */
export type RolloutCluster = RolloutDetailData['cluster'];

/** A rollout's manifest as applied and its revisions to pick two of for a diff. */
export const ROLLOUT_MANIFESTS = graphql(`
  query RolloutManifests($cluster: String!, $namespace: String!, $name: String!, $rollout: RolloutRef!) {
    rollout(cluster: $cluster, namespace: $namespace, name: $name) {
      name
      namespace
      labels
      annotations
      spec
    }
    rolloutRevisions(rollout: $rollout) {
      revision
      images
    }
  }
`);
/** A revision as the pickers of a diff offer it. */
export type RevisionChoice = ResultOf<typeof ROLLOUT_MANIFESTS>['rolloutRevisions'][number];

/** The specs two revisions were released with, to compare; a revision's spec never changes. */
export const REVISION_SPECS = graphql(`
  query RevisionSpecs($rollout: RolloutRef!, $revisions: [Int!]!) {
    rolloutRevisions(rollout: $rollout, revisions: $revisions) {
      revision
      specSnapshot
    }
  }
`);

/** How a rollout's canary traffic is split: the router's objects, and the weight asked of it against the one it serves. */
export const ROLLOUT_TRAFFIC_ROUTING = graphql(`
  query RolloutTrafficRouting($cluster: String!, $namespace: String!, $name: String!) {
    rollout(cluster: $cluster, namespace: $namespace, name: $name) {
      trafficRouting {
        router
        maxWeight
        canaryService
        stableService
        desiredCanaryWeight
        desiredStableWeight
        observedCanaryWeight
        headerRoutes
        mirrorRoutes
        objects {
          kind
          namespace
          name
          purpose
          routes
          weightSource
        }
      }
    }
  }
`);
export type TrafficRouting = NonNullable<ResultOf<typeof ROLLOUT_TRAFFIC_ROUTING>['rollout']['trafficRouting']>;

/** The analysis runs a rollout lists: those not finished and the newest within its run history limits. */
export const ANALYSIS_RUNS = graphql(
  `
    query RolloutAnalysisRuns($cluster: String!, $namespace: String!, $name: String!) {
      rollout(cluster: $cluster, namespace: $namespace, name: $name) {
        analysisRuns {
          ...AnalysisRunFields
        }
      }
    }
  `,
  [ANALYSIS_RUN_FIELDS],
);

const EXPERIMENT_FIELDS = graphql(`
  fragment ExperimentFields on Experiment {
    id
    cluster
    namespace
    name
    rollout
    phase
    message
    stepIndex
    podTemplateHash
    createdAt
    availableAt
    finishedAt
    releasedAt
    templates {
      name
      status
      message
      podTemplateHash
      replicas
      readyReplicas
      availableReplicas
    }
    analyses {
      name
      analysisRun
      phase
      message
    }
    analysisRuns {
      id
      name
    }
  }
`);

/** The experiments a rollout lists: those not finished and the newest within its run history limits. */
export const EXPERIMENTS = graphql(
  `
    query RolloutExperiments($cluster: String!, $namespace: String!, $name: String!) {
      rollout(cluster: $cluster, namespace: $namespace, name: $name) {
        experiments {
          ...ExperimentFields
        }
      }
    }
  `,
  [EXPERIMENT_FIELDS],
);

/** One experiment, standalone or of a rollout's step. */
export const EXPERIMENT_DETAIL = graphql(
  `
    query ExperimentDetail($cluster: String!, $namespace: String!, $name: String!) {
      experiment(cluster: $cluster, namespace: $namespace, name: $name) {
        ...ExperimentFields
      }
    }
  `,
  [EXPERIMENT_FIELDS],
);

/** How many experiments the overview reads to find the standalone ones among them. */
export const OVERVIEW_EXPERIMENT_LIMIT = 100;

/** The newest experiments (OVERVIEW_EXPERIMENT_LIMIT), of which the overview lists the standalone ones. */
export const RECENT_EXPERIMENTS = graphql(
  `
    query RecentExperiments($first: Int!) {
      experiments(page: { first: $first }) {
        nodes {
          ...ExperimentFields
        }
      }
    }
  `,
  [EXPERIMENT_FIELDS],
);

/** One analysis run by its name, which is unique in its cluster and namespace; `nodes` is empty when there is none. */
export const ANALYSIS_RUN_DETAIL = graphql(
  `
    query AnalysisRunDetail($cluster: String!, $namespace: String!, $name: String!) {
      analysisRuns(filter: { cluster: $cluster, namespace: $namespace, name: $name }, page: { first: 1 }) {
        nodes {
          ...AnalysisRunFields
          cluster
          namespace
          rollout
          experiment
        }
      }
    }
  `,
  [ANALYSIS_RUN_FIELDS],
);
/** An analysis run with where it lives and what it belongs to. */
export type AnalysisRunDetail = ResultOf<typeof ANALYSIS_RUN_DETAIL>['analysisRuns']['nodes'][number];

export type Experiment = ResultOf<typeof EXPERIMENT_FIELDS>;
/** One template of an experiment: its ReplicaSet as the experiment last saw it. */
export type ExperimentTemplate = Experiment['templates'][number];
/** One analysis of an experiment and the run started for it. */
export type ExperimentAnalysis = Experiment['analyses'][number];

export const AUDIT_EVENTS = graphql(
  `
    query AuditEvents($filter: AuditEventFilter, $page: PageInput) {
      auditEvents(filter: $filter, page: $page) {
        nodes {
          ...AuditEventFields
        }
      }
    }
  `,
  [AUDIT_EVENT_FIELDS],
);
export type AuditEventFilter = NonNullable<VariablesOf<typeof AUDIT_EVENTS>['filter']>;

/** One page of the audit log, oldest cursor last: `after` is the `endCursor` of the page before. */
export const AUDIT_LOG_PAGE = graphql(
  `
    query AuditLogPage($filter: AuditEventFilter, $page: PageInput) {
      auditEvents(filter: $filter, page: $page) {
        nodes {
          ...AuditEventFields
        }
        pageInfo {
          endCursor
          hasNextPage
        }
      }
    }
  `,
  [AUDIT_EVENT_FIELDS],
);

export const ROLLOUT_CHANGED = graphql(
  `
    subscription RolloutChanged($cluster: String, $namespace: String, $name: String) {
      rolloutChanged(cluster: $cluster, namespace: $namespace, name: $name) {
        ...RolloutSummaryFields
      }
    }
  `,
  [ROLLOUT_SUMMARY_FIELDS],
);

export const AUDIT_EVENT_ADDED = graphql(
  `
    subscription AuditEventAdded {
      auditEventAdded {
        ...AuditEventFields
      }
    }
  `,
  [AUDIT_EVENT_FIELDS],
);

export const ME = graphql(`
  query Me {
    me {
      role
      tokenName
      organization
    }
  }
`);
export type Role = ResultOf<typeof ME>['me']['role'];

/** The mutation of each operation button; promote takes `full`, the rest only the rollout and a reason. */
export const ROLLOUT_OPERATIONS = {
  promote: graphql(
    `
      mutation Promote($rollout: RolloutRef!, $reason: String, $full: Boolean!) {
        promote(rollout: $rollout, reason: $reason, full: $full) {
          ...OperationFields
        }
      }
    `,
    [OPERATION_FIELDS],
  ),
  abort: graphql(
    `
      mutation Abort($rollout: RolloutRef!, $reason: String) {
        abort(rollout: $rollout, reason: $reason) {
          ...OperationFields
        }
      }
    `,
    [OPERATION_FIELDS],
  ),
  retry: graphql(
    `
      mutation Retry($rollout: RolloutRef!, $reason: String) {
        retry(rollout: $rollout, reason: $reason) {
          ...OperationFields
        }
      }
    `,
    [OPERATION_FIELDS],
  ),
  pause: graphql(
    `
      mutation Pause($rollout: RolloutRef!, $reason: String) {
        pause(rollout: $rollout, reason: $reason) {
          ...OperationFields
        }
      }
    `,
    [OPERATION_FIELDS],
  ),
  resume: graphql(
    `
      mutation Resume($rollout: RolloutRef!, $reason: String) {
        resume(rollout: $rollout, reason: $reason) {
          ...OperationFields
        }
      }
    `,
    [OPERATION_FIELDS],
  ),
  restart: graphql(
    `
      mutation Restart($rollout: RolloutRef!, $reason: String) {
        restart(rollout: $rollout, reason: $reason) {
          ...OperationFields
        }
      }
    `,
    [OPERATION_FIELDS],
  ),
  undo: graphql(
    `
      mutation Undo($rollout: RolloutRef!, $reason: String, $toRevision: Int) {
        undo(rollout: $rollout, reason: $reason, toRevision: $toRevision) {
          ...OperationFields
        }
      }
    `,
    [OPERATION_FIELDS],
  ),
};
export type OperationMutation = keyof typeof ROLLOUT_OPERATIONS;

export const SET_IMAGE = graphql(
  `
    mutation SetImage($rollout: RolloutRef!, $container: String!, $image: String!, $reason: String) {
      setImage(rollout: $rollout, container: $container, image: $image, reason: $reason) {
        ...OperationFields
      }
    }
  `,
  [OPERATION_FIELDS],
);

const FLEET_ROLLOUT_SUMMARY_FIELDS = graphql(`
  fragment FleetRolloutSummaryFields on FleetRollout {
    name
    rolloutNamespace
    rolloutName
    failurePolicy
    updatedAt
    waves {
      name
      clusterSelector
      maxParallel
      soakSeconds
      approval
      allowMissing
      disconnectedTimeoutSeconds
    }
    currentRelease {
      number
      phase
      message
      startedAt
    }
  }
`);
/** A FleetRollout as the list of fleet releases shows it. */
export type FleetRolloutSummary = ResultOf<typeof FLEET_ROLLOUT_SUMMARY_FIELDS>;
/** A wave of a FleetRollout's spec, with the API's defaults filled in. */
export type FleetWaveSpec = FleetRolloutSummary['waves'][number];

const FLEET_RELEASE_FIELDS = graphql(
  `
    fragment FleetReleaseFields on FleetRelease {
      number
      phase
      message
      change {
        container
        image
        template
      }
      reason
      startedBy
      startedAt
      finishedAt
      currentWave
      unassigned
      supersededBy
      waves {
        name
        phase
        startedAt
        finishedAt
        healthySince
        approvedBy
        approvedAt
        approvalReason
        gates {
          gate
          state
          message
          since
          until
        }
        members {
          cluster
          state
          message
          changedAt
          rollout {
            cluster
            namespace
            name
            phase
            message
            strategy
            progress {
              currentStep {
                index
                count
              }
              weights {
                setWeight
                actualWeight
              }
              pause {
                specPaused
                conditions {
                  reason
                }
              }
              abort {
                aborted
              }
            }
            freeze {
              ...FreezePeriodFields
            }
          }
        }
      }
      analysisRuns {
        id
        name
        kind
        phase
        message
        revision
        cluster
        clusters
        spec
        startedAt
        finishedAt
        measurements {
          metricName
          index
          cluster
          phase
          value
          message
          startedAt
          finishedAt
        }
      }
    }
  `,
  [FREEZE_PERIOD_FIELDS],
);
export type FleetRelease = ResultOf<typeof FLEET_RELEASE_FIELDS>;
export type FleetReleasePhase = FleetRelease['phase'];
export type FleetWave = FleetRelease['waves'][number];
export type FleetWavePhase = FleetWave['phase'];
/** One gate of a wave: `healthy`, `soak` (counting down to `until`) or `approval`. */
export type FleetGate = FleetWave['gates'][number];
export type FleetGateState = FleetGate['state'];
export type FleetMember = FleetWave['members'][number];
export type FleetMemberState = FleetMember['state'];
/** A member Rollout as a fleet release card shows it: the rollout page's phase, step and weights. */
export type FleetMemberRollout = NonNullable<FleetMember['rollout']>;
export type FleetChange = FleetRelease['change'];
/** An analysis run of a fleet release's wave; its `spec.fleetWave` names the wave; `cluster` is null for a pooled run. */
export type FleetAnalysisRun = FleetRelease['analysisRuns'][number];

export const FLEET_ROLLOUTS = graphql(
  `
    query FleetRollouts {
      fleetRollouts {
        ...FleetRolloutSummaryFields
      }
    }
  `,
  [FLEET_ROLLOUT_SUMMARY_FIELDS],
);

/** How many releases the selector of older releases offers. */
export const FLEET_RELEASE_CHOICES = 20;

/** A FleetRollout with its plan, the releases to choose from (FLEET_RELEASE_CHOICES) and one release (`number` null: the current one). */
export const FLEET_ROLLOUT_DETAIL = graphql(
  `
    query FleetRolloutDetail($name: String!, $number: Int) {
      fleetRollout(name: $name) {
        ...FleetRolloutSummaryFields
        generation
        appliedBy
        plan {
          waves {
            wave
            clusters
          }
          unassigned
        }
      }
      fleetReleases(fleetRollout: $name, page: { first: 20 }) {
        nodes {
          number
          phase
          startedAt
        }
      }
      fleetRelease(fleetRollout: $name, number: $number) {
        ...FleetReleaseFields
      }
    }
  `,
  [FLEET_ROLLOUT_SUMMARY_FIELDS, FLEET_RELEASE_FIELDS],
);
export type FleetRolloutDetailData = ResultOf<typeof FLEET_ROLLOUT_DETAIL>;
export type FleetRolloutDetail = NonNullable<FleetRolloutDetailData['fleetRollout']>;
/** Which cluster falls in which wave now. */
export type FleetPlan = FleetRolloutDetail['plan'];

export const FLEET_RELEASE_CHANGED = graphql(`
  subscription FleetReleaseChanged($fleetRollout: String) {
    fleetReleaseChanged(fleetRollout: $fleetRollout) {
      number
      phase
    }
  }
`);

const FLEET_RELEASE_OUTCOME = graphql(`
  fragment FleetReleaseOutcome on FleetRelease {
    number
    phase
  }
`);

/** The mutations of fleet releases, each acting on a FleetRollout's active release (releaseFleet starts one). */
export const FLEET_MUTATIONS = {
  releaseFleet: graphql(
    `
      mutation ReleaseFleet($fleetRollout: String!, $reason: String, $image: String, $container: String) {
        releaseFleet(fleetRollout: $fleetRollout, reason: $reason, image: $image, container: $container) {
          ...FleetReleaseOutcome
        }
      }
    `,
    [FLEET_RELEASE_OUTCOME],
  ),
  pauseFleetRelease: graphql(
    `
      mutation PauseFleetRelease($fleetRollout: String!, $reason: String) {
        pauseFleetRelease(fleetRollout: $fleetRollout, reason: $reason) {
          ...FleetReleaseOutcome
        }
      }
    `,
    [FLEET_RELEASE_OUTCOME],
  ),
  resumeFleetRelease: graphql(
    `
      mutation ResumeFleetRelease($fleetRollout: String!, $reason: String) {
        resumeFleetRelease(fleetRollout: $fleetRollout, reason: $reason) {
          ...FleetReleaseOutcome
        }
      }
    `,
    [FLEET_RELEASE_OUTCOME],
  ),
  abortFleetRelease: graphql(
    `
      mutation AbortFleetRelease($fleetRollout: String!, $reason: String, $rollback: Boolean!) {
        abortFleetRelease(fleetRollout: $fleetRollout, reason: $reason, rollback: $rollback) {
          ...FleetReleaseOutcome
        }
      }
    `,
    [FLEET_RELEASE_OUTCOME],
  ),
  approveWave: graphql(
    `
      mutation ApproveWave($fleetRollout: String!, $reason: String, $wave: String) {
        approveWave(fleetRollout: $fleetRollout, reason: $reason, wave: $wave) {
          ...FleetReleaseOutcome
        }
      }
    `,
    [FLEET_RELEASE_OUTCOME],
  ),
  promoteWave: graphql(
    `
      mutation PromoteWave($fleetRollout: String!, $reason: String) {
        promoteWave(fleetRollout: $fleetRollout, reason: $reason) {
          ...FleetReleaseOutcome
        }
      }
    `,
    [FLEET_RELEASE_OUTCOME],
  ),
  retryFleetRelease: graphql(
    `
      mutation RetryFleetRelease($fleetRollout: String!, $reason: String) {
        retryFleetRelease(fleetRollout: $fleetRollout, reason: $reason) {
          ...FleetReleaseOutcome
        }
      }
    `,
    [FLEET_RELEASE_OUTCOME],
  ),
  skipFleetMember: graphql(
    `
      mutation SkipFleetMember($fleetRollout: String!, $reason: String!, $cluster: String!) {
        skipFleetMember(fleetRollout: $fleetRollout, reason: $reason, cluster: $cluster) {
          ...FleetReleaseOutcome
        }
      }
    `,
    [FLEET_RELEASE_OUTCOME],
  ),
  retryFleetMember: graphql(
    `
      mutation RetryFleetMember($fleetRollout: String!, $reason: String!, $cluster: String!) {
        retryFleetMember(fleetRollout: $fleetRollout, reason: $reason, cluster: $cluster) {
          ...FleetReleaseOutcome
        }
      }
    `,
    [FLEET_RELEASE_OUTCOME],
  ),
};
export type FleetMutation = keyof typeof FLEET_MUTATIONS;

const FREEZE_WINDOW_FIELDS = graphql(
  `
    fragment FreezeWindowFields on FreezeWindow {
      name
      reason
      policy
      schedule
      start
      end
      clusterSelector
      namespaces
      current {
        ...FreezePeriodFields
      }
      next {
        ...FreezePeriodFields
      }
    }
  `,
  [FREEZE_PERIOD_FIELDS],
);
/** A FreezeWindow with its current and next period. */
export type FreezeWindow = ResultOf<typeof FREEZE_WINDOW_FIELDS>;

export const FREEZE_WINDOWS = graphql(
  `
    query FreezeWindows {
      freezeWindows {
        ...FreezeWindowFields
      }
    }
  `,
  [FREEZE_WINDOW_FIELDS],
);

const BREAK_GLASS_FIELDS = graphql(`
  fragment BreakGlassFields on BreakGlassOverride {
    id
    targetType
    target
    reason
    durationSeconds
    requestedBy
    requestedAt
    confirmedBy
    confirmedAt
    expiresAt
    state
  }
`);
export type BreakGlassOverride = ResultOf<typeof BREAK_GLASS_FIELDS>;
export type BreakGlassState = BreakGlassOverride['state'];

/** How many overrides the freezes page lists (the `first` of FREEZES_PAGE): active first, then newest first. */
export const BREAK_GLASS_PAGE_SIZE = 50;

export const FREEZES_PAGE = graphql(
  `
    query FreezesPage {
      freezeWindows {
        ...FreezeWindowFields
      }
      breakGlassOverrides(page: { first: 50 }) {
        nodes {
          ...BreakGlassFields
        }
        pageInfo {
          hasNextPage
        }
      }
      organizationSettings {
        breakGlassNeedsSecondAdmin
      }
    }
  `,
  [FREEZE_WINDOW_FIELDS, BREAK_GLASS_FIELDS],
);
export type FreezesPageData = ResultOf<typeof FREEZES_PAGE>;

export const CONFIRM_BREAK_GLASS = graphql(
  `
    mutation ConfirmBreakGlass($id: ID!) {
      confirmBreakGlass(id: $id) {
        ...BreakGlassFields
      }
    }
  `,
  [BREAK_GLASS_FIELDS],
);
export const REVOKE_BREAK_GLASS = graphql(
  `
    mutation RevokeBreakGlass($id: ID!, $reason: String) {
      revokeBreakGlass(id: $id, reason: $reason) {
        ...BreakGlassFields
      }
    }
  `,
  [BREAK_GLASS_FIELDS],
);

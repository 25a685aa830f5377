import type { ExperimentSpec, RolloutAnalysis, RolloutSpec } from '@flotilla/argo-spec';
import type {
  DesiredExperimentService,
  DesiredReplicaSet,
  DesiredRolloutState,
  ObservedReplicaSet,
  ObservedRolloutState,
  TrafficRouterKind,
  WeightDestination,
} from '@flotilla/protocol';

// ---------------------------------------------------------------- status

export type RolloutPhase = 'Healthy' | 'Progressing' | 'Paused' | 'Degraded';

export type RolloutConditionType = 'Progressing' | 'Available' | 'Paused' | 'Healthy' | 'Completed';

/** Reasons as upstream writes them, so dashboards built for Argo read them unchanged. */
export type RolloutConditionReason =
  | 'NewReplicaSetCreated'
  | 'ReplicaSetUpdated'
  | 'NewReplicaSetAvailable'
  | 'ProgressDeadlineExceeded'
  | 'RolloutPaused'
  | 'RolloutResumed'
  | 'RolloutAborted'
  | 'RolloutRetry'
  | 'AvailableReason'
  | 'RolloutHealthy'
  | 'RolloutCompleted';

export interface RolloutCondition {
  type: RolloutConditionType;
  status: 'True' | 'False' | 'Unknown';
  reason: RolloutConditionReason;
  message: string;
  /** ISO time of the last change of `status`. */
  lastTransitionTime: string;
  /** ISO time of the last change of reason or message; the progress deadline counts from it. */
  lastUpdateTime: string;
}

export type PauseReason = 'CanaryPauseStep' | 'BlueGreenPause' | 'InconclusiveAnalysisRun' | 'InconclusiveExperiment';

export interface PauseCondition {
  reason: PauseReason;
  /** ISO time the pause began; timed pauses and auto-promotion count from it. */
  startTime: string;
}

export interface TrafficWeights {
  canary: WeightDestination;
  stable: WeightDestination;
  additionalDestinations: WeightDestination[];
}

export interface CanaryStatus {
  /** Weights the router is asked to serve for this revision. */
  weights: TrafficWeights | undefined;
  currentStepAnalysisRun: string | undefined;
  currentBackgroundAnalysisRun: string | undefined;
  currentExperiment: string | undefined;
}

export interface BlueGreenStatus {
  activeSelector: string | undefined;
  previewSelector: string | undefined;
  /** Set once the preview ReplicaSet has been scaled from `previewReplicaCount` to full size before promotion. */
  scaleUpPreviewCheckPoint: boolean;
  prePromotionAnalysisRun: string | undefined;
  postPromotionAnalysisRun: string | undefined;
}

/** The status of a Rollout, field for field as upstream except where noted. */
export interface RolloutStatus {
  phase: RolloutPhase;
  message: string;
  observedGeneration: number;
  /** Hash of `spec.template`: the revision being rolled out (or the stable one once done). */
  currentPodHash: string;
  /** Hash of the ReplicaSet that serves production; `undefined` before the first deployment completes its first reconcile. */
  stableRS: string | undefined;
  currentStepIndex: number | undefined;
  /** Hash of `spec.strategy.canary.steps`; a change restarts the steps. */
  currentStepHash: string | undefined;
  pauseConditions: PauseCondition[];
  /** True while a pause set by the engine is in effect or was just cleared by a promote. */
  controllerPause: boolean;
  abort: boolean;
  abortedAt: string | undefined;
  promoteFull: boolean;
  conditions: RolloutCondition[];
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  canary: CanaryStatus;
  blueGreen: BlueGreenStatus;
  /** The `spec.restartAt` that has been fully applied. */
  restartedAt: string | undefined;
  collisionCount: number | undefined;
  /**
   * ISO deadline per pod-template-hash after which a demoted ReplicaSet is scaled to zero. Upstream keeps this in
   * the `scale-down-deadline` annotation of each ReplicaSet; keeping it here makes the engine independent of
   * whether the agent has applied the annotation yet.
   */
  scaleDownDeadlines: Record<string, string>;
  /** Time of the last progress (new counts, new step, resume): the progress deadline counts from it. */
  lastProgressAt: string | undefined;
  /**
   * How many times the current revision was retried after an abort. Part of analysis run and experiment names so
   * that a retry starts fresh runs instead of reading the failed ones (upstream creates runs with generated names).
   */
  retryAttempt: number;
}

// ---------------------------------------------------------------- observations

export type AnalysisRunKind = 'background' | 'step' | 'prePromotion' | 'postPromotion' | 'experiment';
export type AnalysisRunPhase = 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive';

export interface AnalysisRunState {
  name: string;
  kind: AnalysisRunKind;
  podTemplateHash: string;
  stepIndex: number | undefined;
  phase: AnalysisRunPhase;
  message: string;
}

export type ExperimentPhase = 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive';

export interface ExperimentState {
  name: string;
  podTemplateHash: string;
  stepIndex: number;
  phase: ExperimentPhase;
  message: string;
  /** The spec it runs, as it was made; absent once it is released. */
  spec?: ExperimentSpec;
}

export type ExperimentTemplateStatusCode = 'Progressing' | 'Running' | 'Successful' | 'Failed' | 'Error';

export interface ExperimentTemplateStatus {
  name: string;
  status: ExperimentTemplateStatusCode;
  message: string;
  podTemplateHash: string;
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  /** ISO time the counts or the status last changed; the template's progress deadline counts from it. */
  lastTransitionTime: string;
}

export interface ExperimentAnalysisRunStatus {
  /** The analysis' name in the experiment spec. */
  name: string;
  /** The analysis run started for it. */
  analysisRun: string;
  phase: AnalysisRunPhase;
  message: string;
}

/** What the experiment controller keeps between reconciles, as upstream's `Experiment.status`. */
export interface ExperimentStatus {
  phase: ExperimentPhase;
  message: string;
  /** ISO time every template first ran its replicas: the duration counts from it and analyses start then. */
  availableAt: string | undefined;
  /** ISO time the phase completed: the templates scale down `scaleDownDelaySeconds` later. */
  finishedAt: string | undefined;
  templateStatuses: ExperimentTemplateStatus[];
  analysisRuns: ExperimentAnalysisRunStatus[];
}

export interface ExperimentReconcileInput {
  experiment: { name: string; spec: ExperimentSpec };
  status: ExperimentStatus | undefined;
  /** Ended by its rollout (or by `spec.terminate`): runs stop, templates scale down. */
  terminate: boolean;
  /** The revision of the rollout that started it, given to its analysis runs; empty for a standalone experiment. */
  podTemplateHash: string;
  /** The ReplicaSets labelled with this experiment's name. */
  observedReplicaSets: ObservedReplicaSet[];
  /** Its analysis runs, by run name. */
  analysisRuns: AnalysisRunState[];
  now: Date;
}

export type ExperimentEvent =
  | { type: 'ExperimentPhaseChanged'; experiment: string; from: ExperimentPhase; to: ExperimentPhase; message: string }
  | {
      type: 'ExperimentTemplateChanged';
      experiment: string;
      template: string;
      from: ExperimentTemplateStatusCode | undefined;
      to: ExperimentTemplateStatusCode;
      message: string;
    };

export interface ExperimentDecision {
  status: ExperimentStatus;
  replicaSets: DesiredReplicaSet[];
  services: DesiredExperimentService[];
  analysisRunsToStart: AnalysisRunRequest[];
  analysisRunsToTerminate: string[];
  events: ExperimentEvent[];
  requeueAt: Date | undefined;
  /** Completed and scaled down: nothing of it is left in the cluster, and it needs no more reconciles. */
  released: boolean;
}

// ---------------------------------------------------------------- decision

export interface AnalysisRunRequest {
  /** Deterministic: starting the same request twice creates one run. */
  name: string;
  kind: AnalysisRunKind;
  analysis: RolloutAnalysis;
  podTemplateHash: string;
  /** Hash of the stable ReplicaSet, for `podTemplateHashValue: Stable` arguments. */
  stablePodTemplateHash: string | undefined;
  stepIndex: number | undefined;
  /** The experiment a run of kind `experiment` belongs to. */
  experimentName?: string;
}

/** An experiment a rollout's `experiment` step asks for, its templates and analyses resolved as upstream resolves them. */
export interface ExperimentRequest {
  name: string;
  podTemplateHash: string;
  stepIndex: number;
  spec: ExperimentSpec;
}

export type RevisionOutcome = 'Healthy' | 'Aborted' | 'Superseded' | 'RolledBack';

export type RolloutEvent =
  | { type: 'RevisionStarted'; revision: number; podTemplateHash: string; images: string[] }
  | { type: 'RevisionFinished'; revision: number; podTemplateHash: string; outcome: RevisionOutcome }
  | { type: 'RolloutStepCompleted'; stepIndex: number; stepCount: number; step: string }
  | { type: 'RolloutPaused'; reason: PauseReason | 'SpecPaused' }
  | { type: 'RolloutResumed' }
  | { type: 'RolloutAborted'; message: string }
  | { type: 'RolloutRetried' }
  | { type: 'RolloutCompleted'; revision: number; podTemplateHash: string }
  | { type: 'ProgressDeadlineExceeded'; message: string }
  | { type: 'ScalingReplicaSet'; podTemplateHash: string; from: number; to: number }
  | { type: 'TrafficWeightUpdated'; router: TrafficRouterKind; from: number; to: number }
  | { type: 'ServiceSelectorSwitched'; service: string; from: string | undefined; to: string }
  | { type: 'RolloutRestarted'; restartAt: string };

export interface Decision {
  status: RolloutStatus;
  desired: DesiredRolloutState;
  analysisRunsToStart: AnalysisRunRequest[];
  analysisRunsToTerminate: string[];
  experimentsToStart: ExperimentRequest[];
  experimentsToTerminate: string[];
  events: RolloutEvent[];
  /** Exact time the engine must be called again if nothing else changes. */
  requeueAt: Date | undefined;
  /**
   * Set when a freeze holds a new revision: the status stays on the current one and `desired` is not meant to be
   * applied; the shell keeps the desired state it stored.
   */
  heldByFreeze?: true;
}

/**
 * A freeze window in effect for the rollout, as its shell found it. Until `until`, a template change that would start
 * a new revision waits (a change back to an existing revision never does); with policy `hold`, the revision in flight
 * also makes no automatic progress (timed pauses ending, steps advancing, analysis steps completing, promotion),
 * while aborts still act.
 */
export interface RolloutFreeze {
  window: string;
  until: Date;
  policy: 'finish' | 'hold';
}

export interface ReconcileInput {
  /** `generation` grows with every change of `spec`, as in Kubernetes: the engine trusts it to know an unchanged spec. */
  rollout: { name: string; namespace: string; generation: number; spec: RolloutSpec };
  status: RolloutStatus | undefined;
  observed: ObservedRolloutState;
  analysisRuns: AnalysisRunState[];
  experiments: ExperimentState[];
  now: Date;
  freeze?: RolloutFreeze;
}

// ---------------------------------------------------------------- operations

export type RolloutOperation =
  | { type: 'promote'; full: boolean }
  | { type: 'abort' }
  | { type: 'retry' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'restart'; at?: string }
  | { type: 'setImage'; container: string; image: string }
  | { type: 'undo'; toRevision?: number };

export type OperationRefusalCode =
  | 'operation/not_in_progress'
  | 'operation/not_aborted'
  | 'operation/already_aborted'
  | 'operation/unknown_container'
  | 'operation/unknown_revision'
  | 'operation/never_reconciled';

/** Why an operation was refused, with what the caller needs to explain it. */
export interface OperationRefusal {
  code: OperationRefusalCode;
  message: string;
  operation: RolloutOperation['type'];
}

export type OperationResult = { ok: true; spec: RolloutSpec; status: RolloutStatus | undefined } | { ok: false; refusal: OperationRefusal };

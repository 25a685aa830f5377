import {
  jsonEqual,
  pauseDurationSeconds,
  type ExperimentAnalysisTemplateRef,
  type ExperimentSpec,
  type ExperimentTemplate,
} from '@flotilla/argo-spec';
import { EXPERIMENT_TEMPLATE_LABEL, type ObservedReplicaSet } from '@flotilla/protocol';
import { DEFAULT_PROGRESS_DEADLINE_SECONDS, DEFAULT_SCALE_DOWN_DELAY_SECONDS } from '../defaults.js';
import type {
  AnalysisRunRequest,
  ExperimentAnalysisRunStatus,
  ExperimentDecision,
  ExperimentEvent,
  ExperimentReconcileInput,
  ExperimentStatus,
  ExperimentTemplateStatus,
} from '../types.js';
import { assessAnalyses, assessTemplates, isCompleted, isTemplateCompleted, requiredAnalysesSuccessful } from './experiment-phases.js';
import { resolvedExperimentArguments } from './experiment-arguments.js';
import { experimentReplicaSet, experimentService, experimentTemplateHash } from './experiment-templates.js';

/** A status change can make another (templates available → analyses start), so a reconcile settles a few passes. */
const MAX_PASSES = 3;

const initialStatus = (): ExperimentStatus => ({
  phase: 'Pending',
  message: '',
  availableAt: undefined,
  finishedAt: undefined,
  templateStatuses: [],
  analysisRuns: [],
});

/**
 * The name of a new run of an analysis: `EXPERIMENT-ANALYSIS`, or with `.1`, `.2`… after it when a run of the
 * experiment holds that name already (one from before a retry), as upstream's `CreateWithCollisionCounter` names it.
 * @example analysisRunName({ experiment: { name: 'smoke' }, analysisRuns: [{ name: 'smoke-compare' }] }, { name: 'compare' }) === 'smoke-compare.1'
 */
function analysisRunName(
  input: Pick<ExperimentReconcileInput, 'experiment' | 'analysisRuns'>,
  analysis: ExperimentAnalysisTemplateRef,
): string {
  const base = `${input.experiment.name}-${analysis.name}`;
  const taken = new Set(input.analysisRuns.map((run) => run.name));
  let name = base;
  for (let collisions = 1; taken.has(name); collisions += 1) name = `${base}.${collisions}`;
  return name;
}

const replicasOf = (template: ExperimentTemplate): number => template.replicas ?? 1;

const observedOf = (input: ExperimentReconcileInput, template: ExperimentTemplate): ObservedReplicaSet | undefined =>
  input.observedReplicaSets.find((replicaSet) => replicaSet.labels[EXPERIMENT_TEMPLATE_LABEL] === template.name);

/** Upstream's `IsTerminating`: ended from outside, completed, or a template or analysis already decided the outcome. */
function isTerminating(input: ExperimentReconcileInput, status: ExperimentStatus): boolean {
  const { spec } = input.experiment;
  return (
    input.terminate ||
    spec.terminate === true ||
    isCompleted(status.phase) ||
    status.templateStatuses.some((template) => template.status === 'Failed' || template.status === 'Error') ||
    status.analysisRuns.some((run) => run.phase === 'Failed' || run.phase === 'Error' || run.phase === 'Inconclusive') ||
    requiredAnalysesSuccessful(spec.analyses ?? [], status.analysisRuns)
  );
}

const durationMs = (spec: ExperimentSpec): number | undefined => {
  const seconds = spec.duration === undefined ? undefined : pauseDurationSeconds(spec.duration);
  return seconds === undefined ? undefined : seconds * 1000;
};

const progressDeadlineMs = (spec: ExperimentSpec): number => (spec.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS) * 1000;

/** When the templates of a completed experiment scale down. */
function scaleDownAt(spec: ExperimentSpec, status: ExperimentStatus): number | undefined {
  if (!isCompleted(status.phase) || status.finishedAt === undefined) return undefined;
  return Date.parse(status.finishedAt) + (spec.scaleDownDelaySeconds ?? DEFAULT_SCALE_DOWN_DELAY_SECONDS) * 1000;
}

interface Pass {
  status: ExperimentStatus;
  runsToStart: AnalysisRunRequest[];
  runsToTerminate: string[];
}

function templateStatus(
  input: ExperimentReconcileInput,
  previous: ExperimentStatus,
  template: ExperimentTemplate,
  terminating: boolean,
): ExperimentTemplateStatus {
  const nowIso = input.now.toISOString();
  const { spec } = input.experiment;
  const observed = observedOf(input, template);
  const counts = {
    replicas: observed?.currentReplicas ?? 0,
    readyReplicas: observed?.readyReplicas ?? 0,
    availableReplicas: observed?.availableReplicas ?? 0,
  };
  const before = previous.templateStatuses.find((status) => status.name === template.name);
  const status: ExperimentTemplateStatus = before
    ? { ...before, ...counts }
    : {
        name: template.name,
        status: 'Progressing',
        message: '',
        podTemplateHash: experimentTemplateHash(input.experiment.name, template),
        ...counts,
        lastTransitionTime: nowIso,
      };
  if (
    before &&
    (before.replicas !== counts.replicas ||
      before.readyReplicas !== counts.readyReplicas ||
      before.availableReplicas !== counts.availableReplicas)
  ) {
    status.lastTransitionTime = nowIso;
  }
  if (isTemplateCompleted(status.status)) return status;
  const desired = isCompleted(previous.phase) ? 0 : replicasOf(template);
  const duration = durationMs(spec);
  const passedDuration =
    duration !== undefined && previous.availableAt !== undefined && input.now.getTime() >= Date.parse(previous.availableAt) + duration;
  if (desired === status.availableReplicas) {
    status.status = passedDuration || terminating ? 'Successful' : 'Running';
  } else if (input.now.getTime() > Date.parse(status.lastTransitionTime) + progressDeadlineMs(spec)) {
    status.status = 'Failed';
    status.message = `Template '${template.name}' exceeded its progressDeadlineSeconds (${progressDeadlineMs(spec) / 1000})`;
  } else {
    status.status = terminating ? 'Successful' : 'Progressing';
  }
  return status;
}

function analysisRunRequest(
  input: ExperimentReconcileInput,
  analysis: ExperimentAnalysisTemplateRef,
  availableAt: string,
  runName = analysisRunName(input, analysis),
): AnalysisRunRequest {
  const { name, spec } = input.experiment;
  return {
    name: runName,
    kind: 'experiment',
    analysis: {
      templates: [
        { templateName: analysis.templateName, ...(analysis.clusterScope === undefined ? {} : { clusterScope: analysis.clusterScope }) },
      ],
      ...(analysis.args === undefined
        ? {}
        : { args: resolvedExperimentArguments(analysis.args, name, spec, availableAt, durationMs(spec)) }),
      ...(spec.dryRun === undefined ? {} : { dryRun: spec.dryRun }),
      ...(spec.measurementRetention === undefined ? {} : { measurementRetention: spec.measurementRetention }),
    },
    podTemplateHash: input.podTemplateHash,
    stablePodTemplateHash: undefined,
    stepIndex: undefined,
    experimentName: name,
  };
}

/** Upstream's `reconcileAnalysisRun`: runs start once the templates are available, and stop when the experiment ends. */
function analysisRunStatus(
  input: ExperimentReconcileInput,
  previous: ExperimentStatus,
  analysis: ExperimentAnalysisTemplateRef,
  terminating: boolean,
  pass: Pass,
): ExperimentAnalysisRunStatus | undefined {
  const before = previous.analysisRuns.find((run) => run.name === analysis.name);
  if (previous.availableAt === undefined) return before;
  if (before === undefined) {
    if (terminating) return undefined;
    const request = analysisRunRequest(input, analysis, previous.availableAt);
    pass.runsToStart.push(request);
    return { name: analysis.name, analysisRun: request.name, phase: 'Pending', message: '' };
  }
  if (isCompleted(before.phase)) return before;
  const run = input.analysisRuns.find((candidate) => candidate.name === before.analysisRun);
  if (run === undefined) {
    // Its creation is not visible yet; asking again is harmless, as a run's name is its identity.
    if (!terminating) pass.runsToStart.push(analysisRunRequest(input, analysis, previous.availableAt, before.analysisRun));
    return before;
  }
  if (terminating) {
    if (!isCompleted(run.phase)) pass.runsToTerminate.push(run.name);
    return before;
  }
  return { ...before, phase: run.phase, message: run.message };
}

/** Upstream's `calculateStatus`: the experiment's phase from its templates and its analyses. */
function assessed(spec: ExperimentSpec, status: ExperimentStatus, nowIso: string): ExperimentStatus {
  if (isCompleted(status.phase)) return status;
  const analyses = spec.analyses ?? [];
  const templates = assessTemplates(
    spec.templates.map((template) => template.name),
    status.templateStatuses,
  );
  const runs = assessAnalyses(analyses, status.analysisRuns);
  const next = { ...status };
  if (templates.phase === 'Running' && next.availableAt === undefined) next.availableAt = nowIso;
  const hasRequired = analyses.some((analysis) => analysis.requiredForCompletion === true);
  let outcome = templates;
  if (isCompleted(templates.phase)) {
    if (templates.phase === 'Successful' && (isCompleted(runs.phase) || hasRequired)) outcome = runs;
  } else if ((isCompleted(runs.phase) && runs.phase !== 'Successful') || requiredAnalysesSuccessful(analyses, status.analysisRuns)) {
    outcome = runs;
  }
  next.phase = outcome.phase;
  next.message = outcome.message;
  if (isCompleted(next.phase)) next.finishedAt = nowIso;
  return next;
}

function advance(input: ExperimentReconcileInput, previous: ExperimentStatus): Pass {
  const { spec } = input.experiment;
  const terminating = isTerminating(input, previous);
  const pass: Pass = { status: previous, runsToStart: [], runsToTerminate: [] };
  const templateStatuses = spec.templates.map((template) => templateStatus(input, previous, template, terminating));
  const analysisRuns = (spec.analyses ?? []).flatMap((analysis) => analysisRunStatus(input, previous, analysis, terminating, pass) ?? []);
  pass.status = assessed(spec, { ...previous, templateStatuses, analysisRuns }, input.now.toISOString());
  return pass;
}

function nextWakeUp(input: ExperimentReconcileInput, status: ExperimentStatus): Date | undefined {
  const { spec } = input.experiment;
  const candidates: number[] = [];
  const scaleDown = scaleDownAt(spec, status);
  if (scaleDown !== undefined) candidates.push(scaleDown);
  if (!isTerminating(input, status)) {
    const duration = durationMs(spec);
    if (duration !== undefined && status.availableAt !== undefined) candidates.push(Date.parse(status.availableAt) + duration);
    for (const template of spec.templates) {
      const templateState = status.templateStatuses.find((candidate) => candidate.name === template.name);
      if (
        templateState === undefined ||
        isTemplateCompleted(templateState.status) ||
        templateState.availableReplicas === replicasOf(template)
      )
        continue;
      // One millisecond past the deadline: the deadline is exceeded only after it.
      candidates.push(Date.parse(templateState.lastTransitionTime) + progressDeadlineMs(spec) + 1);
    }
  }
  const future = candidates.filter((time) => time > input.now.getTime());
  return future.length === 0 ? undefined : new Date(Math.min(...future));
}

function transitions(name: string, before: ExperimentStatus, after: ExperimentStatus): ExperimentEvent[] {
  const events: ExperimentEvent[] = [];
  for (const template of after.templateStatuses) {
    const from = before.templateStatuses.find((candidate) => candidate.name === template.name)?.status;
    if (from !== template.status)
      events.push({
        type: 'ExperimentTemplateChanged',
        experiment: name,
        template: template.name,
        from,
        to: template.status,
        message: template.message,
      });
  }
  if (before.phase !== after.phase)
    events.push({ type: 'ExperimentPhaseChanged', experiment: name, from: before.phase, to: after.phase, message: after.message });
  return events;
}

/**
 * The experiment controller, pure: an Argo Experiment's templates become ReplicaSets (and Services), its analyses
 * become runs once every template is available, and its phase follows upstream's rules. A completed experiment
 * keeps its pods `scaleDownDelaySeconds`, then scales to zero; once none are left it is released.
 */
export function reconcileExperiment(input: ExperimentReconcileInput): ExperimentDecision {
  const { name, spec } = input.experiment;
  const start = input.status ?? initialStatus();
  let status = start;
  const runsToStart = new Map<string, AnalysisRunRequest>();
  const runsToTerminate = new Set<string>();
  for (let passes = 0; passes < MAX_PASSES; passes++) {
    const pass = advance(input, status);
    for (const request of pass.runsToStart) runsToStart.set(request.name, request);
    for (const run of pass.runsToTerminate) runsToTerminate.add(run);
    const settled = jsonEqual(pass.status, status);
    status = pass.status;
    if (settled) break;
  }
  const scaleDown = scaleDownAt(spec, status);
  const scaledDown = scaleDown !== undefined && input.now.getTime() >= scaleDown;
  const released =
    scaledDown &&
    spec.templates.every((template) => {
      const observed = observedOf(input, template);
      return observed === undefined || (observed.replicas === 0 && observed.currentReplicas === 0);
    });
  return {
    status,
    replicaSets: released
      ? []
      : spec.templates.map((template) => experimentReplicaSet(name, template, scaledDown ? 0 : replicasOf(template))),
    services: scaledDown ? [] : spec.templates.flatMap((template) => experimentService(name, template) ?? []),
    analysisRunsToStart: [...runsToStart.values()],
    analysisRunsToTerminate: [...runsToTerminate],
    events: transitions(name, start, status),
    requeueAt: released ? undefined : nextWakeUp(input, status),
    released,
  };
}

import type {
  AnalysisRunSummary,
  ExperimentSummary,
  PodSummary,
  ReplicaSetCounts,
  RolloutRevisionWithRoles,
  RolloutTreeData,
} from '../api/queries.js';
import { freezeLine } from '../freezes/freeze-view.js';
import type { Styles } from '../output/terminal.js';
import { age, humanDuration } from '../output/time.js';
import { summaryContinuation, summaryField as field, formatTree, type TreeNode } from '../output/tree.js';
import { phaseText, podStatusText } from './phase.js';

function imageLines(data: RolloutTreeData): string[] {
  const { rollout, rolloutRevisions } = data;
  const { progress } = rollout;
  const stable = rolloutRevisions.find((revision) => revision.podTemplateHash === progress.podTemplateHashes.stable);
  const newRole = rollout.strategy === 'BlueGreen' ? 'preview' : 'canary';
  const stableRole = rollout.strategy === 'BlueGreen' ? 'stable, active' : 'stable';
  if (stable === undefined || progress.fullyPromoted)
    return rollout.images.map((image) => `${image} (${stable === undefined ? newRole : stableRole})`);
  return [...stable.images.map((image) => `${image} (${stableRole})`), ...rollout.images.map((image) => `${image} (${newRole})`)];
}

function summaryLines(data: RolloutTreeData, now: Date, style: Styles): string[] {
  const { rollout } = data;
  const { currentStep, weights, replicas } = rollout.progress;
  const lines = [
    field('Name', style.bold(rollout.name)),
    field('Namespace', rollout.namespace),
    field('Cluster', rollout.cluster),
    field('Status', phaseText(rollout.phase, style)),
    field('Message', rollout.message || '-'),
    ...(rollout.freeze ? [field('Freeze', style.yellow(freezeLine(rollout.freeze, rollout.message, now)))] : []),
    field('Strategy', rollout.strategy),
  ];
  if (currentStep !== null && weights !== null) {
    lines.push(
      field('Step', `${currentStep.index}/${currentStep.count}`, 2),
      field('SetWeight', String(weights.setWeight), 2),
      field('ActualWeight', String(weights.actualWeight), 2),
    );
  }
  const [firstImage, ...otherImages] = imageLines(data);
  lines.push(field('Images', firstImage ?? '-'), ...otherImages.map(summaryContinuation));
  lines.push(
    'Replicas:',
    field('Desired', String(replicas.desired), 2),
    field('Current', String(replicas.current), 2),
    field('Updated', String(replicas.updated), 2),
    field('Ready', String(replicas.ready), 2),
    field('Available', String(replicas.available), 2),
  );
  if (rollout.observedGeneration < rollout.generation)
    lines.push(style.yellow(`Generation ${rollout.generation} is not reconciled yet (engine at ${rollout.observedGeneration})`));
  return lines;
}

/** `✔ 3,✖ 1` : successful and failed measurements of a run, as the Argo plugin counts them. */
export function measurementCounts(run: Pick<AnalysisRunSummary, 'measurements'>): string {
  const successful = run.measurements.filter((measurement) => measurement.phase === 'Successful').length;
  const failed = run.measurements.filter((measurement) => measurement.phase === 'Failed' || measurement.phase === 'Error').length;
  return `✔ ${successful},✖ ${failed}`;
}

/**
 * The phase of a ReplicaSet as the Argo plugin names it: ScaledDown once nothing is asked of it and no pod is left,
 * Degraded while its pods have problems, Healthy once every desired pod is available, else Progressing.
 */
export function replicaSetPhase(
  replicaSet: Pick<ReplicaSetCounts, 'desiredReplicas' | 'replicas' | 'readyReplicas' | 'availableReplicas' | 'podProblems'>,
): string {
  const desired = replicaSet.desiredReplicas ?? 0;
  if (desired === 0 && (replicaSet.replicas ?? 0) === 0) return 'ScaledDown';
  if (replicaSet.podProblems.length > 0) return 'Degraded';
  return replicaSet.availableReplicas === desired && replicaSet.readyReplicas === desired ? 'Healthy' : 'Progressing';
}

/** `delay:25s` while a ReplicaSet waits to be scaled down, `delay:passed` once its deadline is behind. */
function scaleDownDelay(deadline: string | null, now: Date): string[] {
  if (deadline === null) return [];
  const left = Date.parse(deadline) - now.getTime();
  return [`delay:${left > 0 ? humanDuration(left) : 'passed'}`];
}

/** Its roles, counts (`desired:5,current:5,ready:4,available:4`, `-` where unknown), scale-down delay and pod problems. */
function replicaSetInfo(roles: readonly string[], replicaSet: ReplicaSetCounts | undefined, now: Date): string {
  if (replicaSet === undefined) return roles.join(',');
  const count = (value: number | null): string => (value === null ? '-' : String(value));
  return [
    ...roles,
    `desired:${count(replicaSet.desiredReplicas)}`,
    `current:${count(replicaSet.replicas)}`,
    `ready:${count(replicaSet.readyReplicas)}`,
    `available:${count(replicaSet.availableReplicas)}`,
    ...scaleDownDelay(replicaSet.scaleDownDeadline, now),
    ...replicaSet.podProblems,
  ].join(',');
}

/** A pod as the Argo plugin draws it: `□ name  Pod  ✔ Running  2m  ready:1/1,restarts:1` (restarts once there are any). */
function podNode(pod: PodSummary, now: Date, style: Styles): TreeNode {
  return {
    icon: '□',
    name: pod.name,
    kind: 'Pod',
    status: podStatusText(pod.status, style),
    age: pod.startedAt === null ? '' : age(pod.startedAt, now),
    info: [`ready:${pod.readyContainers}/${pod.containers}`, ...(pod.restarts > 0 ? [`restarts:${pod.restarts}`] : [])].join(','),
    children: [],
  };
}

/** The pods of a ReplicaSet, and a last line counting those the agent left out of its report. */
function podNodes(replicaSet: ReplicaSetCounts | undefined, now: Date, style: Styles): TreeNode[] {
  if (replicaSet === undefined) return [];
  const omitted: TreeNode[] =
    replicaSet.podsOmitted > 0
      ? [{ icon: '□', name: `… ${replicaSet.podsOmitted} more`, kind: 'Pod', status: '', age: '', info: '', children: [] }]
      : [];
  return [...replicaSet.pods.map((pod) => podNode(pod, now, style)), ...omitted];
}

function revisionNode(revision: RolloutRevisionWithRoles, data: RolloutTreeData, now: Date, style: Styles): TreeNode {
  const runs = data.rollout.analysisRuns.filter((run) => run.revision === revision.revision);
  const experiments = data.rollout.experiments.filter((experiment) => experiment.podTemplateHash === revision.podTemplateHash);
  const replicaSet = data.rollout.replicaSets.find((candidate) => candidate.podTemplateHash === revision.podTemplateHash);
  return {
    icon: '#',
    name: `revision:${revision.revision}`,
    kind: 'Revision',
    status: phaseText(revision.outcome, style),
    age: age(revision.startedAt, now),
    info: `${revision.images.join(',')} by ${revision.startedBy}`,
    children: [
      {
        icon: '⧉',
        name: `${data.rollout.name}-${revision.podTemplateHash}`,
        kind: 'ReplicaSet',
        status: replicaSet === undefined ? '' : phaseText(replicaSetPhase(replicaSet), style),
        age: age(revision.startedAt, now),
        info: replicaSetInfo(revision.roles, replicaSet, now),
        children: podNodes(replicaSet, now, style),
      },
      ...experiments.map((experiment) => experimentNode(experiment, now, style)),
      ...runs.map((run) => analysisRunNode(run, now, style)),
    ],
  };
}

/** An experiment as the Argo plugin draws it: `Σ name  Experiment  ✔ Successful  2m`, over the given children. */
export function experimentNode(
  experiment: Pick<ExperimentSummary, 'name' | 'phase' | 'createdAt'>,
  now: Date,
  style: Styles,
  children: TreeNode[] = [],
): TreeNode {
  return {
    icon: 'Σ',
    name: experiment.name,
    kind: 'Experiment',
    status: phaseText(experiment.phase, style),
    age: age(experiment.createdAt, now),
    info: '',
    children,
  };
}

export function analysisRunNode(run: AnalysisRunSummary, now: Date, style: Styles): TreeNode {
  return {
    icon: 'α',
    name: run.name,
    kind: 'AnalysisRun',
    status: phaseText(run.phase, style),
    age: age(run.startedAt, now),
    info: `${measurementCounts(run)} (${run.kind})`,
    children: [],
  };
}

/**
 * One frame of `flotilla get rollout`: the summary block of `kubectl argo rollouts get rollout`, then a tree of the
 * rollout's revisions, newest first, each with its ReplicaSet (status, replica counts, scale-down delay) and its pods, the
 * experiments its steps started and the analysis runs the rollout lists (within its history limits). Times are
 * relative to `now`.
 */
export function renderRolloutTree(data: RolloutTreeData, now: Date, style: Styles): string {
  const unattachedRuns = data.rollout.analysisRuns.filter(
    (run) => !data.rolloutRevisions.some((revision) => revision.revision === run.revision),
  );
  const root: TreeNode = {
    icon: '⟳',
    name: data.rollout.name,
    kind: 'Rollout',
    status: phaseText(data.rollout.phase, style),
    age: age(data.rollout.createdAt, now),
    info: '',
    children: [
      ...data.rolloutRevisions.map((revision) => revisionNode(revision, data, now, style)),
      ...unattachedRuns.map((run) => analysisRunNode(run, now, style)),
    ],
  };
  return `${summaryLines(data, now, style).join('\n')}\n\n${formatTree(root)}`;
}

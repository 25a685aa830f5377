import type { ExperimentSpec } from '@flotilla/argo-spec';
import type { ExperimentDetail, ExperimentTemplateRow } from '../api/experiment-queries.js';
import type { Styles } from '../output/terminal.js';
import { age } from '../output/time.js';
import { formatTree, summaryContinuation, summaryField as field, type TreeNode } from '../output/tree.js';
import { phaseText } from '../rollouts/phase.js';
import { analysisRunNode, experimentNode, replicaSetPhase } from '../rollouts/rollout-tree.js';

const COMPLETED = new Set(['Successful', 'Failed', 'Error', 'Inconclusive']);

/** Whether an experiment phase is final, as upstream's `Completed()` has it. */
export const isCompletedPhase = (phase: string): boolean => COMPLETED.has(phase);

/** The images of an experiment's templates, each once, in spec order (upstream's `ExperimentImages`). */
export function experimentImages(spec: ExperimentSpec): string[] {
  const images = spec.templates.flatMap((template) =>
    template.template.spec.containers.flatMap((container) => (container.image === undefined ? [] : [container.image])),
  );
  return [...new Set(images)];
}

/** The ReplicaSet of one template: its phase, and `desired:1,current:1,ready:1,available:1` (desired is 0 once the experiment completed). */
function templateNode(experiment: ExperimentDetail, template: ExperimentTemplateRow, now: Date, style: Styles): TreeNode {
  const spec = experiment.spec as ExperimentSpec;
  const desired = isCompletedPhase(experiment.phase)
    ? 0
    : (spec.templates.find((candidate) => candidate.name === template.name)?.replicas ?? 1);
  const counts = {
    desiredReplicas: desired,
    replicas: template.replicas,
    readyReplicas: template.readyReplicas,
    availableReplicas: template.availableReplicas,
    podProblems: [],
  };
  return {
    icon: '⧉',
    name: `${experiment.name}-${template.name}-${template.podTemplateHash}`,
    kind: 'ReplicaSet',
    status: phaseText(replicaSetPhase(counts), style),
    age: age(experiment.createdAt, now),
    info: `desired:${desired},current:${template.replicas},ready:${template.readyReplicas},available:${template.availableReplicas}`,
    children: [],
  };
}

function summaryLines(experiment: ExperimentDetail, style: Styles): string[] {
  const [firstImage, ...otherImages] = experimentImages(experiment.spec as ExperimentSpec);
  return [
    field('Name', style.bold(experiment.name)),
    field('Namespace', experiment.namespace),
    field('Cluster', experiment.cluster),
    field('Status', phaseText(experiment.phase, style)),
    ...(experiment.message === '' ? [] : [field('Message', experiment.message)]),
    ...(firstImage === undefined ? [] : [field('Images', firstImage), ...otherImages.map(summaryContinuation)]),
  ];
}

/**
 * One frame of `flotilla get experiment`, as `kubectl argo rollouts get experiment` draws it: the summary block, then
 * the experiment with the ReplicaSet of each template (status and counts) and its analysis runs (measurement counts).
 * Times are relative to `now`.
 */
export function renderExperimentTree(experiment: ExperimentDetail, now: Date, style: Styles): string {
  const root = experimentNode(experiment, now, style, [
    ...experiment.templates.map((template) => templateNode(experiment, template, now, style)),
    ...experiment.analysisRuns.map((run) => analysisRunNode(run, now, style)),
  ]);
  return `${summaryLines(experiment, style).join('\n')}\n\n${formatTree(root)}`;
}

import type { ExperimentView } from '@flotilla/stores';
import type { ExperimentModel } from './experiment.models.js';

const timeOrNull = (iso: string | undefined): Date | null => (iso ? new Date(iso) : null);

export function toExperimentModel(experiment: ExperimentView): ExperimentModel {
  const { status } = experiment;
  return {
    id: experiment.id,
    cluster: experiment.cluster,
    namespace: experiment.namespace,
    name: experiment.name,
    rollout: experiment.rollout,
    stepIndex: experiment.stepIndex,
    podTemplateHash: experiment.podTemplateHash,
    spec: experiment.spec,
    phase: experiment.phase,
    message: experiment.message,
    availableAt: timeOrNull(status?.availableAt),
    finishedAt: timeOrNull(status?.finishedAt),
    releasedAt: experiment.releasedAt,
    createdAt: experiment.createdAt,
    templates: (status?.templateStatuses ?? []).map(
      ({ name, status: templateStatus, message, podTemplateHash, replicas, readyReplicas, availableReplicas }) => ({
        name,
        status: templateStatus,
        message,
        podTemplateHash,
        replicas,
        readyReplicas,
        availableReplicas,
      }),
    ),
    analyses: (status?.analysisRuns ?? []).map(({ name, analysisRun, phase, message }) => ({ name, analysisRun, phase, message })),
  };
}

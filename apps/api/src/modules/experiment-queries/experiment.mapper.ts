import type { ExperimentStatus } from '@flotilla/rollout-engine';
import type { Prisma } from '@flotilla/stores';
import type { ExperimentModel } from './experiment.models.js';

/** What an Experiment object needs loaded with its row. */
export const EXPERIMENT_INCLUDE = {
  cluster: { select: { name: true } },
  rollout: { select: { name: true } },
} satisfies Prisma.ExperimentInclude;

export type ExperimentRow = Prisma.ExperimentGetPayload<{ include: typeof EXPERIMENT_INCLUDE }>;

const timeOrNull = (iso: string | undefined): Date | null => (iso ? new Date(iso) : null);

export function toExperimentModel(row: ExperimentRow): ExperimentModel {
  // Null until the experiment controller first reconciles it.
  const status = row.status as ExperimentStatus | null;
  return {
    id: row.id,
    cluster: row.cluster.name,
    namespace: row.namespace,
    name: row.name,
    rollout: row.rollout?.name ?? null,
    stepIndex: row.stepIndex,
    podTemplateHash: row.podTemplateHash,
    spec: row.spec,
    phase: row.phase,
    message: row.message,
    availableAt: timeOrNull(status?.availableAt),
    finishedAt: timeOrNull(status?.finishedAt),
    releasedAt: row.releasedAt,
    createdAt: row.createdAt,
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

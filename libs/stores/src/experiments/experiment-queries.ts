import { listedRuns, type RunHistoryLimits } from '@flotilla/analysis';
import type { ExperimentSpec } from '@flotilla/argo-spec';
import type { ExperimentStatus } from '@flotilla/rollout-engine';
import type { DatabaseClient } from '../database/database.js';
import { placementWhere, windowArguments, type PageWindow, type PlacementFilter } from '../database/page-window.js';
import type { Prisma } from '../generated/prisma/client.js';
import { organizationFilter, type OrganizationScope } from '../scope/scope.js';
import { experimentColumns } from './experiment-columns.js';

/** An experiment, standalone or of a rollout, as the API shows it. */
export interface ExperimentView {
  id: string;
  /** Name of its cluster. */
  cluster: string;
  namespace: string;
  name: string;
  /** Name of the rollout whose experiment step started it; null for a standalone experiment. */
  rollout: string | null;
  stepIndex: number | null;
  podTemplateHash: string | null;
  spec: ExperimentSpec;
  phase: string;
  message: string;
  /** Null until the experiment controller first reconciles it. */
  status: ExperimentStatus | null;
  releasedAt: Date | null;
  createdAt: Date;
}

/** Experiments by cluster, namespace, the rollout whose experiment steps started them, name and phase. */
export type ExperimentFilter = PlacementFilter;

const EXPERIMENT_INCLUDE = {
  cluster: { select: { name: true } },
  rollout: { select: { name: true } },
} satisfies Prisma.ExperimentInclude;

type ExperimentRow = Prisma.ExperimentGetPayload<{ include: typeof EXPERIMENT_INCLUDE }>;

function toExperimentView(row: ExperimentRow): ExperimentView {
  return {
    id: row.id,
    cluster: row.cluster.name,
    namespace: row.namespace,
    name: row.name,
    rollout: row.rollout?.name ?? null,
    stepIndex: row.stepIndex,
    podTemplateHash: row.podTemplateHash,
    spec: experimentColumns.spec.decode(row.spec),
    phase: row.phase,
    message: row.message,
    status: row.status === null ? null : experimentColumns.status.decode(row.status),
    releasedAt: row.releasedAt,
    createdAt: row.createdAt,
  };
}

/** What the API reads of experiments, always within the caller's organization. */
export class ExperimentQueries {
  constructor(private readonly database: DatabaseClient) {}

  /** Experiments, standalone and of rollouts, newest first. */
  async experiments(scope: OrganizationScope, filter: ExperimentFilter, window: PageWindow): Promise<ExperimentView[]> {
    const rows = await this.database.experiment.findMany({
      where: {
        ...organizationFilter(scope),
        ...placementWhere(filter),
      },
      include: EXPERIMENT_INCLUDE,
      orderBy: { id: 'desc' },
      ...windowArguments(window),
    });
    return rows.map(toExperimentView);
  }

  /**
   * The experiments a rollout lists, newest first: every one not finished, and the newest of its finished ones within
   * its history limits (`listedRuns`, as upstream applies the rollout's run limits to experiments). The others stay
   * queryable through `experiments`.
   */
  async experimentsOfRollout(scope: OrganizationScope, rolloutId: string, limits: RunHistoryLimits): Promise<ExperimentView[]> {
    const phases = await this.database.experiment.findMany({
      where: { ...organizationFilter(scope), rolloutId },
      select: { id: true, phase: true },
      orderBy: { id: 'desc' },
    });
    const rows = await this.database.experiment.findMany({
      where: { ...organizationFilter(scope), id: { in: listedRuns(phases, limits).map((experiment) => experiment.id) } },
      include: EXPERIMENT_INCLUDE,
      orderBy: { id: 'desc' },
    });
    return rows.map(toExperimentView);
  }

  /** One experiment by cluster name, namespace and name; undefined when the organization has none. */
  async experiment(
    scope: OrganizationScope,
    key: { cluster: string; namespace: string; name: string },
  ): Promise<ExperimentView | undefined> {
    const row = await this.database.experiment.findFirst({
      where: { ...organizationFilter(scope), cluster: { name: key.cluster }, namespace: key.namespace, name: key.name },
      include: EXPERIMENT_INCLUDE,
    });
    return row ? toExperimentView(row) : undefined;
  }
}

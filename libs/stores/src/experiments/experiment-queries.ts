import type { ExperimentSpec } from '@flotilla/argo-spec';
import type { ExperimentAnalysisRunStatus, ExperimentPhase, ExperimentStatus, ExperimentTemplateStatus } from '@flotilla/rollout-engine';
import { z } from 'zod';
import type { DatabaseClient } from '../database/database.js';
import { isGiven, windowArguments, type PageWindow } from '../database/page-window.js';
import type { Prisma } from '../generated/prisma/client.js';
import { objectColumn } from '../scope/json-column.js';
import { organizationFilter, type OrganizationScope } from '../scope/scope.js';
import { isJsonObject } from '../analysis-runs/analysis-run-columns.js';

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

export interface ExperimentFilter {
  /** Cluster name. */
  cluster?: string | null;
  namespace?: string | null;
  /** Name of the rollout whose experiment steps started them. */
  rollout?: string | null;
  name?: string | null;
  phase?: string | null;
}

const withName = (value: unknown): boolean => isJsonObject(value) && typeof value.name === 'string';
const PHASES = ['Pending', 'Running', 'Successful', 'Failed', 'Error', 'Inconclusive'] as const satisfies readonly ExperimentPhase[];

// The spec is the manifests' type, validated when applied: its full check covers the top level. A status's template
// and analysis entries are checked for their names.
const specColumn = objectColumn<ExperimentSpec>(
  'Experiment.spec',
  ['templates'],
  z.custom<ExperimentSpec>((spec) => isJsonObject(spec) && Array.isArray(spec.templates), 'an experiment spec with templates'),
);

const statusColumn = objectColumn<ExperimentStatus>(
  'Experiment.status',
  ['phase', 'templateStatuses', 'analysisRuns'],
  z
    .object({
      phase: z.enum(PHASES),
      message: z.string(),
      availableAt: z.string().optional(),
      finishedAt: z.string().optional(),
      templateStatuses: z.array(z.custom<ExperimentTemplateStatus>(withName, 'a template status with a name')),
      analysisRuns: z.array(z.custom<ExperimentAnalysisRunStatus>(withName, 'an analysis status with a name')),
    })
    // JSON keeps no undefined: the two times are absent until they happen.
    .transform(({ availableAt, finishedAt, ...status }) => ({ ...status, availableAt, finishedAt })),
);

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
    spec: specColumn.decode(row.spec),
    phase: row.phase,
    message: row.message,
    status: row.status === null ? null : statusColumn.decode(row.status),
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
        ...(isGiven(filter.cluster) ? { cluster: { name: filter.cluster } } : {}),
        ...(isGiven(filter.namespace) ? { namespace: filter.namespace } : {}),
        ...(isGiven(filter.rollout) ? { rollout: { name: filter.rollout } } : {}),
        ...(isGiven(filter.name) ? { name: filter.name } : {}),
        ...(isGiven(filter.phase) ? { phase: filter.phase } : {}),
      },
      include: EXPERIMENT_INCLUDE,
      orderBy: { id: 'desc' },
      ...windowArguments(window),
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

import { listedRuns, type RunHistoryLimits } from '@flotilla/analysis';
import type { AnalysisTemplateSpec } from '@flotilla/argo-spec';
import type { DatabaseClient } from '../database/database.js';
import { isGiven, placementWhere, windowArguments, type PageWindow, type PlacementFilter } from '../database/page-window.js';
import type { Prisma } from '../generated/prisma/client.js';
import { organizationFilter, type OrganizationScope, type SystemScope } from '../scope/scope.js';
import {
  pooledClustersColumn,
  runSpecColumn,
  templateAnnotationsColumn,
  templateSpecColumn,
  type RunSpecDocument,
} from './analysis-run-columns.js';

/** A template as the API shows it. */
export interface TemplateRecord {
  id: string;
  name: string;
  version: number;
  spec: AnalysisTemplateSpec;
  annotations: Record<string, string>;
  updatedAt: Date;
}

export interface AnalysisTemplateRecord extends TemplateRecord {
  /** Name of its cluster. */
  cluster: string;
  namespace: string;
}

export interface MeasurementRecord {
  metricName: string;
  index: number;
  /** In a pooled run: the cluster whose agent took this part; null for the pooled measurement itself and single-cluster runs. */
  cluster: string | null;
  phase: string;
  value: string | null;
  message: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

/** A run with every measurement kept, by metric and index. */
export interface AnalysisRunRecord {
  id: string;
  /** Name of its cluster; null for a pooled run. */
  cluster: string | null;
  /** The clusters it measures in: its own, or every cluster of a pooled run, by name. */
  clusters: string[];
  namespace: string;
  name: string;
  kind: string;
  /** Name of the rollout it analyses, in the same cluster and namespace; null for a standalone experiment's run or a pooled run. */
  rollout: string | null;
  /** Name of the experiment that started it, in the same cluster and namespace; null when none did. */
  experiment: string | null;
  revision: number | null;
  phase: string;
  message: string;
  spec: RunSpecDocument;
  startedAt: Date;
  finishedAt: Date | null;
  measurements: MeasurementRecord[];
}

/** Runs by cluster, namespace, rollout, name and phase, and by the revision they analysed. */
export interface AnalysisRunFilter extends PlacementFilter {
  revision?: number | null;
}

/** A measurement an agent was asked for and has not answered, with its run. */
export interface AgentMeasurementInFlight {
  metricName: string;
  index: number;
  startedAt: Date;
  run: { id: string; name: string; namespace: string; spec: RunSpecDocument };
}

const RUN_INCLUDE = {
  cluster: { select: { name: true } },
  rollout: { select: { name: true } },
  experiment: { select: { name: true } },
  measurements: {
    select: { metricName: true, index: true, cluster: true, phase: true, value: true, message: true, startedAt: true, finishedAt: true },
    orderBy: [{ metricName: 'asc' }, { index: 'asc' }, { cluster: { sort: 'asc', nulls: 'first' } }],
  },
} satisfies Prisma.AnalysisRunInclude;

type RunRow = Prisma.AnalysisRunGetPayload<{ include: typeof RUN_INCLUDE }>;

function toRunRecord(row: RunRow): AnalysisRunRecord {
  const cluster = row.cluster?.name ?? null;
  return {
    id: row.id,
    cluster,
    clusters:
      cluster === null && row.pooledClusters !== null
        ? pooledClustersColumn.decode(row.pooledClusters).map(({ name }) => name)
        : cluster === null
          ? []
          : [cluster],
    namespace: row.namespace,
    name: row.name,
    kind: row.kind,
    rollout: row.rollout?.name ?? null,
    experiment: row.experiment?.name ?? null,
    revision: row.revision,
    phase: row.phase,
    message: row.message,
    spec: runSpecColumn.decode(row.spec),
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    measurements: row.measurements,
  };
}

function toTemplateRecord(row: {
  id: string;
  name: string;
  version: number;
  spec: Prisma.JsonValue;
  annotations: Prisma.JsonValue;
  updatedAt: Date;
}): TemplateRecord {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    spec: templateSpecColumn.decode(row.spec),
    annotations: templateAnnotationsColumn.decode(row.annotations),
    updatedAt: row.updatedAt,
  };
}

/**
 * What the API reads of analysis: templates, and runs with their measurements, always within the caller's
 * organization; and, for the agent gateway acting for a cluster, the runs and measurements of that cluster.
 */
export class AnalysisQueries {
  constructor(private readonly database: DatabaseClient) {}

  /** AnalysisTemplates, optionally of one cluster (by name) and namespace. */
  async analysisTemplates(
    scope: OrganizationScope,
    filter: { cluster?: string | undefined; namespace?: string | undefined },
  ): Promise<AnalysisTemplateRecord[]> {
    const rows = await this.database.analysisTemplate.findMany({
      where: {
        ...organizationFilter(scope),
        ...(isGiven(filter.cluster) ? { cluster: { name: filter.cluster } } : {}),
        ...(isGiven(filter.namespace) ? { namespace: filter.namespace } : {}),
      },
      include: { cluster: { select: { name: true } } },
      orderBy: [{ clusterId: 'asc' }, { namespace: 'asc' }, { name: 'asc' }],
    });
    return rows.map((row) => ({ ...toTemplateRecord(row), cluster: row.cluster.name, namespace: row.namespace }));
  }

  /** The organization's ClusterAnalysisTemplates, by name. */
  async clusterAnalysisTemplates(scope: OrganizationScope): Promise<TemplateRecord[]> {
    const rows = await this.database.clusterAnalysisTemplate.findMany({ where: organizationFilter(scope), orderBy: { name: 'asc' } });
    return rows.map(toTemplateRecord);
  }

  /** Runs with their measurements, newest first. */
  async analysisRuns(scope: OrganizationScope, filter: AnalysisRunFilter, window: PageWindow): Promise<AnalysisRunRecord[]> {
    const rows = await this.database.analysisRun.findMany({
      where: {
        ...organizationFilter(scope),
        clusterId: { not: null },
        ...placementWhere(filter),
        ...(isGiven(filter.revision) ? { revision: filter.revision } : {}),
      },
      include: RUN_INCLUDE,
      orderBy: { id: 'desc' },
      ...windowArguments(window),
    });
    return rows.map(toRunRecord);
  }

  /**
   * The runs a rollout lists, newest first, with their measurements: every run not finished, and the newest of its
   * finished runs within its history limits (`listedRuns`). The others stay queryable through `analysisRuns`.
   */
  async analysisRunsOfRollout(scope: OrganizationScope, rolloutId: string, limits: RunHistoryLimits): Promise<AnalysisRunRecord[]> {
    const phases = await this.database.analysisRun.findMany({
      where: { ...organizationFilter(scope), rolloutId },
      select: { id: true, phase: true },
      orderBy: { id: 'desc' },
    });
    const rows = await this.database.analysisRun.findMany({
      where: { ...organizationFilter(scope), id: { in: listedRuns(phases, limits).map((run) => run.id) } },
      include: RUN_INCLUDE,
      orderBy: { id: 'desc' },
    });
    return rows.map(toRunRecord);
  }

  /**
   * The analysis runs of a fleet release's waves (pooled, or each cluster's own), with their measurements: a pooled
   * run's each cluster's part as well as the pooled measurement. In the order they were made.
   */
  async analysisRunsOfFleetRelease(scope: OrganizationScope, fleetReleaseId: string): Promise<AnalysisRunRecord[]> {
    const rows = await this.database.analysisRun.findMany({
      where: { ...organizationFilter(scope), fleetReleaseId },
      include: RUN_INCLUDE,
      orderBy: { id: 'asc' },
    });
    return rows.map(toRunRecord);
  }

  /** The runs an experiment started, with their measurements, in the order they started. */
  async analysisRunsOfExperiment(scope: OrganizationScope, experimentId: string): Promise<AnalysisRunRecord[]> {
    const rows = await this.database.analysisRun.findMany({
      where: { ...organizationFilter(scope), experimentId },
      include: RUN_INCLUDE,
      orderBy: { id: 'asc' },
    });
    return rows.map(toRunRecord);
  }

  /**
   * Whether the run is one of the cluster's, or a pooled run measured in it: an agent may answer only for its own
   * cluster.
   */
  async isRunOfCluster(_scope: SystemScope, runId: string, clusterId: string): Promise<boolean> {
    const run = await this.database.analysisRun.findFirst({
      where: { id: runId, OR: [{ clusterId }, { clusterId: null, pooledClusters: { array_contains: [{ id: clusterId }] } }] },
      select: { id: true },
    });
    return run !== null;
  }

  /** The measurements the cluster's agent was asked for and has not answered, of runs still Running, by run and metric. */
  async agentMeasurementsInFlight(_scope: SystemScope, clusterId: string): Promise<AgentMeasurementInFlight[]> {
    const rows = await this.database.measurement.findMany({
      where: { phase: 'Running', takenBy: 'agent', analysisRun: { clusterId, phase: 'Running' } },
      select: {
        metricName: true,
        index: true,
        startedAt: true,
        analysisRun: { select: { id: true, name: true, namespace: true, spec: true } },
      },
      orderBy: [{ analysisRunId: 'asc' }, { metricName: 'asc' }],
    });
    return rows.map(({ analysisRun: run, ...measurement }) => ({ ...measurement, run: { ...run, spec: runSpecColumn.decode(run.spec) } }));
  }
}

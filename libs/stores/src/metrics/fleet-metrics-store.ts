import type { DryRun, RolloutStrategy } from '@flotilla/argo-spec';
import type { RolloutCondition } from '@flotilla/rollout-engine';
import type { PreparedStatement, SqlSession } from '../database/sql.js';
import type { SystemScope } from '../scope/scope.js';

/** Where an object lives: its organization's and cluster's names, its namespace and name. */
export interface MetricPlacement {
  organization: string;
  /** Empty for a pooled analysis run, which measures in several clusters. */
  cluster: string;
  namespace: string;
  name: string;
}

export interface RolloutMetricRow extends MetricPlacement {
  strategy: RolloutStrategy;
  conditions: Pick<RolloutCondition, 'type' | 'reason'>[];
  desiredReplicas: number;
  replicas: number;
  availableReplicas: number;
  updatedReplicas: number;
}

export interface AnalysisRunMetricRow extends MetricPlacement {
  phase: string;
  /** The metrics of the run as it resolved them: empty before the run started. */
  metrics: { name: string; provider: Record<string, unknown> }[];
  dryRun: DryRun[];
  /** The phase of each metric measured so far. */
  metricPhases: { name: string; phase: string }[];
}

export interface ExperimentMetricRow extends MetricPlacement {
  phase: string;
}

/** An analysis run or experiment finished longer ago than this is history and no longer shown in metrics. */
export const METRICS_HISTORY_WINDOW_MINUTES = 60;

const PLACEMENT = `o.name AS organization, COALESCE(c.name, '') AS cluster, t.namespace, t.name`;
const JOINS = (table: string): string =>
  `FROM "${table}" t JOIN "Organization" o ON o.id = t."organizationId" LEFT JOIN "Cluster" c ON c.id = t."clusterId"`;

const ROLLOUT_METRICS: PreparedStatement = {
  name: 'metrics-rollouts',
  text: `SELECT ${PLACEMENT}, COALESCE(t.spec->'strategy', '{}'::jsonb) AS strategy,
    COALESCE(t.status->'conditions', '[]'::jsonb) AS conditions,
    COALESCE((t.spec->>'replicas')::int, 1) AS "desiredReplicas",
    COALESCE((t.status->>'replicas')::int, 0) AS replicas,
    COALESCE((t.status->>'availableReplicas')::int, 0) AS "availableReplicas",
    COALESCE((t.status->>'updatedReplicas')::int, 0) AS "updatedReplicas"
  ${JOINS('Rollout')} ORDER BY t.id LIMIT $1`,
};

const ANALYSIS_RUN_METRICS: PreparedStatement = {
  name: 'metrics-analysis-runs',
  text: `SELECT ${PLACEMENT}, t.phase,
    COALESCE((SELECT jsonb_agg(jsonb_build_object('name', m->>'name', 'provider', m->'provider'))
      FROM jsonb_array_elements(t.spec->'resolved'->'spec'->'metrics') m), '[]'::jsonb) AS metrics,
    COALESCE(t.spec->'resolved'->'spec'->'dryRun', '[]'::jsonb) AS "dryRun",
    COALESCE((SELECT jsonb_agg(jsonb_build_object('name', r->>'name', 'phase', r->>'phase'))
      FROM jsonb_array_elements(t."metricResults"->'results') r), '[]'::jsonb) AS "metricPhases"
  ${JOINS('AnalysisRun')}
  WHERE t."finishedAt" IS NULL OR t."finishedAt" > now() - make_interval(mins => $2::int)
  ORDER BY t.id DESC LIMIT $1`,
};

const EXPERIMENT_METRICS: PreparedStatement = {
  name: 'metrics-experiments',
  text: `SELECT ${PLACEMENT}, t.phase ${JOINS('Experiment')}
  WHERE t."releasedAt" IS NULL OR t."updatedAt" > now() - make_interval(mins => $2::int)
  ORDER BY t.id DESC LIMIT $1`,
};

/**
 * What the controller metrics show of rollouts, analysis runs and experiments across organizations: one bounded
 * query per family, reading only the columns and JSON paths the metrics label.
 */
export class FleetMetricsStore {
  constructor(private readonly sql: SqlSession) {}

  rollouts(_scope: SystemScope, limit: number): Promise<RolloutMetricRow[]> {
    return this.sql.query<RolloutMetricRow>(ROLLOUT_METRICS, [limit]);
  }

  /** Runs under way and those finished within the history window, newest first. */
  analysisRuns(_scope: SystemScope, limit: number): Promise<AnalysisRunMetricRow[]> {
    return this.sql.query<AnalysisRunMetricRow>(ANALYSIS_RUN_METRICS, [limit, METRICS_HISTORY_WINDOW_MINUTES]);
  }

  /** Experiments still in their cluster and those changed within the history window, newest first. */
  experiments(_scope: SystemScope, limit: number): Promise<ExperimentMetricRow[]> {
    return this.sql.query<ExperimentMetricRow>(EXPERIMENT_METRICS, [limit, METRICS_HISTORY_WINDOW_MINUTES]);
  }
}

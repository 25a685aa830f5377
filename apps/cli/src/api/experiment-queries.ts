import type { AnalysisRunSummary, RolloutRef } from './queries.js';

/** GraphQL documents of experiments, with the shapes they read back (see apps/api/schema.gql). */

/** One template of an experiment and the counts of its ReplicaSet, as the experiment last saw them. */
export interface ExperimentTemplateRow {
  name: string;
  status: string;
  message: string;
  podTemplateHash: string;
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
}

/** The fields `list experiments` shows. */
export interface ExperimentRow extends RolloutRef {
  rollout: string | null;
  phase: string;
  message: string;
  /** The spec as applied; its `duration` and templates are read from it. */
  spec: unknown;
  availableAt: string | null;
  finishedAt: string | null;
  createdAt: string;
}

/** Everything `get experiment` draws. */
export interface ExperimentDetail extends ExperimentRow {
  templates: ExperimentTemplateRow[];
  analysisRuns: AnalysisRunSummary[];
}

const EXPERIMENT_ROW_FIELDS = 'cluster namespace name rollout phase message spec availableAt finishedAt createdAt';

export const EXPERIMENTS = `query($filter: ExperimentFilter, $page: PageInput) {
  experiments(filter: $filter, page: $page) { nodes { ${EXPERIMENT_ROW_FIELDS} } pageInfo { endCursor hasNextPage } }
}`;

export const EXPERIMENT = `query($cluster: String!, $namespace: String!, $name: String!) {
  experiment(cluster: $cluster, namespace: $namespace, name: $name) {
    ${EXPERIMENT_ROW_FIELDS}
    templates { name status message podTemplateHash replicas readyReplicas availableReplicas }
    analysisRuns { name kind phase message revision startedAt finishedAt measurements { metricName phase } }
  }
}`;

export interface ExperimentFilter {
  cluster?: string;
  namespace?: string;
  name?: string;
}

/** The mutation of an operation on one experiment (`terminateExperiment`, `retryExperiment`). */
export const experimentOperationMutation = (field: 'terminateExperiment' | 'retryExperiment'): string =>
  `mutation($cluster: String!, $namespace: String!, $name: String!, $reason: String) {
  experiment: ${field}(cluster: $cluster, namespace: $namespace, name: $name, reason: $reason) { ${EXPERIMENT_ROW_FIELDS} }
}`;

import type { AnalysisRunSummary } from './queries.js';

/** GraphQL documents of analysis runs themselves, with the shapes they read back (see apps/api/schema.gql). */

/** Where a run is; `cluster` is null for a fleet wave's pooled run. */
export interface AnalysisRunPlace {
  cluster: string | null;
  namespace: string;
  name: string;
}

export const ANALYSIS_RUN_PLACES = `query($filter: AnalysisRunFilter, $page: PageInput) {
  analysisRuns(filter: $filter, page: $page) { nodes { cluster namespace name } pageInfo { endCursor hasNextPage } }
}`;

export type TerminatedRun = AnalysisRunSummary & AnalysisRunPlace;

export const TERMINATE_ANALYSIS_RUN = `mutation($cluster: String!, $namespace: String!, $name: String!, $reason: String) {
  run: terminateAnalysisRun(cluster: $cluster, namespace: $namespace, name: $name, reason: $reason) {
    cluster namespace name kind phase message revision startedAt finishedAt measurements { metricName phase }
  }
}`;

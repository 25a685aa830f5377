import { useEffect } from 'react';
import { ANALYSIS_RUNS, type RolloutRef } from '../api/documents.js';
import { useGraphqlQuery, useInterval } from '../api/use-graphql.js';
import { isActivePhase } from '../shared/phase.js';
import { RequestError } from '../shared/request-error.js';
import { AnalysisRunView } from './analysis-run-view.js';

const RUNNING_REFRESH_MS = 2_000;

/**
 * The analysis runs a rollout lists (within its run history limits), newest first, each with its measurement chart;
 * refreshed while any is running.
 */
export function AnalysisRuns({ rollout, changeCount }: { rollout: RolloutRef; changeCount: number }) {
  const query = useGraphqlQuery(ANALYSIS_RUNS, {
    cluster: rollout.cluster,
    namespace: rollout.namespace,
    name: rollout.name,
  });
  const { reload } = query;
  const runs = query.data?.rollout.analysisRuns ?? [];
  useEffect(() => {
    if (changeCount > 0) reload();
  }, [changeCount, reload]);
  // Measurements arrive without a rollout change, and the API has no subscription for them.
  useInterval(
    reload,
    RUNNING_REFRESH_MS,
    runs.some((run) => isActivePhase(run.phase)),
  );

  return (
    <section className="card" aria-labelledby="analysis-title">
      <h2 id="analysis-title">Analysis</h2>
      <RequestError error={query.error} what="the analysis runs" />
      {query.data && runs.length === 0 ? <p className="muted">No analysis has run for this rollout.</p> : null}
      {runs.map((run) => (
        <AnalysisRunView key={run.id} run={run} page={{ cluster: rollout.cluster, namespace: rollout.namespace, name: run.name }} />
      ))}
    </section>
  );
}

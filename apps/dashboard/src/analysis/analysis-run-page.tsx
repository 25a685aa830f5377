import { ANALYSIS_RUN_DETAIL } from '../api/documents.js';
import { useGraphqlQuery, useInterval } from '../api/use-graphql.js';
import { Link } from '../routing/router.js';
import type { NamespacedRef } from '../routing/routes.js';
import { PhaseBadge } from '../shared/phase-badge.js';
import { isActivePhase } from '../shared/phase.js';
import { RequestError } from '../shared/request-error.js';
import { AnalysisRunView } from './analysis-run-view.js';

const RUNNING_REFRESH_MS = 2_000;

/** One analysis run: its metrics, measurements and chart, and the rollout or experiment it belongs to; refreshed while it runs. */
export function AnalysisRunPage({ runRef }: { runRef: NamespacedRef }) {
  const query = useGraphqlQuery(ANALYSIS_RUN_DETAIL, runRef);
  const run = query.data?.analysisRuns.nodes[0];
  // Measurements arrive without an event the API publishes.
  useInterval(query.reload, RUNNING_REFRESH_MS, run !== undefined && isActivePhase(run.phase));

  const title = (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <Link to={{ page: 'overview' }}>Overview</Link> / {runRef.cluster} / {runRef.namespace} / analysis runs /
    </nav>
  );
  if (!run) {
    return (
      <>
        {title}
        <h1>{runRef.name}</h1>
        {query.error ? <RequestError error={query.error} what="the analysis run" /> : null}
        {query.data ? <p>No analysis run of this name is kept in {`${runRef.cluster}/${runRef.namespace}`}.</p> : null}
        {!query.data && !query.error ? <p>Loading…</p> : null}
      </>
    );
  }
  const place = { cluster: runRef.cluster, namespace: runRef.namespace };
  return (
    <>
      {title}
      <div className="page-title">
        <h1>{run.name}</h1>
        <span data-testid="analysis-run-phase">
          <PhaseBadge phase={run.phase} />
        </span>
      </div>
      <RequestError error={query.error} what="the latest state" />
      <dl className="facts">
        <div>
          <dt>Rollout</dt>
          <dd data-testid="analysis-run-rollout">
            {run.rollout ? <Link to={{ page: 'rollout', rollout: { ...place, name: run.rollout } }}>{run.rollout}</Link> : '—'}
          </dd>
        </div>
        {run.experiment ? (
          <div>
            <dt>Experiment</dt>
            <dd>
              <Link to={{ page: 'experiment', experiment: { ...place, name: run.experiment } }}>{run.experiment}</Link>
            </dd>
          </div>
        ) : null}
      </dl>
      <section className="card">
        <AnalysisRunView run={run} measurementsOpen />
      </section>
    </>
  );
}

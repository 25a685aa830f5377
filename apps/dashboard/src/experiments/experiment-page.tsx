import { EXPERIMENT_DETAIL } from '../api/documents.js';
import { useGraphqlQuery, useInterval } from '../api/use-graphql.js';
import { Link } from '../routing/router.js';
import type { NamespacedRef } from '../routing/routes.js';
import { isActivePhase } from '../shared/phase.js';
import { RequestError } from '../shared/request-error.js';
import { ExperimentView } from './experiment-view.js';

const RUNNING_REFRESH_MS = 2_000;

/** One experiment, standalone or of a rollout's step: its templates' ReplicaSets, analyses and phase; refreshed while it runs. */
export function ExperimentPage({ experimentRef }: { experimentRef: NamespacedRef }) {
  const query = useGraphqlQuery(EXPERIMENT_DETAIL, experimentRef);
  const experiment = query.data?.experiment;
  // Template pods and analyses move without an event the API publishes.
  useInterval(query.reload, RUNNING_REFRESH_MS, experiment !== undefined && isActivePhase(experiment.phase));

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to={{ page: 'overview' }}>Overview</Link> / {experimentRef.cluster} / {experimentRef.namespace} / experiments /
      </nav>
      <h1>{experimentRef.name}</h1>
      <RequestError error={query.error} what="the experiment" />
      {!experiment && !query.error ? <p>Loading…</p> : null}
      {experiment ? (
        <>
          <p data-testid="experiment-rollout">
            {experiment.rollout ? (
              <>
                Started by a step of the rollout{' '}
                <Link
                  to={{
                    page: 'rollout',
                    rollout: { cluster: experiment.cluster, namespace: experiment.namespace, name: experiment.rollout },
                  }}
                >
                  {experiment.rollout}
                </Link>
                .
              </>
            ) : (
              'A standalone experiment.'
            )}
          </p>
          <section className="card">
            <ExperimentView experiment={experiment} revisions={[]} />
          </section>
        </>
      ) : null}
    </>
  );
}

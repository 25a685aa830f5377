import { useEffect } from 'react';
import { EXPERIMENTS, type RolloutRef, type RolloutRevision } from '../api/documents.js';
import { useGraphqlQuery, useInterval } from '../api/use-graphql.js';
import { isActivePhase } from '../shared/phase.js';
import { RequestError } from '../shared/request-error.js';
import { ExperimentView } from './experiment-view.js';

const RUNNING_REFRESH_MS = 2_000;

/**
 * The experiments the rollout's experiment steps started that it lists (within its run history limits), newest first,
 * with their templates and analyses; refreshed while any is running, and left out for a rollout that never had one.
 */
export function Experiments({
  rollout,
  revisions,
  changeCount,
}: {
  rollout: RolloutRef;
  revisions: RolloutRevision[];
  changeCount: number;
}) {
  const query = useGraphqlQuery(EXPERIMENTS, {
    cluster: rollout.cluster,
    namespace: rollout.namespace,
    name: rollout.name,
  });
  const { reload } = query;
  const experiments = query.data?.rollout.experiments ?? [];
  useEffect(() => {
    if (changeCount > 0) reload();
  }, [changeCount, reload]);
  // Template pods and analyses move without a rollout change, and the API has no subscription for them.
  useInterval(
    reload,
    RUNNING_REFRESH_MS,
    experiments.some((experiment) => isActivePhase(experiment.phase)),
  );

  if (experiments.length === 0 && !query.error) return null;
  return (
    <section className="card" aria-labelledby="experiments-title">
      <h2 id="experiments-title">Experiments</h2>
      <RequestError error={query.error} what="the experiments" />
      {experiments.map((experiment) => (
        <ExperimentView key={experiment.id} experiment={experiment} revisions={revisions} headingLinks />
      ))}
    </section>
  );
}

import { OVERVIEW_EXPERIMENT_LIMIT, RECENT_EXPERIMENTS } from '../api/documents.js';
import { useGraphqlQuery, useInterval } from '../api/use-graphql.js';
import { experimentRef } from '../experiments/experiment-view.js';
import { Link } from '../routing/router.js';
import { PhaseBadge } from '../shared/phase-badge.js';
import { isActivePhase } from '../shared/phase.js';
import { RequestError } from '../shared/request-error.js';
import { TimeAgo } from '../shared/time-cell.js';
import { useNow } from '../shared/use-now.js';
import { ColumnHeads } from '../shared/column-heads.js';

const RUNNING_REFRESH_MS = 5_000;

/**
 * The standalone experiments among the newest of every cluster, each linked to its page; those of rollout steps are
 * on their rollout's page. Left out when there is none.
 */
export function StandaloneExperiments() {
  const query = useGraphqlQuery(RECENT_EXPERIMENTS, { first: OVERVIEW_EXPERIMENT_LIMIT });
  const experiments = (query.data?.experiments.nodes ?? []).filter((experiment) => experiment.rollout === null);
  useInterval(
    query.reload,
    RUNNING_REFRESH_MS,
    experiments.some((experiment) => isActivePhase(experiment.phase)),
  );
  const now = useNow();

  if (experiments.length === 0) return <RequestError error={query.error} what="the experiments" />;
  return (
    <section className="card" aria-labelledby="standalone-experiments-title">
      <h2 id="standalone-experiments-title">Standalone experiments</h2>
      <RequestError error={query.error} what="the experiments" />
      <table>
        <ColumnHeads names={['Experiment', 'Cluster', 'Namespace', 'Phase', 'Started']} />
        <tbody>
          {experiments.map((experiment) => (
            <tr key={experiment.id} data-standalone-experiment={`${experiment.cluster}/${experiment.namespace}/${experiment.name}`}>
              <th scope="row">
                <Link to={{ page: 'experiment', experiment: experimentRef(experiment) }}>{experiment.name}</Link>
              </th>
              <td>{experiment.cluster}</td>
              <td>{experiment.namespace}</td>
              <td>
                <PhaseBadge phase={experiment.phase} />
                {experiment.message ? <div className="muted">{experiment.message}</div> : null}
              </td>
              <td>
                <TimeAgo iso={experiment.createdAt} now={now} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { CLUSTERS, ROLLOUT_CHANGED, ROLLOUTS, type Cluster, type RolloutSummary } from '../api/documents.js';
import type { ResultOf } from '../api/graphql.js';
import { useGraphqlQuery, useInterval, useSubscription } from '../api/use-graphql.js';
import { FreezeOutlook } from '../freezes/freeze-outlook.js';
import { Link } from '../routing/router.js';
import { PhaseBadge } from '../shared/phase-badge.js';
import { phaseLook, ROLLOUT_PHASES } from '../shared/phase.js';
import { RequestError } from '../shared/request-error.js';
import { TimeAgo } from '../shared/time-cell.js';
import { useNow } from '../shared/use-now.js';
import { StandaloneExperiments } from './standalone-experiments.js';
import {
  countByPhase,
  matchesFilter,
  NO_FILTER,
  parseLabelSelector,
  sortsAfterPage,
  withChangedRollout,
  type RolloutFilter,
} from './rollout-filter.js';
import { ColumnHeads } from '../shared/column-heads.js';

const ROLLOUT_PAGE_SIZE = 500;
const CLUSTER_REFRESH_MS = 10_000;

/** Every cluster with its agent, and every rollout of the organization by phase, live. */
export function OverviewPage() {
  const clusters = useGraphqlQuery(CLUSTERS, {});
  useInterval(clusters.reload, CLUSTER_REFRESH_MS);
  return (
    <>
      <h1>Overview</h1>
      <RequestError error={clusters.error} what="the clusters" />
      {clusters.data ? <ClusterTable clusters={clusters.data.clusters} /> : null}
      <FreezeOutlook />
      <AllRollouts clusters={clusters.data?.clusters} />
      <StandaloneExperiments />
    </>
  );
}

/**
 * The first page of the rollouts of every cluster, patched in place by `rolloutChanged` events; loaded again for a
 * rollout it lacks unless that rollout sorts after its end.
 */
function AllRollouts({ clusters }: { clusters: Cluster[] | undefined }) {
  const query = useGraphqlQuery(ROLLOUTS, { page: { first: ROLLOUT_PAGE_SIZE } });
  const [rollouts, setRollouts] = useState<RolloutSummary[]>([]);
  const { data, reload } = query;
  const clusterIds = useMemo(() => new Map(clusters?.map(({ name, id }) => [name, id])), [clusters]);
  const shown = { page: { rollouts, hasNextPage: data?.rollouts.pageInfo.hasNextPage ?? false }, clusterIds };
  const latest = useRef(shown);
  latest.current = shown;
  useEffect(() => {
    if (data) setRollouts(data.rollouts.nodes);
  }, [data]);

  const onRolloutChanged = useCallback(
    ({ rolloutChanged }: ResultOf<typeof ROLLOUT_CHANGED>) => {
      const { page, clusterIds: idsByName } = latest.current;
      const patched = withChangedRollout(page.rollouts, rolloutChanged);
      if (patched) setRollouts(patched);
      else if (!sortsAfterPage(rolloutChanged, page, idsByName)) reload();
    },
    [reload],
  );
  useSubscription(ROLLOUT_CHANGED, {}, onRolloutChanged);

  if (query.error) return <RequestError error={query.error} what="the rollouts" />;
  if (!data) return <p>Loading rollouts…</p>;
  return <RolloutOverview rollouts={rollouts} truncated={data.rollouts.pageInfo.hasNextPage} />;
}

function ClusterTable({ clusters }: { clusters: Cluster[] }) {
  const now = useNow();
  return (
    <section className="card" aria-labelledby="clusters-title">
      <h2 id="clusters-title">Clusters</h2>
      {clusters.length === 0 ? (
        <p className="muted">No cluster is registered yet.</p>
      ) : (
        <table>
          <ColumnHeads names={['Cluster', 'Agent', 'Agent version', 'Kubernetes', 'Last heartbeat', 'Labels']} />
          <tbody>
            {clusters.map((cluster) => (
              <tr key={cluster.name} data-cluster={cluster.name}>
                <th scope="row">{cluster.name}</th>
                <td>
                  <PhaseBadge phase={cluster.connectionState} />
                </td>
                <td>{cluster.agentVersion ?? <span className="muted">—</span>}</td>
                <td>{cluster.kubernetesVersion ?? <span className="muted">—</span>}</td>
                <td>
                  <TimeAgo iso={cluster.lastHeartbeatAt} now={now} />
                </td>
                <td>
                  <Labels labels={cluster.labels} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Labels({ labels }: { labels: Record<string, unknown> }) {
  const entries = Object.entries(labels);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <span className="labels">
      {entries.map(([key, value]) => (
        <code key={key} className="label">
          {key}={String(value)}
        </code>
      ))}
    </span>
  );
}

const distinct = (values: string[]): string[] => [...new Set(values)].sort();

function FilterSelect({
  id,
  label,
  value,
  options,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  options: readonly string[];
  onChange: (event: { target: { value: string } }) => void;
}) {
  return (
    <div className="filter">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={onChange}>
        <option value="">All</option>
        {options.map((option) => (
          <option key={option}>{option}</option>
        ))}
      </select>
    </div>
  );
}

function RolloutOverview({ rollouts, truncated }: { rollouts: RolloutSummary[]; truncated: boolean }) {
  const [filter, setFilter] = useState<RolloutFilter>(NO_FILTER);
  const now = useNow();
  const counts = countByPhase(rollouts);
  const shown = rollouts.filter((rollout) => matchesFilter(rollout, filter));
  const labelsReadable = parseLabelSelector(filter.labels) !== undefined;
  const update = (field: keyof RolloutFilter) => (event: { target: { value: string } }) =>
    setFilter({ ...filter, [field]: event.target.value });

  return (
    <section className="card" aria-labelledby="rollouts-title">
      <h2 id="rollouts-title">Rollouts</h2>
      <ul className="phase-counts" aria-label="Rollouts by phase">
        {ROLLOUT_PHASES.map((phase) => (
          <li key={phase}>
            <button
              type="button"
              className={`phase-count tone-${phaseLook(phase).tone}`}
              aria-pressed={filter.phase === phase}
              onClick={() => setFilter({ ...filter, phase: filter.phase === phase ? '' : phase })}
              data-phase-count={phase}
            >
              <span className="count">{counts[phase] ?? 0}</span>
              <span>
                <span aria-hidden="true">{phaseLook(phase).symbol}</span> {phase}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Filter rollouts">
        <FilterSelect
          id="filter-cluster"
          label="Cluster"
          value={filter.cluster}
          options={distinct(rollouts.map((rollout) => rollout.cluster))}
          onChange={update('cluster')}
        />
        <FilterSelect
          id="filter-namespace"
          label="Namespace"
          value={filter.namespace}
          options={distinct(rollouts.map((rollout) => rollout.namespace))}
          onChange={update('namespace')}
        />
        <FilterSelect id="filter-phase" label="Phase" value={filter.phase} options={ROLLOUT_PHASES} onChange={update('phase')} />
        <div className="filter">
          <label htmlFor="filter-labels">Labels</label>
          <input
            id="filter-labels"
            value={filter.labels}
            onChange={update('labels')}
            placeholder="app=checkout,tier"
            aria-invalid={labelsReadable ? undefined : true}
            spellCheck={false}
          />
        </div>
        <button type="button" onClick={() => setFilter(NO_FILTER)} disabled={filter === NO_FILTER}>
          Clear
        </button>
      </form>
      {labelsReadable ? null : (
        <p className="error">
          Labels are read as <code>key=value</code> or <code>key</code>, separated by commas.
        </p>
      )}
      {truncated ? <p className="notice">Showing the first {ROLLOUT_PAGE_SIZE} rollouts of the organization.</p> : null}
      <p className="muted" aria-live="polite">
        {shown.length} of {rollouts.length} rollouts
      </p>
      <table>
        <ColumnHeads names={['Rollout', 'Cluster', 'Namespace', 'Phase', 'Strategy', 'Step', 'Images', 'Updated']} />
        <tbody>
          {shown.map((rollout) => (
            <tr
              key={`${rollout.cluster}/${rollout.namespace}/${rollout.name}`}
              data-rollout={`${rollout.cluster}/${rollout.namespace}/${rollout.name}`}
            >
              <th scope="row">
                <Link to={{ page: 'rollout', rollout }}>{rollout.name}</Link>
              </th>
              <td>{rollout.cluster}</td>
              <td>{rollout.namespace}</td>
              <td>
                <PhaseBadge phase={rollout.phase} />
              </td>
              <td>{rollout.strategy === 'BlueGreen' ? 'Blue-green' : 'Canary'}</td>
              <td>
                {rollout.strategy === 'Canary' ? `${Math.min(rollout.currentStepIndex ?? 0, rollout.stepCount)}/${rollout.stepCount}` : '—'}
              </td>
              <td className="images">{rollout.images.join(', ')}</td>
              <td>
                <TimeAgo iso={rollout.updatedAt} now={now} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

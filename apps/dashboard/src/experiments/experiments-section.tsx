import { useEffect } from 'react';
import { EXPERIMENTS, type Experiment, type RolloutRef, type RolloutRevision } from '../api/documents.js';
import { useGraphqlQuery, useInterval } from '../api/use-graphql.js';
import { PhaseBadge } from '../shared/phase-badge.js';
import { isActivePhase } from '../shared/phase.js';
import { RequestError } from '../shared/request-error.js';
import { formatTime } from '../shared/time.js';
import { analysisRows, experimentMoments, experimentOrigin } from './experiment-facts.js';

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
        <ExperimentView key={experiment.id} experiment={experiment} revisions={revisions} />
      ))}
    </section>
  );
}

function ExperimentView({ experiment, revisions }: { experiment: Experiment; revisions: RolloutRevision[] }) {
  const headingId = `experiment-${experiment.id}`;
  const moments = experimentMoments(experiment).map(({ label, iso }) => `${label} ${formatTime(iso)}`);
  return (
    <article className="experiment" aria-labelledby={headingId} data-experiment={experiment.name}>
      <header className="run-header">
        <h3 id={headingId}>{experiment.name}</h3>
        <PhaseBadge phase={experiment.phase} />
        <span className="muted">{[experimentOrigin(experiment, revisions), ...moments].join(' · ')}</span>
      </header>
      {experiment.message ? <p>{experiment.message}</p> : null}
      <TemplateTable experiment={experiment} />
      <AnalysisTable experiment={experiment} />
    </article>
  );
}

function TemplateTable({ experiment }: { experiment: Experiment }) {
  if (experiment.templates.length === 0) return <p className="muted">No template has been started yet.</p>;
  return (
    <table>
      <caption>Templates</caption>
      <thead>
        <tr>
          <th scope="col">Template</th>
          <th scope="col">Status</th>
          <th scope="col">Ready</th>
          <th scope="col">Available</th>
          <th scope="col">Replicas</th>
          <th scope="col">Pod template hash</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {experiment.templates.map((template) => (
          <tr key={template.name} data-template={template.name}>
            <th scope="row">{template.name}</th>
            <td>
              <PhaseBadge phase={template.status} />
            </td>
            <td data-testid="template-ready">{template.readyReplicas}</td>
            <td data-testid="template-available">{template.availableReplicas}</td>
            <td data-testid="template-replicas">{template.replicas}</td>
            <td>
              <code>{template.podTemplateHash}</code>
            </td>
            <td>{template.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AnalysisTable({ experiment }: { experiment: Experiment }) {
  const rows = analysisRows(experiment);
  if (rows.length === 0) return null;
  return (
    <table>
      <caption>Analyses</caption>
      <thead>
        <tr>
          <th scope="col">Analysis</th>
          <th scope="col">Phase</th>
          <th scope="col">Run</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.name} data-analysis={row.name}>
            <th scope="row">{row.name}</th>
            <td>
              <PhaseBadge phase={row.phase} />
            </td>
            <td>{row.runHref ? <a href={row.runHref}>{row.analysisRun}</a> : <code>{row.analysisRun}</code>}</td>
            <td>{row.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

import type { Experiment, RolloutRevision } from '../api/documents.js';
import { Link } from '../routing/router.js';
import type { NamespacedRef } from '../routing/routes.js';
import { PhaseBadge } from '../shared/phase-badge.js';
import { formatTime } from '../shared/time.js';
import { analysisRows, experimentMoments, experimentOrigin } from './experiment-facts.js';
import { ColumnHeads } from '../shared/column-heads.js';

/** Where an experiment's page is. */
export const experimentRef = ({ cluster, namespace, name }: Pick<Experiment, 'cluster' | 'namespace' | 'name'>): NamespacedRef => ({
  cluster,
  namespace,
  name,
});

/**
 * One experiment: phase and message, what started it and when, its templates' ReplicaSets and its analyses, each
 * linked to its run's page; with `headingLinks`, its name links to its own page.
 */
export function ExperimentView({
  experiment,
  revisions,
  headingLinks = false,
}: {
  experiment: Experiment;
  revisions: RolloutRevision[];
  headingLinks?: boolean;
}) {
  const headingId = `experiment-${experiment.id}`;
  const moments = experimentMoments(experiment).map(({ label, iso }) => `${label} ${formatTime(iso)}`);
  return (
    <article className="experiment" aria-labelledby={headingId} data-experiment={experiment.name}>
      <header className="run-header">
        <h3 id={headingId}>
          {headingLinks ? (
            <Link to={{ page: 'experiment', experiment: experimentRef(experiment) }}>{experiment.name}</Link>
          ) : (
            experiment.name
          )}
        </h3>
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
      <ColumnHeads names={['Template', 'Status', 'Ready', 'Available', 'Replicas', 'Pod template hash', 'Message']} />
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
      <ColumnHeads names={['Analysis', 'Phase', 'Run', 'Message']} />
      <tbody>
        {rows.map((row) => (
          <tr key={row.name} data-analysis={row.name}>
            <th scope="row">{row.name}</th>
            <td>
              <PhaseBadge phase={row.phase} />
            </td>
            <td>
              {row.runListed ? (
                <Link
                  to={{
                    page: 'analysis-run',
                    run: { cluster: experiment.cluster, namespace: experiment.namespace, name: row.analysisRun },
                  }}
                >
                  {row.analysisRun}
                </Link>
              ) : (
                <code>{row.analysisRun}</code>
              )}
            </td>
            <td>{row.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

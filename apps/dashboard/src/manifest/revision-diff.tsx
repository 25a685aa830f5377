import { useId, useState } from 'react';
import { REVISION_SPECS, type RevisionChoice, type RolloutRef } from '../api/documents.js';
import { useGraphqlQuery } from '../api/use-graphql.js';
import { RequestError } from '../shared/request-error.js';
import { rolloutManifestYaml, unifiedDiff } from './manifest-text.js';

function RevisionPicker({
  label,
  revisions,
  value,
  onChange,
}: {
  label: string;
  revisions: readonly RevisionChoice[];
  value: number;
  onChange: (revision: number) => void;
}) {
  const id = useId();
  return (
    <span>
      <label htmlFor={id}>{label}</label>{' '}
      <select id={id} value={value} onChange={(event) => onChange(Number(event.target.value))}>
        {revisions.map((revision) => (
          <option key={revision.revision} value={revision.revision}>
            {revision.revision}: {revision.images.join(', ')}
          </option>
        ))}
      </select>
    </span>
  );
}

/** The unified diff between the specs of two revisions, read from the API for just those two. */
function DiffOfRevisions({ rollout, from, to }: { rollout: RolloutRef; from: number; to: number }) {
  const query = useGraphqlQuery(REVISION_SPECS, { rollout, revisions: [from, to] });
  const specOf = (revision: number) => query.data?.rolloutRevisions.find((candidate) => candidate.revision === revision)?.specSnapshot;
  const before = specOf(from);
  const after = specOf(to);
  if (before === undefined || after === undefined)
    return query.error ? <RequestError error={query.error} what="the revisions' specs" /> : <p className="muted">Loading…</p>;
  // A revision keeps its spec only: both sides carry the rollout's name, so that the diff shows what the specs change.
  const names = { name: rollout.name, namespace: rollout.namespace };
  const lines = unifiedDiff(rolloutManifestYaml(names, before), rolloutManifestYaml(names, after));
  if (lines.length === 0)
    return (
      <p className="muted" data-testid="revision-diff-empty">
        Revisions {from} and {to} have the same spec.
      </p>
    );
  return (
    <pre className="code-block diff" data-testid="revision-diff" aria-label={`Diff from revision ${from} to revision ${to}`}>
      {lines.map((line, index) => (
        <span key={index} className={`diff-line diff-${line.kind}`} data-diff-line={line.kind}>
          {line.text}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}

/**
 * Two revisions to pick (from `revisions`, newest first) and the unified diff of their specs: the one before the
 * newest against the newest to begin with; added lines green, removed ones red.
 */
export function RevisionDiff({ rollout, revisions }: { rollout: RolloutRef; revisions: readonly RevisionChoice[] }) {
  const [picked, setPicked] = useState<{ from?: number; to?: number }>({});
  if (revisions.length < 2) return <p className="muted">A diff needs two revisions; this rollout has {revisions.length}.</p>;
  const from = picked.from ?? revisions[1]?.revision ?? 0;
  const to = picked.to ?? revisions[0]?.revision ?? 0;
  return (
    <div className="revision-diff">
      <div className="diff-pickers">
        <RevisionPicker
          label="From revision"
          revisions={revisions}
          value={from}
          onChange={(revision) => setPicked({ from: revision, to })}
        />
        <RevisionPicker label="To revision" revisions={revisions} value={to} onChange={(revision) => setPicked({ from, to: revision })} />
      </div>
      <DiffOfRevisions rollout={rollout} from={from} to={to} />
    </div>
  );
}

import { useId, useState } from 'react';
import type { RevisionSnapshot } from '../api/documents.js';
import { rolloutManifestYaml, unifiedDiff, type ManifestMetadata } from './manifest-text.js';

function RevisionPicker({
  label,
  revisions,
  value,
  onChange,
}: {
  label: string;
  revisions: readonly RevisionSnapshot[];
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

/**
 * The unified diff between the manifests of two revisions (newest first in `revisions`), the one before the newest
 * against the newest to begin with; added lines green, removed ones red.
 */
export function RevisionDiff({ revisions, metadata }: { revisions: readonly RevisionSnapshot[]; metadata: ManifestMetadata }) {
  const [picked, setPicked] = useState<{ from?: number; to?: number }>({});
  if (revisions.length < 2) return <p className="muted">A diff needs two revisions; this rollout has {revisions.length}.</p>;
  const from = picked.from ?? revisions[1]?.revision ?? 0;
  const to = picked.to ?? revisions[0]?.revision ?? 0;
  // A revision keeps its spec only: both sides carry the rollout's name, so that the diff shows what the specs change.
  const manifestOf = (revision: number): string =>
    rolloutManifestYaml(
      { name: metadata.name, namespace: metadata.namespace },
      revisions.find((candidate) => candidate.revision === revision)?.specSnapshot ?? {},
    );
  const lines = unifiedDiff(manifestOf(from), manifestOf(to));
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
      {lines.length === 0 ? (
        <p className="muted" data-testid="revision-diff-empty">
          Revisions {from} and {to} have the same spec.
        </p>
      ) : (
        <pre className="code-block diff" data-testid="revision-diff" aria-label={`Diff from revision ${from} to revision ${to}`}>
          {lines.map((line, index) => (
            <span key={index} className={`diff-line diff-${line.kind}`} data-diff-line={line.kind}>
              {line.text}
              {'\n'}
            </span>
          ))}
        </pre>
      )}
    </div>
  );
}

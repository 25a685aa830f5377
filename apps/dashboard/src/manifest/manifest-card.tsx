import { useEffect } from 'react';
import { ROLLOUT_MANIFESTS, type RolloutRef } from '../api/documents.js';
import { useGraphqlQuery } from '../api/use-graphql.js';
import { RequestError } from '../shared/request-error.js';
import { rolloutManifestYaml } from './manifest-text.js';
import { RevisionDiff } from './revision-diff.js';

/** The rollout's manifest as applied, in YAML, and the diff between the specs of any two of its revisions. */
export function ManifestCard({ rollout, changeCount }: { rollout: RolloutRef; changeCount: number }) {
  const query = useGraphqlQuery(ROLLOUT_MANIFESTS, { ...rollout, rollout });
  const { reload } = query;
  useEffect(() => {
    if (changeCount > 0) reload();
  }, [changeCount, reload]);
  const data = query.data;
  return (
    <section className="card" aria-labelledby="manifest-title">
      <h2 id="manifest-title">Manifest</h2>
      <RequestError error={query.error} what="the manifest" />
      {data ? (
        <>
          <details open>
            <summary>As applied</summary>
            <pre className="code-block" data-testid="rollout-manifest" aria-label="Manifest as applied">
              {rolloutManifestYaml(data.rollout, data.rollout.spec)}
            </pre>
          </details>
          <h3>Revision diff</h3>
          <RevisionDiff rollout={rollout} revisions={data.rolloutRevisions} />
        </>
      ) : null}
    </section>
  );
}

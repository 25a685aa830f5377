import type { RolloutOperation, RolloutRevision } from '../api/documents.js';
import { PhaseBadge } from '../shared/phase-badge.js';
import { TimeAgo } from '../shared/time-cell.js';
import { useNow } from '../shared/use-now.js';
import { ColumnHeads } from '../shared/column-heads.js';

/**
 * Every revision with its ReplicaSet and what that ReplicaSet is to the rollout now, and a roll back to each earlier
 * one (`onRollBack` undefined: the token may not operate).
 */
export function ReleaseHistory({
  revisions,
  rolloutName,
  onRollBack,
}: {
  revisions: RolloutRevision[];
  rolloutName: string;
  onRollBack: ((revision: number) => void) | undefined;
}) {
  const now = useNow();
  const currentRevision = revisions[0]?.revision;
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title">Release history</h2>
      {revisions.length === 0 ? <p className="muted">No revision has been released yet.</p> : null}
      {revisions.length > 0 ? (
        <table>
          <ColumnHeads names={['Revision', 'ReplicaSet', 'Role now', 'Images', 'Outcome', 'Started', 'Finished', 'By', 'Roll back']} />
          <tbody>
            {revisions.map((revision) => {
              const { roles } = revision;
              return (
                <tr key={revision.revision} data-revision={revision.revision}>
                  <th scope="row">{revision.revision}</th>
                  <td>
                    <code>
                      {rolloutName}-{revision.podTemplateHash}
                    </code>
                  </td>
                  <td>
                    {roles.length > 0 ? (
                      roles.map((role) => (
                        <span key={role} className={`role-tag role-${role}`}>
                          {role}
                        </span>
                      ))
                    ) : (
                      <span className="muted">scaled down</span>
                    )}
                  </td>
                  <td className="images">{revision.images.join(', ')}</td>
                  <td>
                    <PhaseBadge phase={revision.outcome} />
                  </td>
                  <td>
                    <TimeAgo iso={revision.startedAt} now={now} />
                  </td>
                  <td>
                    <TimeAgo iso={revision.finishedAt} now={now} />
                  </td>
                  <td>
                    <code>{revision.startedBy}</code>
                  </td>
                  <td>
                    <button
                      type="button"
                      className="danger-outline"
                      disabled={onRollBack === undefined || revision.revision === currentRevision}
                      title={revision.revision === currentRevision ? 'This is the current revision.' : undefined}
                      data-roll-back={revision.revision}
                      onClick={() => onRollBack?.(revision.revision)}
                    >
                      Roll back to this revision
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

const parametersText = (parameters: Record<string, unknown>): string =>
  Object.entries(parameters)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');

/** The operations asked of the rollout, newest first, with what the engine made of them. */
export function OperationHistory({ operations }: { operations: RolloutOperation[] }) {
  const now = useNow();
  return (
    <section className="card" aria-labelledby="operations-title">
      <h2 id="operations-title">Operation history</h2>
      {operations.length === 0 ? <p className="muted">No operation has been asked of this rollout.</p> : null}
      {operations.length > 0 ? (
        <table>
          <ColumnHeads names={['Operation', 'State', 'Asked', 'By']} />
          <tbody>
            {operations.map((operation) => (
              <tr key={operation.id} data-operation-row={operation.type}>
                <td>
                  {operation.type} <span className="muted">{parametersText(operation.parameters)}</span>
                  {operation.message ? <div className="muted">{operation.message}</div> : null}
                </td>
                <td>
                  <PhaseBadge phase={operation.state} />
                </td>
                <td>
                  <TimeAgo iso={operation.requestedAt} now={now} />
                </td>
                <td>
                  <code>{operation.requestedBy}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

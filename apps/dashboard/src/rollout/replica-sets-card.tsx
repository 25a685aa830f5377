import type { ReplicaSet, RolloutCluster, RolloutDetail } from '../api/documents.js';
import { TimeAgo } from '../shared/time-cell.js';
import { useNow } from '../shared/use-now.js';
import { ColumnHeads } from '../shared/column-heads.js';

const count = (value: number | null): string => (value === null ? '—' : String(value));

/** A bar of ready pods out of the desired ones, with the numbers written out beside it. */
function PodBar({ replicaSet }: { replicaSet: ReplicaSet }) {
  const desired = replicaSet.desiredReplicas ?? 0;
  const ready = replicaSet.readyReplicas ?? 0;
  const slots = Math.max(desired, replicaSet.replicas ?? 0);
  if (slots === 0) return <span className="muted">no pods</span>;
  return (
    <span className="pod-bar" aria-hidden="true">
      {Array.from({ length: Math.min(slots, 20) }, (_, index) => (
        <span key={index} className={index < ready ? 'pod pod-ready' : 'pod pod-waiting'} />
      ))}
    </span>
  );
}

/** The rollout's ReplicaSets with the pods the engine wants and the pods the agent saw. */
export function ReplicaSetsCard({ rollout, cluster }: { rollout: RolloutDetail; cluster: RolloutCluster }) {
  const now = useNow();
  const inSync = rollout.appliedDesiredVersion >= rollout.desiredVersion;
  return (
    <section className="card" aria-labelledby="replica-sets-title">
      <h2 id="replica-sets-title">ReplicaSets</h2>
      <p className="muted">
        {inSync
          ? '✔ The agent has applied the latest desired state'
          : `… The agent has applied desired state ${rollout.appliedDesiredVersion} of ${rollout.desiredVersion}`}
        {rollout.observedAt ? (
          <>
            ; its last change seen in the cluster <TimeAgo iso={rollout.observedAt} now={now} />
          </>
        ) : null}
        {cluster.lastHeartbeatAt ? (
          <span data-testid="agent-heartbeat">
            ; agent {cluster.connectionState.toLowerCase()}, heard from <TimeAgo iso={cluster.lastHeartbeatAt} now={now} />
          </span>
        ) : null}
        .
      </p>
      {rollout.replicaSets.length === 0 ? <p className="muted">No ReplicaSet yet.</p> : null}
      {rollout.replicaSets.length > 0 ? (
        <table>
          <ColumnHeads names={['ReplicaSet', 'Revision', 'Role', 'Images', 'Pods (ready / desired)', 'Current', 'Available', 'Notes']} />
          <tbody>
            {rollout.replicaSets.map((replicaSet) => (
              <tr key={replicaSet.podTemplateHash} data-replica-set={replicaSet.role}>
                <th scope="row">
                  <code>
                    {rollout.name}-{replicaSet.podTemplateHash}
                  </code>
                </th>
                <td>{count(replicaSet.revision)}</td>
                <td>
                  <span className={`role-tag role-${replicaSet.role}`}>{replicaSet.role}</span>
                </td>
                <td className="images">{replicaSet.images.join(', ')}</td>
                <td>
                  <span className="pods-cell">
                    <PodBar replicaSet={replicaSet} />
                    <span data-testid="ready-of-desired">
                      {count(replicaSet.readyReplicas)} /{' '}
                      {replicaSet.desiredReplicas === null ? 'to be removed' : replicaSet.desiredReplicas}
                    </span>
                  </span>
                </td>
                <td>{count(replicaSet.replicas)}</td>
                <td>{count(replicaSet.availableReplicas)}</td>
                <td>
                  {replicaSet.podProblems.map((problem) => (
                    <div key={problem} className="error">
                      ⚠ {problem}
                    </div>
                  ))}
                  {replicaSet.scaleDownDeadline ? (
                    <div className="muted">
                      scaled down at{' '}
                      <time dateTime={replicaSet.scaleDownDeadline}>{new Date(replicaSet.scaleDownDeadline).toLocaleTimeString()}</time>
                    </div>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

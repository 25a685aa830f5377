import type { Pod, RolloutDetail } from '../api/documents.js';
import { ColumnHeads } from '../shared/column-heads.js';
import { TimeAgo } from '../shared/time-cell.js';
import { useNow } from '../shared/use-now.js';

/**
 * The tone of a pod's kubectl status, as the Argo plugin's icons judge it: good when running or completed, busy on
 * its way, bad when failed or crash-looping, warn on image and runtime errors.
 * @example podTone('ContainerCreating') === 'busy'
 */
export function podTone(status: string): 'good' | 'busy' | 'bad' | 'warn' | 'idle' {
  if (status.startsWith('Init:') || ['Pending', 'Terminating', 'ContainerCreating'].includes(status)) return 'busy';
  if (status === 'Running' || status === 'Completed') return 'good';
  if (status.startsWith('Signal:') || status.startsWith('ExitCode:') || ['Failed', 'InvalidImageName', 'CrashLoopBackOff'].includes(status))
    return 'bad';
  if (status.endsWith('Error') || status.startsWith('Err') || status === 'ImagePullBackOff' || status === 'RegistryUnavailable')
    return 'warn';
  return 'idle';
}

function PodRow({ pod, now }: { pod: Pod; now: Date }) {
  return (
    <tr data-pod={pod.name}>
      <th scope="row">
        <code>{pod.name}</code>
      </th>
      <td>
        <span className={`badge tone-${podTone(pod.status)}`}>{pod.status}</span>
      </td>
      <td>
        {pod.readyContainers}/{pod.containers}
      </td>
      <td className={pod.restarts > 0 ? 'error' : undefined}>{pod.restarts}</td>
      <td>
        <TimeAgo iso={pod.startedAt} now={now} />
      </td>
      <td>{pod.nodeName ?? <span className="muted">not scheduled</span>}</td>
    </tr>
  );
}

/** The pods of each ReplicaSet as the agent last reported them: status, ready containers, restarts, age and node. */
export function PodsCard({ rollout }: { rollout: RolloutDetail }) {
  const now = useNow();
  const withPods = rollout.replicaSets.filter((replicaSet) => replicaSet.pods.length > 0);
  return (
    <section className="card" aria-labelledby="pods-title">
      <h2 id="pods-title">Pods</h2>
      {withPods.length === 0 ? <p className="muted">No pod reported.</p> : null}
      {withPods.map((replicaSet) => {
        const name = `${rollout.name}-${replicaSet.podTemplateHash}`;
        return (
          <div key={replicaSet.podTemplateHash} className="pods-of-replica-set" data-pods-of={replicaSet.role}>
            <h3 id={`pods-${replicaSet.podTemplateHash}`}>
              <code>{name}</code> <span className={`role-tag role-${replicaSet.role}`}>{replicaSet.role}</span>
            </h3>
            <table aria-labelledby={`pods-${replicaSet.podTemplateHash}`}>
              <ColumnHeads names={['Pod', 'Status', 'Ready', 'Restarts', 'Age', 'Node']} />
              <tbody>
                {replicaSet.pods.map((pod) => (
                  <PodRow key={pod.name} pod={pod} now={now} />
                ))}
              </tbody>
            </table>
            {replicaSet.podsOmitted > 0 ? <p className="muted">… and {replicaSet.podsOmitted} more pods, not reported.</p> : null}
          </div>
        );
      })}
    </section>
  );
}

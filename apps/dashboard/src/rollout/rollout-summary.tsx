import type { RolloutDetail, RolloutRevision } from '../api/documents.js';
import { FactList, progressFacts, type Fact } from './progress-facts.js';

function imagesByRole(rollout: RolloutDetail, revisions: RolloutRevision[]): { image: string; role: string }[] {
  const newRole = rollout.strategy === 'BlueGreen' ? 'preview' : 'canary';
  const stable = revisions.find((revision) => revision.podTemplateHash === rollout.progress.podTemplateHashes.stable);
  if (!stable || rollout.progress.fullyPromoted) return rollout.images.map((image) => ({ image, role: stable ? 'stable' : newRole }));
  return [...stable.images.map((image) => ({ image, role: 'stable' })), ...rollout.images.map((image) => ({ image, role: newRole }))];
}

/** Strategy, weights, images and pod counts of a rollout, as Argo's dashboard summarises them. */
export function RolloutSummaryCard({ rollout, revisions }: { rollout: RolloutDetail; revisions: RolloutRevision[] }) {
  const { currentStep, weights, replicas, pause, abort } = rollout.progress;
  const rows: Fact[] = [
    ['Cluster', rollout.cluster],
    ['Namespace', rollout.namespace],
    ['Strategy', rollout.strategy === 'BlueGreen' ? 'Blue-green' : 'Canary'],
  ];
  rows.push(...progressFacts({ currentStep, weights }));
  rows.push(
    [
      'Images',
      <ul className="plain">
        {imagesByRole(rollout, revisions).map(({ image, role }) => (
          <li key={`${role}:${image}`}>
            <code>{image}</code> <span className={`role-tag role-${role}`}>{role}</span>
          </li>
        ))}
      </ul>,
    ],
    [
      'Pods',
      `${replicas.desired} desired · ${replicas.current} current · ${replicas.updated} updated · ${replicas.ready} ready · ${replicas.available} available`,
    ],
    [
      'Generation',
      rollout.observedGeneration < rollout.generation
        ? `${rollout.generation} (engine at ${rollout.observedGeneration})`
        : String(rollout.generation),
    ],
  );
  if (pause.conditions.length > 0 || pause.specPaused)
    rows.push([
      'Paused by',
      [...pause.conditions.map((condition) => condition.reason), ...(pause.specPaused ? ['spec.paused'] : [])].join(', '),
    ]);
  if (abort.aborted) rows.push(['Aborted', 'yes: the stable revision serves all traffic']);
  return (
    <section className="card" aria-labelledby="summary-title">
      <h2 id="summary-title">Summary</h2>
      <FactList facts={rows} />
    </section>
  );
}

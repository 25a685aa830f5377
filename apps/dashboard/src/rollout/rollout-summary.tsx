import type { ReactNode } from 'react';
import type { RolloutDetail, RolloutRevision } from '../api/documents.js';
import { actualWeight, setWeight, type RolloutFacts } from './rollout-facts.js';

function imagesByRole(rollout: RolloutDetail, facts: RolloutFacts, revisions: RolloutRevision[]): { image: string; role: string }[] {
  const newRole = facts.strategy === 'BlueGreen' ? 'preview' : 'canary';
  const stable = revisions.find((revision) => revision.podTemplateHash === facts.stableHash);
  if (!stable || facts.stableHash === facts.currentHash)
    return rollout.images.map((image) => ({ image, role: stable ? 'stable' : newRole }));
  return [...stable.images.map((image) => ({ image, role: 'stable' })), ...rollout.images.map((image) => ({ image, role: newRole }))];
}

/** Strategy, weights, images and pod counts of a rollout, as Argo's dashboard summarises them. */
export function RolloutSummaryCard({
  rollout,
  facts,
  revisions,
}: {
  rollout: RolloutDetail;
  facts: RolloutFacts;
  revisions: RolloutRevision[];
}) {
  const rows: [string, ReactNode][] = [
    ['Cluster', rollout.cluster],
    ['Namespace', rollout.namespace],
    ['Strategy', facts.strategy === 'BlueGreen' ? 'Blue-green' : 'Canary'],
  ];
  if (facts.strategy === 'Canary') {
    rows.push(
      ['Step', `${Math.min(facts.currentStepIndex ?? 0, facts.steps.length)} of ${facts.steps.length}`],
      ['Set weight', <span data-testid="set-weight">{setWeight(facts)}%</span>],
      ['Actual weight', <span data-testid="actual-weight">{actualWeight(facts)}%</span>],
    );
  }
  rows.push(
    [
      'Images',
      <ul className="plain">
        {imagesByRole(rollout, facts, revisions).map(({ image, role }) => (
          <li key={`${role}:${image}`}>
            <code>{image}</code> <span className={`role-tag role-${role}`}>{role}</span>
          </li>
        ))}
      </ul>,
    ],
    [
      'Pods',
      `${facts.specReplicas} desired · ${facts.replicas} current · ${facts.updatedReplicas} updated · ${facts.readyReplicas} ready · ${facts.availableReplicas} available`,
    ],
    [
      'Generation',
      rollout.observedGeneration < rollout.generation
        ? `${rollout.generation} (engine at ${rollout.observedGeneration})`
        : String(rollout.generation),
    ],
  );
  if (facts.pauseReasons.length > 0 || facts.specPaused)
    rows.push(['Paused by', [...facts.pauseReasons, ...(facts.specPaused ? ['spec.paused'] : [])].join(', ')]);
  if (facts.aborted) rows.push(['Aborted', 'yes: the stable revision serves all traffic']);
  return (
    <section className="card" aria-labelledby="summary-title">
      <h2 id="summary-title">Summary</h2>
      <dl className="facts">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

import type { ReactNode } from 'react';
import type { RolloutProgress } from '../api/documents.js';

/** A label and its value, as the facts lists of the pages show them. */
export type Fact = [label: string, value: ReactNode];

/**
 * The step a canary is at and its traffic weights, as facts; none when no step applies (blue-green, no steps).
 * Shared by the rollout page's summary and the member cards of fleet releases.
 */
export function progressFacts({ currentStep, weights }: Pick<RolloutProgress, 'currentStep' | 'weights'>): Fact[] {
  if (currentStep === null || weights === null) return [];
  return [
    ['Step', `${currentStep.index} of ${currentStep.count}`],
    ['Set weight', <span data-testid="set-weight">{weights.setWeight}%</span>],
    ['Actual weight', <span data-testid="actual-weight">{weights.actualWeight}%</span>],
  ];
}

/** A list of facts: label, then value. */
export function FactList({ facts, className = 'facts' }: { facts: Fact[]; className?: string }) {
  return (
    <dl className={className}>
      {facts.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

import { phaseLook } from './phase.js';

export function PhaseBadge({ phase, label }: { phase: string; label?: string }) {
  const { tone, symbol } = phaseLook(phase);
  return (
    <span className={`badge tone-${tone}`} data-phase={phase}>
      <span aria-hidden="true">{symbol}</span> {label ?? phase}
    </span>
  );
}

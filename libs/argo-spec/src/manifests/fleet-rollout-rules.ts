import type { FleetRolloutSpec } from '../fleet-rollout.js';
import { childPath, indexPath, type IssueList } from './issues.js';
import { isPresent, type Loose } from './schema.js';
import { checkSelector } from './selectors.js';
import { checkUniqueNames } from './unique-names.js';

/**
 * The meaning of a FleetRollout spec, once its shape has been checked: sound selectors, wave names unique, and
 * only the last wave without a selector (it takes every selected cluster no earlier wave took, leaving none after).
 * @example waves `[{ name: 'rest' }, { name: 'prod', clusterSelector: … }]` are refused at `spec.waves[0].clusterSelector`.
 */
export function checkFleetRolloutSpec(spec: Loose<FleetRolloutSpec>, issues: IssueList): void {
  if (spec.clusterSelector !== undefined) {
    checkSelector(spec.clusterSelector, 'spec.clusterSelector', issues, 'leave clusterSelector out to select every cluster');
  }
  const waves = spec.waves ?? [];
  checkUniqueNames(waves, 'spec.waves', 'wave', issues);
  waves.forEach((wave, index) => {
    if (wave === undefined) return;
    const selectorPath = childPath(indexPath('spec.waves', index), 'clusterSelector');
    if (wave.clusterSelector !== undefined) {
      checkSelector(wave.clusterSelector, selectorPath, issues, 'leave clusterSelector out, in the last wave, to take every cluster left');
    } else if (!isPresent(wave, 'clusterSelector') && index < waves.length - 1) {
      issues.add(
        selectorPath,
        'is required but in the last wave: a wave without one takes every selected cluster left, so no wave after it would have any',
      );
    }
  });
}

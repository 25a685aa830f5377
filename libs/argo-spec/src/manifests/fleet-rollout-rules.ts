import type { FleetRolloutSpec, FleetWaveAnalysis } from '../fleet-rollout.js';
import { checkMetricRules, checkRunArguments } from './analysis-references.js';
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
    if (wave.analysis !== undefined) checkWaveAnalysis(wave.analysis, childPath(indexPath('spec.waves', index), 'analysis'), issues);
  });
}

/**
 * A wave's analysis: arguments and metric rules as a Rollout's analysis. A pooled run belongs to no cluster, so its
 * templates must be ClusterAnalysisTemplates and no argument may take a cluster's pod template hash.
 * @example `{ templates: [{ templateName: 'error-rate' }], pooled: true }` is refused at `…analysis.templates[0].clusterScope`.
 */
function checkWaveAnalysis(analysis: Loose<FleetWaveAnalysis>, path: string, issues: IssueList): void {
  checkRunArguments(analysis.args, childPath(path, 'args'), issues);
  checkMetricRules(analysis.dryRun, childPath(path, 'dryRun'), undefined, issues);
  checkMetricRules(analysis.measurementRetention, childPath(path, 'measurementRetention'), undefined, issues);
  if (analysis.pooled !== true) return;
  (analysis.templates ?? []).forEach((template, index) => {
    if (template !== undefined && template.clusterScope !== true) {
      issues.add(
        childPath(indexPath(childPath(path, 'templates'), index), 'clusterScope'),
        'must be true in a pooled analysis: a pooled run belongs to no cluster, so its templates are ClusterAnalysisTemplates',
      );
    }
  });
  (analysis.args ?? []).forEach((argument, index) => {
    if (argument?.valueFrom?.podTemplateHashValue !== undefined) {
      issues.add(
        childPath(childPath(indexPath(childPath(path, 'args'), index), 'valueFrom'), 'podTemplateHashValue'),
        "is not available in a pooled analysis: each cluster's pod template hash may differ",
      );
    }
  });
}

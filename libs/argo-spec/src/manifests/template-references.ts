import type { RolloutAnalysis } from '../types.js';
import type { CheckedSpec } from './document.js';
import { childPath, indexPath } from './issues.js';
import type { Loose } from './schema.js';

/** A place where a document names an analysis template it runs. */
export interface TemplateReference {
  /** Path of the `templateName` field. */
  path: string;
  templateName: string;
  clusterScope: boolean;
  /** Names of the arguments passed to the template at this place. */
  passedArguments: readonly string[];
}

type Arguments = readonly ({ name?: string } | undefined)[] | undefined;

const argumentNames = (args: Arguments): string[] =>
  (args ?? []).flatMap((argument) => (argument?.name === undefined ? [] : [argument.name]));

function fromAnalysis(analysis: Loose<RolloutAnalysis> | undefined, path: string): TemplateReference[] {
  const passedArguments = argumentNames(analysis?.args);
  return (analysis?.templates ?? []).flatMap((template, index) =>
    template?.templateName === undefined
      ? []
      : [
          {
            path: childPath(indexPath(childPath(path, 'templates'), index), 'templateName'),
            templateName: template.templateName,
            clusterScope: template.clusterScope === true,
            passedArguments,
          },
        ],
  );
}

function fromNamedAnalyses(
  analyses: readonly ({ templateName?: string; clusterScope?: boolean; args?: Arguments } | undefined)[] | undefined,
  path: string,
): TemplateReference[] {
  return (analyses ?? []).flatMap((analysis, index) =>
    analysis?.templateName === undefined
      ? []
      : [
          {
            path: childPath(indexPath(path, index), 'templateName'),
            templateName: analysis.templateName,
            clusterScope: analysis.clusterScope === true,
            passedArguments: argumentNames(analysis.args),
          },
        ],
  );
}

/**
 * Every analysis template a Rollout or Experiment runs: background, step and promotion analyses, and experiment analyses.
 * @example a canary with `analysis.templates[0].templateName: success-rate` and `analysis.args[0].name: service` yields
 *   `{ path: 'spec.strategy.canary.analysis.templates[0].templateName', templateName: 'success-rate', clusterScope: false, passedArguments: ['service'] }`.
 */
export function templateReferences(checked: CheckedSpec): TemplateReference[] {
  switch (checked.kind) {
    case 'AnalysisTemplate':
    case 'ClusterAnalysisTemplate':
    case 'FreezeWindow':
      return [];
    case 'FleetRollout':
      return (checked.spec.waves ?? []).flatMap((wave, index) =>
        fromAnalysis(wave?.analysis, childPath(indexPath('spec.waves', index), 'analysis')),
      );
    case 'Experiment':
      return fromNamedAnalyses(checked.spec.analyses, 'spec.analyses');
    case 'Rollout': {
      const { canary, blueGreen } = checked.spec.strategy ?? {};
      const canaryPath = 'spec.strategy.canary';
      const stepReferences = (canary?.steps ?? []).flatMap((step, index) => {
        const stepPath = indexPath(childPath(canaryPath, 'steps'), index);
        return [
          ...fromAnalysis(step?.analysis, childPath(stepPath, 'analysis')),
          ...fromNamedAnalyses(step?.experiment?.analyses, childPath(childPath(stepPath, 'experiment'), 'analyses')),
        ];
      });
      return [
        ...fromAnalysis(canary?.analysis, childPath(canaryPath, 'analysis')),
        ...stepReferences,
        ...fromAnalysis(blueGreen?.prePromotionAnalysis, 'spec.strategy.blueGreen.prePromotionAnalysis'),
        ...fromAnalysis(blueGreen?.postPromotionAnalysis, 'spec.strategy.blueGreen.postPromotionAnalysis'),
      ];
    }
  }
}

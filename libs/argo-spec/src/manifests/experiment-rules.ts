import type { ExperimentSpec } from '../types.js';
import { checkMetricRules, checkRunArguments } from './analysis-references.js';
import { checkGoDuration } from './durations.js';
import { childPath, indexPath, type IssueList } from './issues.js';
import { checkSelectedPodTemplate } from './pod-templates.js';
import type { Loose } from './schema.js';
import { checkUniqueNames } from './unique-names.js';

/**
 * The meaning of an Experiment spec, once its shape has been checked.
 * @example two templates both named `baseline` are reported at `spec.templates[1].name`.
 */
export function checkExperimentSpec(spec: Loose<ExperimentSpec>, issues: IssueList): void {
  checkUniqueNames(spec.templates, 'spec.templates', 'template', issues);
  spec.templates?.forEach((template, index) => {
    if (template === undefined) return;
    const templatePath = indexPath('spec.templates', index);
    checkSelectedPodTemplate(
      template.selector,
      template.template,
      childPath(templatePath, 'selector'),
      childPath(templatePath, 'template'),
      issues,
    );
  });
  checkGoDuration(spec.duration, 'spec.duration', issues, { positive: true, allowPlaceholder: false });
  checkUniqueNames(spec.analyses, 'spec.analyses', 'analysis', issues);
  spec.analyses?.forEach((analysis, index) =>
    checkRunArguments(analysis?.args, childPath(indexPath('spec.analyses', index), 'args'), issues),
  );
  checkMetricRules(spec.dryRun, 'spec.dryRun', undefined, issues);
  checkMetricRules(spec.measurementRetention, 'spec.measurementRetention', undefined, issues);
}

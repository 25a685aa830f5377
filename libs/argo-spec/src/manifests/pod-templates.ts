import type { LabelSelector, PodTemplateSpec } from '../types.js';
import { childPath, type IssueList } from './issues.js';
import type { Loose } from './schema.js';
import { checkSelector, checkSelectorSelectsTemplate } from './selectors.js';
import { checkUniqueNames } from './unique-names.js';

/**
 * A selector with the pod template it must select, as in a Rollout or an Experiment template:
 * `selectorPath` and `templatePath` name where each sits in the document.
 */
export function checkSelectedPodTemplate(
  selector: Loose<LabelSelector> | undefined,
  template: Loose<PodTemplateSpec> | undefined,
  selectorPath: string,
  templatePath: string,
  issues: IssueList,
): void {
  const selectorIsSound = selector !== undefined && checkSelector(selector, selectorPath, issues);
  if (template === undefined) return;
  if (selectorIsSound) {
    checkSelectorSelectsTemplate(selector, template.metadata?.labels, childPath(childPath(templatePath, 'metadata'), 'labels'), issues);
  }
  const podSpecPath = childPath(templatePath, 'spec');
  checkUniqueNames(template.spec?.containers, childPath(podSpecPath, 'containers'), 'container', issues);
  checkUniqueNames(template.spec?.initContainers, childPath(podSpecPath, 'initContainers'), 'init container', issues);
}

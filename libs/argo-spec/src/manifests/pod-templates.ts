import type { LabelSelector, PodTemplateSpec } from '../types.js';
import { childPath, type FieldIssue, IssueList } from './issues.js';
import type { Loose } from './schema.js';
import { checkSelector, checkSelectorSelectsTemplate } from './selectors.js';
import { podTemplateSpecSchema } from './shapes.js';
import { checkStorableValue } from './storable-data.js';
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

export type PodTemplateCheck = { ok: true; template: PodTemplateSpec } | { ok: false; issues: FieldIssue[] };

/**
 * A pod template given on its own, as a fleet release gives one, checked with the rules of a Rollout's
 * `spec.template`: text a store keeps and bounded nesting, the shape (containers with valid names and image
 * references, no ephemeral containers), unique container names. Every issue is named under `path`; whether a
 * Rollout's selector selects it is for whoever knows that Rollout.
 *
 * @example checkPodTemplate({ spec: { containers: [{ name: 'app', image: 'shop/app:2' }, { name: 'app' }] } }, 'template')
 *   // { ok: false, issues: [{ path: 'template.spec.containers[1].name', message: 'duplicate container "app" (also at index 0)' }] }
 */
export function checkPodTemplate(value: unknown, path: string): PodTemplateCheck {
  const issues = new IssueList();
  checkStorableValue(value, path, issues);
  if (!issues.isEmpty) return { ok: false, issues: issues.items };
  const checked = podTemplateSpecSchema.check(value, path, issues);
  if (checked !== undefined) checkSelectedPodTemplate(undefined, checked, '', path, issues);
  if (checked === undefined || !issues.isEmpty) return { ok: false, issues: issues.items };
  // It passed the checks that mirror types.ts, so it is a PodTemplateSpec as written.
  return { ok: true, template: value as PodTemplateSpec };
}

import type { ManifestKind } from '../manifest.js';
import type { RolloutExperimentTemplate } from '../types.js';
import { DNS1123_LABEL_MAX_LENGTH, dns1123LabelProblem, dns1123SubdomainProblem, LABEL_VALUE_MAX_LENGTH } from '../kubernetes-names.js';
import type { CheckedSpec } from './document.js';
import { childPath, indexPath, type IssueList } from './issues.js';
import type { Loose } from './schema.js';

/**
 * Flotilla labels what it creates with the name of its owner (`flotilla.io/rollout`, `flotilla.io/experiment`,
 * `flotilla.io/experiment-template`), and names a step's experiment `<rollout>-<pod hash>-<revision>[-r<retry>]-<step>`,
 * its ReplicaSets `<experiment>-<template>` and, unless a template names its Service, the Service the same.
 * A name that could not fit in the label or the Service name is refused here, at apply, rather than by the cluster later.
 */

/** Room kept for what follows the rollout's name in a step's experiment name: a 10-character pod hash, a revision
 *  of up to 6 digits and a retry of up to 4, each with its separator. */
export const STEP_EXPERIMENT_SUFFIX_RESERVE = '-'.length + 10 + '-'.length + 6 + '-r'.length + 4 + '-'.length;

type Template = Pick<Loose<RolloutExperimentTemplate>, 'name' | 'service' | 'weight'>;

function checkLabelValueName(name: string, path: string, max: number, why: string, issues: IssueList): void {
  if (name.length > max) issues.add(path, `must be at most ${max} characters, not ${name.length}: ${why}`);
}

/** Templates of one experiment, whose name is `experimentName` or at most `experimentNameLength` long. */
function checkTemplates(
  templates: readonly (Template | undefined)[] | undefined,
  templatesPath: string,
  experimentNameLength: number,
  issues: IssueList,
): void {
  templates?.forEach((template, index) => {
    const templatePath = indexPath(templatesPath, index);
    const name = template?.name;
    if (name === undefined) return;
    const namePath = childPath(templatePath, 'name');
    const nameProblem = dns1123SubdomainProblem(name);
    if (nameProblem !== undefined) {
      issues.add(namePath, `is not a valid name: ${nameProblem}`);
      return;
    }
    checkLabelValueName(name, namePath, LABEL_VALUE_MAX_LENGTH, 'it is the value of the flotilla.io/experiment-template label', issues);
    const serviceName = template?.service?.name;
    if (serviceName !== undefined && serviceName !== '') {
      const serviceProblem = dns1123LabelProblem(serviceName);
      if (serviceProblem !== undefined)
        issues.add(childPath(childPath(templatePath, 'service'), 'name'), `is not a valid Service name: ${serviceProblem}`);
    } else if (template?.service !== undefined || template?.weight !== undefined) {
      const derivedLength = experimentNameLength + 1 + name.length;
      if (derivedLength > DNS1123_LABEL_MAX_LENGTH) {
        issues.add(
          namePath,
          `makes a Service name of ${derivedLength} characters (<experiment>-<template>); at most ${DNS1123_LABEL_MAX_LENGTH} are allowed: shorten it or set service.name`,
        );
      }
    }
  });
}

function checkStepExperimentNames(name: string, checked: CheckedSpec & { kind: 'Rollout' }, issues: IssueList): void {
  const steps = checked.spec.strategy?.canary?.steps ?? [];
  steps.forEach((step, index) => {
    const experiment = step?.experiment;
    if (experiment === undefined) return;
    const experimentNameLength = name.length + STEP_EXPERIMENT_SUFFIX_RESERVE + String(index).length;
    const stepPath = indexPath('spec.strategy.canary.steps', index);
    if (experimentNameLength > LABEL_VALUE_MAX_LENGTH) {
      issues.add(
        'metadata.name',
        `must be at most ${LABEL_VALUE_MAX_LENGTH - STEP_EXPERIMENT_SUFFIX_RESERVE - String(index).length} characters, not ${name.length}: ` +
          `${stepPath} runs an experiment named <rollout>-<pod hash>-<revision>-<step>, the value of the flotilla.io/experiment label`,
      );
      return;
    }
    checkTemplates(experiment.templates, childPath(childPath(stepPath, 'experiment'), 'templates'), experimentNameLength, issues);
  });
}

/**
 * Refuses names that could not fit where Flotilla puts them once derived (labels, ReplicaSet and Service names).
 * @example a Rollout named with 64 characters is refused at `metadata.name`, as `flotilla.io/rollout` holds at most 63.
 */
export function checkDerivedNames(kind: ManifestKind, name: string, checked: CheckedSpec | undefined, issues: IssueList): void {
  if (kind === 'Rollout') {
    checkLabelValueName(name, 'metadata.name', LABEL_VALUE_MAX_LENGTH, 'it is the value of the flotilla.io/rollout label', issues);
    if (checked?.kind === 'Rollout') checkStepExperimentNames(name, checked, issues);
  }
  if (kind === 'Experiment') {
    checkLabelValueName(name, 'metadata.name', LABEL_VALUE_MAX_LENGTH, 'it is the value of the flotilla.io/experiment label', issues);
    if (checked?.kind === 'Experiment') checkTemplates(checked.spec.templates, 'spec.templates', name.length, issues);
  }
}

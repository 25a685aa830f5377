import type { AnalysisRunArgument, AnalysisTemplateSpec, DryRun, MeasurementRetention, TemplateArgument } from '@flotilla/argo-spec';
import { ArgumentError, mergeArguments } from './arguments.js';
import type { AnalysisRunSpec } from './run-types.js';

export type TemplateMergeErrorReason =
  'duplicate-metric' | 'conflicting-argument' | 'duplicate-dry-run-rule' | 'duplicate-measurement-retention-rule';

/** Templates that cannot be combined into one run; `subject` names the metric, argument or rule. */
export class TemplateMergeError extends Error {
  override readonly name = 'TemplateMergeError';

  constructor(
    readonly reason: TemplateMergeErrorReason,
    readonly subject: string,
    message: string,
  ) {
    super(message);
  }
}

/** A referenced AnalysisTemplate or ClusterAnalysisTemplate. */
export interface TemplateToMerge {
  name: string;
  clusterScope?: boolean;
  spec: AnalysisTemplateSpec;
}

/** Dry-run and retention rules that the rollout or experiment adds to those of its templates. */
export interface RunRules {
  dryRun?: DryRun[];
  measurementRetention?: MeasurementRetention[];
}

/**
 * Combines templates into the spec of one analysis run, as Argo's `NewAnalysisRunFromTemplates`:
 * AnalysisTemplates first, then ClusterAnalysisTemplates, each in the order given; metrics are
 * concatenated and must have distinct names; template arguments with one name must not default to
 * different values; the passed arguments are merged in (see `mergeArguments`); the caller's dry-run
 * and retention rules come before the templates' and no two may name the same metric pattern.
 * @example
 * mergeTemplates([{ name: 'success-rate', spec: a }, { name: 'error-rate', spec: b }],
 *   [{ name: 'service-name', value: 'web' }])
 * // { metrics: [...a.metrics, ...b.metrics], args: [{ name: 'service-name', value: 'web' }], dryRun: [], measurementRetention: [] }
 */
export function mergeTemplates(
  templates: readonly TemplateToMerge[],
  runArgs: readonly AnalysisRunArgument[] = [],
  rules: RunRules = {},
): AnalysisRunSpec | TemplateMergeError | ArgumentError {
  const ordered = [...templates.filter((template) => !template.clusterScope), ...templates.filter((template) => template.clusterScope)];
  const specs = ordered.map((template) => template.spec);

  const metrics = specs.flatMap((spec) => spec.metrics);
  const duplicateMetric = firstDuplicate(metrics.map((metric) => metric.name));
  if (duplicateMetric !== undefined)
    return new TemplateMergeError('duplicate-metric', duplicateMetric, `two metrics have the same name '${duplicateMetric}'`);

  const templateArgs = flattenArguments(specs.flatMap((spec) => spec.args ?? []));
  if (templateArgs instanceof TemplateMergeError) return templateArgs;
  const args = mergeArguments(templateArgs, runArgs);
  if (args instanceof ArgumentError) return args;

  const dryRun = [...(rules.dryRun ?? []), ...specs.flatMap((spec) => spec.dryRun ?? [])];
  const duplicateDryRun = firstDuplicate(dryRun.map((rule) => rule.metricName));
  if (duplicateDryRun !== undefined) {
    return new TemplateMergeError(
      'duplicate-dry-run-rule',
      duplicateDryRun,
      `two Dry-Run metric rules have the same name '${duplicateDryRun}'`,
    );
  }
  const measurementRetention = [...(rules.measurementRetention ?? []), ...specs.flatMap((spec) => spec.measurementRetention ?? [])];
  const duplicateRetention = firstDuplicate(measurementRetention.map((rule) => rule.metricName));
  if (duplicateRetention !== undefined) {
    return new TemplateMergeError(
      'duplicate-measurement-retention-rule',
      duplicateRetention,
      `two Measurement Retention metric rules have the same name '${duplicateRetention}'`,
    );
  }
  return { metrics, args, dryRun, measurementRetention };
}

function firstDuplicate(names: readonly string[]): string | undefined {
  return names.find((name, index) => names.indexOf(name) !== index);
}

/** One argument per name; a later declaration fills in a name that had no value yet. */
function flattenArguments(declared: readonly TemplateArgument[]): TemplateArgument[] | TemplateMergeError {
  const combined: TemplateArgument[] = [];
  for (const argument of declared) {
    const index = combined.findIndex((existing) => existing.name === argument.name);
    const existing = combined[index];
    if (!existing) {
      combined.push(argument);
    } else if (existing.value !== undefined && argument.value !== undefined && existing.value !== argument.value) {
      return new TemplateMergeError(
        'conflicting-argument',
        argument.name,
        `Argument \`${argument.name}\` specified multiple times with different values: '${existing.value}', '${argument.value}'`,
      );
    } else if (existing.value === undefined) {
      combined[index] = argument;
    }
  }
  return combined;
}

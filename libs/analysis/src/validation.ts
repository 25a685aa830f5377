import { METRIC_PROVIDER_NAMES, parseGoDuration, type AnalysisTemplateSpec, type IntOrString, type Metric } from '@flotilla/argo-spec';
import { compileCondition, ConditionSyntaxError } from './condition/compile.js';
import { evaluateTimeExpression } from './condition/time-expression.js';
import { ruleMatches } from './metric-rules.js';
import { intValue, metricSettings } from './metric-settings.js';
import { findPlaceholders } from './placeholders.js';

export interface ValidationIssue {
  /** Where the problem is, relative to the template: `spec.metrics[1].successCondition`. */
  path: string;
  message: string;
}

export interface AnalysisSpecValidation {
  /** Problems that make Argo refuse or fail the analysis. */
  errors: ValidationIssue[];
  /** Accepted, but almost certainly not what was meant. */
  warnings: ValidationIssue[];
}

export interface ValidationOptions {
  /** The shortest `interval` this installation allows, to protect metric backends. */
  minimumIntervalSeconds: number;
  /** Arguments the referencing rollout or experiment passes; when given, required arguments must be among them. */
  suppliedArguments?: readonly string[];
}

const PROVIDER_NAMES: ReadonlySet<string> = new Set(METRIC_PROVIDER_NAMES);
const LIMIT_FIELDS = ['count', 'failureLimit', 'inconclusiveLimit', 'consecutiveErrorLimit', 'consecutiveSuccessLimit'] as const;
const LIMIT_MINIMUMS: Record<(typeof LIMIT_FIELDS)[number], number> = {
  count: 0,
  failureLimit: -1,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 0,
  consecutiveSuccessLimit: 0,
};

/**
 * Checks an AnalysisTemplate (or ClusterAnalysisTemplate) spec when it is applied, so that mistakes
 * surface then rather than when a rollout first measures: conditions that do not compile, unknown or
 * missing providers, undeclared or unsupplied arguments, unparsable or too short intervals, limits Argo
 * refuses, and rules that match no metric. Fields holding `{{args.…}}` are checked once resolved, at run time.
 * @example
 * validateAnalysisSpec({ metrics: [{ name: 'rate', successCondition: 'result >', provider: { prometheus } }] },
 *   { minimumIntervalSeconds: 10 }).errors
 * // [{ path: 'spec.metrics[0].successCondition', message: 'unexpected end of condition at position 8 of condition "result >"' }]
 */
export function validateAnalysisSpec(spec: AnalysisTemplateSpec, options: ValidationOptions): AnalysisSpecValidation {
  const validation: AnalysisSpecValidation = { errors: [], warnings: [] };
  const error = (path: string, message: string): void => void validation.errors.push({ path, message });
  const declared = new Set((spec.args ?? []).map((argument) => argument.name));

  if (spec.metrics.length === 0) error('spec.metrics', 'no metrics specified');
  spec.metrics.forEach((metric, index) => {
    const path = `spec.metrics[${index}]`;
    if (spec.metrics.findIndex((other) => other.name === metric.name) !== index)
      error(`${path}.name`, `duplicate metric name '${metric.name}'`);
    validateConditions(metric, path, error);
    validateProvider(metric, path, error);
    validateRangeQuery(metric, path, error);
    validateTimings(metric, path, options.minimumIntervalSeconds, error);
    validateLimits(metric, path, validation);
    forEachString(metric, path, (text, textPath) => validatePlaceholders(text, textPath, declared, error));
  });
  validateArguments(spec, options.suppliedArguments, error);
  validateRules(spec, error);
  return validation;
}

type Report = (path: string, message: string) => void;

function validateConditions(metric: Metric, path: string, error: Report): void {
  for (const field of ['successCondition', 'failureCondition'] as const) {
    const condition = metric[field];
    if (condition === undefined) continue;
    const compiled = compileCondition(condition);
    if (compiled instanceof ConditionSyntaxError) error(`${path}.${field}`, compiled.message);
  }
}

function validateProvider(metric: Metric, path: string, error: Report): void {
  const names = Object.keys(metric.provider);
  for (const name of names.filter((candidate) => !PROVIDER_NAMES.has(candidate))) {
    error(`${path}.provider.${name}`, `unknown metric provider '${name}'`);
  }
  const known = names.filter((name) => PROVIDER_NAMES.has(name));
  if (names.length === 0) error(`${path}.provider`, 'no provider specified');
  if (known.length > 1) error(`${path}.provider`, `multiple providers specified: ${known.join(', ')}`);
}

/** A Prometheus `rangeQuery`'s `start` and `end` are time expressions, checked now unless a placeholder decides them per run. */
function validateRangeQuery(metric: Metric, path: string, error: Report): void {
  const rangeQuery = metric.provider.prometheus?.rangeQuery;
  for (const field of ['start', 'end'] as const) {
    const text = rangeQuery?.[field];
    if (text === undefined || text.trim() === '' || hasPlaceholder(text)) continue;
    const evaluated = evaluateTimeExpression(text, new Date());
    if (!evaluated.ok)
      error(
        `${path}.provider.prometheus.rangeQuery.${field}`,
        `is not a time expression such as now() - duration("1h"): ${evaluated.error}`,
      );
  }
}

function hasPlaceholder(value: IntOrString | undefined): boolean {
  return typeof value === 'string' && findPlaceholders(value).length > 0;
}

function validateTimings(metric: Metric, path: string, minimumIntervalSeconds: number, error: Report): void {
  if (metric.interval !== undefined && !hasPlaceholder(metric.interval)) {
    const intervalMs = parseGoDuration(metric.interval);
    if (intervalMs === undefined) error(`${path}.interval`, `invalid interval string '${metric.interval}'`);
    else if (intervalMs < minimumIntervalSeconds * 1000) {
      error(`${path}.interval`, `interval ${metric.interval} is below the minimum of ${minimumIntervalSeconds}s`);
    }
  }
  if (metric.initialDelay !== undefined && !hasPlaceholder(metric.initialDelay) && parseGoDuration(metric.initialDelay) === undefined) {
    error(`${path}.initialDelay`, `invalid initialDelay string '${metric.initialDelay}'`);
  }
}

function validateLimits(metric: Metric, path: string, validation: AnalysisSpecValidation): void {
  const error: Report = (where, message) => void validation.errors.push({ path: where, message });
  // Rules between limits are checked only when every limit is a usable integer, to report one cause once.
  let resolvable = true;
  for (const field of LIMIT_FIELDS) {
    const value = metric[field];
    if (value === undefined) continue;
    if (hasPlaceholder(value)) {
      resolvable = false;
    } else if (typeof value === 'number' ? !Number.isInteger(value) : !/^[+-]?\d+$/.test(value)) {
      error(`${path}.${field}`, `${field} must be an integer`);
      resolvable = false;
    } else if ((intValue(value) ?? 0) < LIMIT_MINIMUMS[field]) {
      error(`${path}.${field}`, `${field} must be >= ${LIMIT_MINIMUMS[field]}`);
      resolvable = false;
    }
  }
  if (!resolvable) return;
  const settings = metricSettings(metric);
  const explicitCount = intValue(metric.count) ?? 0;
  if (explicitCount > 0) {
    for (const field of ['failureLimit', 'inconclusiveLimit', 'consecutiveSuccessLimit'] as const) {
      if (explicitCount < settings[field]) error(`${path}.count`, `count must be >= ${field}`);
    }
  }
  if (explicitCount > 1 && !metric.interval) error(`${path}.interval`, 'interval must be specified when count > 1');
  if (settings.failureLimit < 0 && settings.consecutiveSuccessLimit <= 0) {
    error(`${path}.failureLimit`, 'either failureLimit >= 0 or consecutiveSuccessLimit > 0 must be set');
  }
  if (settings.count !== undefined && settings.failureLimit > 0 && settings.count === settings.failureLimit) {
    validation.warnings.push({
      path: `${path}.count`,
      message: `count (${settings.count}) is not above failureLimit (${settings.failureLimit}): the metric can never fail`,
    });
  }
}

function validatePlaceholders(text: string, path: string, declared: ReadonlySet<string>, error: Report): void {
  for (const placeholder of findPlaceholders(text)) {
    if (placeholder.argument === undefined) error(path, `placeholder {{${placeholder.tag}}} must have the form {{args.name}}`);
    else if (!declared.has(placeholder.argument)) error(path, `argument '${placeholder.argument}' is not declared in spec.args`);
  }
}

function validateArguments(spec: AnalysisTemplateSpec, supplied: readonly string[] | undefined, error: Report): void {
  (spec.args ?? []).forEach((argument, index) => {
    const path = `spec.args[${index}]`;
    if ((spec.args ?? []).findIndex((other) => other.name === argument.name) !== index)
      error(`${path}.name`, `duplicate argument '${argument.name}'`);
    const required = argument.value === undefined && argument.valueFrom === undefined;
    if (required && supplied !== undefined && !supplied.includes(argument.name)) {
      error(path, `argument '${argument.name}' has no default and is not supplied`);
    }
  });
}

function validateRules(spec: AnalysisTemplateSpec, error: Report): void {
  const rules = [
    ...(spec.dryRun ?? []).map((rule, index) => ({ metricName: rule.metricName, limit: 0, path: `spec.dryRun[${index}]` })),
    ...(spec.measurementRetention ?? []).map((rule, index) => ({ ...rule, path: `spec.measurementRetention[${index}]` })),
  ];
  for (const { metricName, limit, path } of rules) {
    if (!spec.metrics.some((metric) => ruleMatches(metricName, metric.name))) {
      error(`${path}.metricName`, `rule '${metricName}' does not match any metric name`);
    }
    if (limit < 0) error(`${path}.limit`, 'limit must be >= 0');
  }
}

function forEachString(value: unknown, path: string, visit: (text: string, path: string) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, index) => forEachString(item, `${path}[${index}]`, visit));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) forEachString(item, `${path}.${key}`, visit);
  }
}

import {
  type AnalysisTemplateSpec,
  type DatadogProvider,
  type Metric,
  METRIC_PROVIDER_NAMES,
  type PrometheusProvider,
  type TemplateArgument,
} from '../types.js';
import { quoted } from '../kubernetes-names.js';
import { MAX_INT32 } from '../limits.js';
import { checkMetricRules } from './analysis-references.js';
import { argumentPlaceholders, isArgumentPlaceholder } from './argument-placeholders.js';
import { checkGoDuration } from './durations.js';
import { childPath, indexPath, type IssueList, keyPath } from './issues.js';
import { hadRefusedFields, isPlainObject, isPresent, type Loose } from './schema.js';
import { checkUniqueNames } from './unique-names.js';

const DIGITS = /^-?\d+$/;

/**
 * An IntOrString limit of a metric: an integer, a string of digits, or a `{{args.NAME}}` placeholder.
 * Answers the number when it is known now, `undefined` when it is a placeholder or was refused.
 */
function checkMetricCount(value: number | string | undefined, path: string, min: number, issues: IssueList): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && isArgumentPlaceholder(value)) return undefined;
  const count = typeof value === 'number' ? value : DIGITS.test(value) ? Number(value) : undefined;
  if (count === undefined) {
    issues.add(path, `must be an integer or an {{args.NAME}} placeholder, not ${typeof value === 'string' ? quoted(value) : value}`);
    return undefined;
  }
  if (count < min) {
    issues.add(path, `must be ${min === 0 ? 'non-negative' : `at least ${min}`}, not ${count}`);
    return undefined;
  }
  if (count > MAX_INT32) {
    issues.add(path, `must be at most ${MAX_INT32}, not ${quoted(String(value))}`);
    return undefined;
  }
  return count;
}

/** A `rangeQuery` time must be given; what it says is checked with the condition language (`@flotilla/analysis`). */
function checkTimeExpression(text: string | undefined, path: string, issues: IssueList): void {
  if (text === undefined || text.trim() === '') issues.add(path, 'is required in a rangeQuery');
}

function checkPrometheus(prometheus: Loose<PrometheusProvider>, prometheusPath: string, issues: IssueList): void {
  const rangeQuery = prometheus.rangeQuery;
  if (rangeQuery !== undefined) {
    const rangePath = childPath(prometheusPath, 'rangeQuery');
    checkTimeExpression(rangeQuery.start, childPath(rangePath, 'start'), issues);
    checkTimeExpression(rangeQuery.end, childPath(rangePath, 'end'), issues);
    if (rangeQuery.step === undefined) issues.add(childPath(rangePath, 'step'), 'is required in a rangeQuery');
    checkGoDuration(rangeQuery.step, childPath(rangePath, 'step'), issues, { positive: true, allowPlaceholder: true });
  }
  const oauth2 = prometheus.authentication?.oauth2;
  if (oauth2?.tokenUrl && (!oauth2.clientId || !oauth2.clientSecret)) {
    issues.add(childPath(childPath(prometheusPath, 'authentication'), 'oauth2'), 'must set clientId and clientSecret with tokenUrl');
  }
  const sigv4 = prometheus.authentication?.sigv4;
  if (sigv4?.roleArn) {
    issues.add(
      childPath(childPath(childPath(prometheusPath, 'authentication'), 'sigv4'), 'roleArn'),
      'is not supported: put the credentials of the role in the Secret that sigv4.profile names',
    );
  }
}

function checkDatadog(datadog: Loose<DatadogProvider>, datadogPath: string, issues: IssueList): void {
  const hasQueries = Object.keys(datadog.queries ?? {}).length > 0;
  if (isPresent(datadog, 'query') === hasQueries) issues.add(datadogPath, 'must set exactly one of query and queries');
  if (datadog.formula !== undefined && !hasQueries) issues.add(childPath(datadogPath, 'formula'), 'requires queries');
  if (hasQueries && datadog.apiVersion !== 'v2') issues.add(childPath(datadogPath, 'queries'), 'requires apiVersion v2');
  if (!datadog.formula && Object.keys(datadog.queries ?? {}).length > 1)
    issues.add(childPath(datadogPath, 'formula'), 'is required when several queries are given');
  if (datadog.aggregator !== undefined && datadog.apiVersion !== 'v2')
    issues.add(childPath(datadogPath, 'aggregator'), 'requires apiVersion v2');
  if (datadog.secretRef?.namespaced === true && !datadog.secretRef.name)
    issues.add(childPath(childPath(datadogPath, 'secretRef'), 'name'), 'is required when namespaced is true');
  checkGoDuration(datadog.interval, childPath(datadogPath, 'interval'), issues, { positive: true, allowPlaceholder: true });
  checkGoDuration(datadog.requestTimeout, childPath(datadogPath, 'requestTimeout'), issues, { positive: true, allowPlaceholder: true });
}

function checkProvider(metric: Loose<Metric>, metricPath: string, issues: IssueList): void {
  const provider = metric.provider;
  if (provider === undefined) return;
  const providerPath = childPath(metricPath, 'provider');
  const providers = METRIC_PROVIDER_NAMES.filter((name) => isPresent(provider, name));
  if (providers.length === 0 && !hadRefusedFields(provider)) {
    issues.add(providerPath, `must set one provider: ${METRIC_PROVIDER_NAMES.join(', ')}`);
  }
  if (providers.length > 1) {
    issues.add(providerPath, `sets ${providers.length} providers (${providers.join(', ')}); a metric takes exactly one`);
  }
  if (provider.prometheus !== undefined) checkPrometheus(provider.prometheus, childPath(providerPath, 'prometheus'), issues);
  if (provider.datadog !== undefined) checkDatadog(provider.datadog, childPath(providerPath, 'datadog'), issues);
  checkGoDuration(provider.cloudWatch?.interval, childPath(childPath(providerPath, 'cloudWatch'), 'interval'), issues, {
    positive: true,
    allowPlaceholder: true,
  });
}

function checkPlaceholders(value: unknown, path: string, declared: ReadonlySet<string>, issues: IssueList): void {
  if (typeof value === 'string') {
    for (const argument of argumentPlaceholders(value)) {
      if (!declared.has(argument)) issues.add(path, `{{args.${argument}}} names no argument declared in spec.args`);
    }
  } else if (Array.isArray(value)) {
    value.forEach((element, index) => checkPlaceholders(element, indexPath(path, index), declared, issues));
  } else if (isPlainObject(value)) {
    for (const [key, element] of Object.entries(value)) {
      checkPlaceholders(element, /^[A-Za-z_]\w*$/.test(key) ? childPath(path, key) : keyPath(path, key), declared, issues);
    }
  }
}

function checkMetric(metric: Loose<Metric>, metricPath: string, declaredArguments: ReadonlySet<string>, issues: IssueList): void {
  checkProvider(metric, metricPath, issues);
  checkGoDuration(metric.interval, childPath(metricPath, 'interval'), issues, { positive: true, allowPlaceholder: true });
  checkGoDuration(metric.initialDelay, childPath(metricPath, 'initialDelay'), issues, { positive: false, allowPlaceholder: true });

  const count = checkMetricCount(metric.count, childPath(metricPath, 'count'), 0, issues);
  // -1 lifts the failure limit altogether.
  const failureLimit = checkMetricCount(metric.failureLimit, childPath(metricPath, 'failureLimit'), -1, issues);
  const inconclusiveLimit = checkMetricCount(metric.inconclusiveLimit, childPath(metricPath, 'inconclusiveLimit'), 0, issues);
  checkMetricCount(metric.consecutiveErrorLimit, childPath(metricPath, 'consecutiveErrorLimit'), 0, issues);
  checkMetricCount(metric.consecutiveSuccessLimit, childPath(metricPath, 'consecutiveSuccessLimit'), 0, issues);

  if (count !== undefined && count > 0) {
    for (const [field, limit] of [
      ['failureLimit', failureLimit],
      ['inconclusiveLimit', inconclusiveLimit],
    ] as const) {
      if (limit !== undefined && limit > count) issues.add(childPath(metricPath, field), `must not exceed count (${count}), not ${limit}`);
    }
  }
  if (count !== undefined && count > 1 && !isPresent(metric, 'interval')) {
    issues.add(childPath(metricPath, 'interval'), `is required when count is greater than 1 (count is ${count})`);
  }
  checkPlaceholders(metric, metricPath, declaredArguments, issues);
}

function checkTemplateArguments(args: Loose<TemplateArgument[]> | undefined, issues: IssueList): void {
  checkUniqueNames(args, 'spec.args', 'argument', issues);
  args?.forEach((argument, index) => {
    if (argument === undefined) return;
    const argumentPath = indexPath('spec.args', index);
    if (argument.value !== undefined && argument.valueFrom !== undefined)
      issues.add(argumentPath, 'must set only one of value and valueFrom');
    const valueFrom = argument.valueFrom;
    if (
      valueFrom !== undefined &&
      !hadRefusedFields(valueFrom) &&
      isPresent(valueFrom, 'secretKeyRef') === isPresent(valueFrom, 'fieldRef')
    ) {
      issues.add(childPath(argumentPath, 'valueFrom'), 'must set exactly one of secretKeyRef and fieldRef');
    }
  });
}

/**
 * The meaning of an AnalysisTemplate or ClusterAnalysisTemplate spec, once its shape has been checked.
 * @example a metric with `count: 3` and `failureLimit: 5` is reported at `spec.metrics[0].failureLimit`,
 *   and `{{args.service}}` in a query with no `service` argument at the query's own path.
 */
export function checkAnalysisTemplateSpec(spec: Loose<AnalysisTemplateSpec>, issues: IssueList): void {
  checkTemplateArguments(spec.args, issues);
  const declaredArguments = new Set((spec.args ?? []).flatMap((argument) => (argument?.name === undefined ? [] : [argument.name])));
  checkUniqueNames(spec.metrics, 'spec.metrics', 'metric', issues);
  spec.metrics?.forEach((metric, index) => {
    if (metric !== undefined) checkMetric(metric, indexPath('spec.metrics', index), declaredArguments, issues);
  });
  const metricNames = (spec.metrics ?? []).flatMap((metric) => (metric?.name === undefined ? [] : [metric.name]));
  checkMetricRules(spec.dryRun, 'spec.dryRun', metricNames, issues);
  checkMetricRules(spec.measurementRetention, 'spec.measurementRetention', metricNames, issues);
}

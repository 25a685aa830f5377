import type { AnalysisTemplateSpec, Metric } from '@flotilla/argo-spec';
import { describe, expect, it } from 'vitest';
import { metric } from './test-support.js';
import { validateAnalysisSpec, type ValidationIssue } from './validation.js';

const OPTIONS = { minimumIntervalSeconds: 10 };

function spec(metrics: Metric[], overrides: Partial<AnalysisTemplateSpec> = {}): AnalysisTemplateSpec {
  return { args: [{ name: 'service-name' }], metrics, ...overrides };
}

describe('validateAnalysisSpec', () => {
  it('accepts the documented background analysis template', () => {
    const template = spec([
      metric({
        interval: '5m',
        successCondition: 'result[0] >= 0.95',
        failureLimit: 3,
        provider: {
          prometheus: {
            address: 'http://prometheus.example.com:9090',
            query: 'sum(irate(istio_requests_total{destination_service=~"{{args.service-name}}"}[5m]))',
          },
        },
      }),
    ]);
    expect(validateAnalysisSpec(template, OPTIONS)).toEqual({ errors: [], warnings: [] });
  });

  it.each<[string, Partial<Metric>, ValidationIssue]>([
    [
      'a condition that does not compile',
      { successCondition: 'result[0] >=' },
      { path: 'spec.metrics[0].successCondition', message: 'unexpected end of condition at position 12 of condition "result[0] >="' },
    ],
    [
      'a condition matching an invalid RE2 pattern',
      { successCondition: "result matches '(a'" },
      {
        path: 'spec.metrics[0].successCondition',
        message: 'error parsing regexp: missing closing ): `(a` at position 15 of condition "result matches \'(a\'"',
      },
    ],
    [
      'a condition calling an unknown function',
      { failureCondition: 'exec(result)' },
      { path: 'spec.metrics[0].failureCondition', message: 'unknown function exec at position 0 of condition "exec(result)"' },
    ],
    [
      'an unknown provider',
      { provider: { plugin: { 'argoproj-labs/sample': {} } } as Metric['provider'] },
      { path: 'spec.metrics[0].provider.plugin', message: "unknown metric provider 'plugin'" },
    ],
    ['no provider', { provider: {} }, { path: 'spec.metrics[0].provider', message: 'no provider specified' }],
    [
      'two providers',
      { provider: { prometheus: { address: 'a', query: 'q' }, web: { url: 'u' } } },
      { path: 'spec.metrics[0].provider', message: 'multiple providers specified: prometheus, web' },
    ],
    [
      'an undeclared argument',
      { provider: { web: { url: 'http://{{args.host}}/m' } } },
      { path: 'spec.metrics[0].provider.web.url', message: "argument 'host' is not declared in spec.args" },
    ],
    [
      'a placeholder that names no argument',
      { provider: { web: { url: 'http://x', headers: [{ key: 'a', value: '{{secret}}' }] } } },
      { path: 'spec.metrics[0].provider.web.headers[0].value', message: 'placeholder {{secret}} must have the form {{args.name}}' },
    ],
    [
      'an undeclared argument in a condition',
      { successCondition: 'result < {{args.threshold}}' },
      { path: 'spec.metrics[0].successCondition', message: "argument 'threshold' is not declared in spec.args" },
    ],
    [
      'an interval below the minimum',
      { interval: '5s' },
      { path: 'spec.metrics[0].interval', message: 'interval 5s is below the minimum of 10s' },
    ],
    [
      'an unparsable interval',
      { interval: '5 minutes' },
      { path: 'spec.metrics[0].interval', message: "invalid interval string '5 minutes'" },
    ],
    [
      'an unparsable initial delay',
      { initialDelay: 'later' },
      { path: 'spec.metrics[0].initialDelay', message: "invalid initialDelay string 'later'" },
    ],
    [
      'count below failureLimit',
      { count: 2, interval: '1m', failureLimit: 3 },
      { path: 'spec.metrics[0].count', message: 'count must be >= failureLimit' },
    ],
    [
      'count below inconclusiveLimit',
      { count: 2, interval: '1m', inconclusiveLimit: 3 },
      { path: 'spec.metrics[0].count', message: 'count must be >= inconclusiveLimit' },
    ],
    [
      'count below consecutiveSuccessLimit',
      { count: 2, interval: '1m', consecutiveSuccessLimit: 3 },
      { path: 'spec.metrics[0].count', message: 'count must be >= consecutiveSuccessLimit' },
    ],
    ['a count without interval', { count: 3 }, { path: 'spec.metrics[0].interval', message: 'interval must be specified when count > 1' }],
    [
      'a limit that is not an integer',
      { failureLimit: 'three' },
      { path: 'spec.metrics[0].failureLimit', message: 'failureLimit must be an integer' },
    ],
    ['a fractional count', { count: 1.5 }, { path: 'spec.metrics[0].count', message: 'count must be an integer' }],
    ['failureLimit below -1', { failureLimit: -2 }, { path: 'spec.metrics[0].failureLimit', message: 'failureLimit must be >= -1' }],
    [
      'a negative consecutiveErrorLimit',
      { consecutiveErrorLimit: -1 },
      { path: 'spec.metrics[0].consecutiveErrorLimit', message: 'consecutiveErrorLimit must be >= 0' },
    ],
    [
      'neither limit applicable',
      { failureLimit: -1 },
      { path: 'spec.metrics[0].failureLimit', message: 'either failureLimit >= 0 or consecutiveSuccessLimit > 0 must be set' },
    ],
  ])('reports %s', (_, overrides, issue) => {
    expect(validateAnalysisSpec(spec([metric(overrides)]), OPTIONS).errors).toEqual([issue]);
  });

  it('checks limits and timings given as arguments only once they are resolved', () => {
    const template = spec([metric({ count: '{{args.count}}', interval: '{{args.interval}}', failureLimit: '{{args.limit}}' })], {
      args: [
        { name: 'count', value: '10' },
        { name: 'interval', value: '1s' },
        { name: 'limit', value: '20' },
      ],
    });
    expect(validateAnalysisSpec(template, OPTIONS)).toEqual({ errors: [], warnings: [] });
  });

  it.each<[Partial<Metric>]>([[{ count: 3, interval: '1m', failureLimit: 3 }], [{ failureLimit: 1 }]])(
    'warns when %j can never fail',
    (overrides) => {
      const validation = validateAnalysisSpec(spec([metric(overrides)]), OPTIONS);
      expect(validation.errors).toEqual([]);
      expect(validation.warnings).toEqual([
        {
          path: 'spec.metrics[0].count',
          message: expect.stringMatching(/^count \(\d\) is not above failureLimit \(\d\): the metric can never fail$/) as unknown,
        },
      ]);
    },
  );

  it('refuses a Prometheus rangeQuery time that is no time expression, unless an argument decides it', () => {
    const ranged = (start: string): Metric =>
      metric({
        provider: { prometheus: { address: 'http://prometheus:9090', query: 'up', rangeQuery: { start, end: 'now()', step: '1m' } } },
      });
    expect(validateAnalysisSpec(spec([ranged('now() - duration("??")')]), OPTIONS).errors).toEqual([
      {
        path: 'spec.metrics[0].provider.prometheus.rangeQuery.start',
        message: expect.stringContaining('is not a time expression such as now() - duration("1h"): time: invalid duration') as string,
      },
    ]);
    expect(validateAnalysisSpec(spec([ranged('now() - duration("{{args.service-name}}")')]), OPTIONS).errors).toEqual([]);
    expect(validateAnalysisSpec(spec([ranged('now() - duration("1h")')]), OPTIONS).errors).toEqual([]);
  });

  it('reports template-level problems with their paths', () => {
    const template = spec([metric({ name: 'a' }), metric({ name: 'a' })], {
      args: [{ name: 'x', value: '1' }, { name: 'x', value: '2' }, { name: 'service-name' }],
      dryRun: [{ metricName: 'b.*' }],
      measurementRetention: [{ metricName: 'a', limit: -1 }],
    });
    expect(validateAnalysisSpec(template, { ...OPTIONS, suppliedArguments: [] }).errors).toEqual([
      { path: 'spec.metrics[1].name', message: "duplicate metric name 'a'" },
      { path: 'spec.args[1].name', message: "duplicate argument 'x'" },
      { path: 'spec.args[2]', message: "argument 'service-name' has no default and is not supplied" },
      { path: 'spec.dryRun[0].metricName', message: "rule 'b.*' does not match any metric name" },
      { path: 'spec.measurementRetention[0].limit', message: 'limit must be >= 0' },
    ]);
  });

  it('accepts required arguments the referencing rollout supplies', () => {
    expect(validateAnalysisSpec(spec([metric()]), { ...OPTIONS, suppliedArguments: ['service-name'] }).errors).toEqual([]);
  });

  it('refuses a template without metrics', () => {
    expect(validateAnalysisSpec(spec([]), OPTIONS).errors).toEqual([{ path: 'spec.metrics', message: 'no metrics specified' }]);
  });
});

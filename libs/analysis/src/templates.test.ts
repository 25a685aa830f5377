import type { AnalysisTemplateSpec } from '@flotilla/argo-spec';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from './arguments.js';
import { mergeTemplates, TemplateMergeError } from './templates.js';
import { metric } from './test-support.js';

const successRate: AnalysisTemplateSpec = {
  args: [{ name: 'service-name' }],
  metrics: [metric({ name: 'success-rate', interval: '5m', successCondition: 'result[0] >= 0.95', failureLimit: 3 })],
};
const errorRate: AnalysisTemplateSpec = {
  args: [{ name: 'service-name' }, { name: 'port', value: '9090' }],
  metrics: [metric({ name: 'error-rate', interval: '5m', successCondition: 'result[0] <= 0.95', failureLimit: 3 })],
  dryRun: [{ metricName: 'error-rate' }],
  measurementRetention: [{ metricName: 'error-rate', limit: 20 }],
};

describe('mergeTemplates', () => {
  it('combines metrics, arguments and rules as the documented multi-template example', () => {
    const merged = mergeTemplates(
      [
        { name: 'success-rate', spec: successRate },
        { name: 'error-rate', spec: errorRate },
      ],
      [{ name: 'service-name', value: 'guestbook-svc.default.svc.cluster.local' }],
      { dryRun: [{ metricName: 'success-rate' }] },
    );
    expect(merged).toEqual({
      metrics: [...successRate.metrics, ...errorRate.metrics],
      args: [
        { name: 'service-name', value: 'guestbook-svc.default.svc.cluster.local' },
        { name: 'port', value: '9090' },
      ],
      dryRun: [{ metricName: 'success-rate' }, { metricName: 'error-rate' }],
      measurementRetention: [{ metricName: 'error-rate', limit: 20 }],
    });
  });

  it('puts AnalysisTemplates before ClusterAnalysisTemplates', () => {
    const merged = mergeTemplates(
      [
        { name: 'error-rate', clusterScope: true, spec: errorRate },
        { name: 'success-rate', spec: successRate },
      ],
      [{ name: 'service-name', value: 'web' }],
    );
    expect(merged).not.toBeInstanceOf(Error);
    expect((merged as Exclude<typeof merged, Error>).metrics.map((entry) => entry.name)).toEqual(['success-rate', 'error-rate']);
  });

  it('lets a later template give a value to an argument an earlier one left open', () => {
    const merged = mergeTemplates([
      { name: 'a', spec: { args: [{ name: 'port' }], metrics: [metric({ name: 'a' })] } },
      { name: 'b', spec: { args: [{ name: 'port', value: '8080' }], metrics: [metric({ name: 'b' })] } },
      { name: 'c', spec: { args: [{ name: 'port' }], metrics: [metric({ name: 'c' })] } },
    ]);
    expect(merged).toMatchObject({ args: [{ name: 'port', value: '8080' }] });
  });

  it.each<[string, Parameters<typeof mergeTemplates>, string, string, string]>([
    [
      'two metrics with one name',
      [
        [
          { name: 'a', spec: successRate },
          { name: 'b', spec: successRate },
        ],
        [{ name: 'service-name', value: 'x' }],
      ],
      'duplicate-metric',
      'success-rate',
      "two metrics have the same name 'success-rate'",
    ],
    [
      'one argument with two default values',
      [
        [
          { name: 'a', spec: { args: [{ name: 'port', value: '80' }], metrics: [metric({ name: 'a' })] } },
          { name: 'b', spec: { args: [{ name: 'port', value: '8080' }], metrics: [metric({ name: 'b' })] } },
        ],
        [{ name: 'port', value: '9090' }],
      ],
      'conflicting-argument',
      'port',
      "Argument `port` specified multiple times with different values: '80', '8080'",
    ],
    [
      'a dry-run rule given twice',
      [[{ name: 'error-rate', spec: errorRate }], [{ name: 'service-name', value: 'x' }], { dryRun: [{ metricName: 'error-rate' }] }],
      'duplicate-dry-run-rule',
      'error-rate',
      "two Dry-Run metric rules have the same name 'error-rate'",
    ],
    [
      'a retention rule given twice',
      [
        [{ name: 'error-rate', spec: errorRate }],
        [{ name: 'service-name', value: 'x' }],
        { measurementRetention: [{ metricName: 'error-rate', limit: 5 }] },
      ],
      'duplicate-measurement-retention-rule',
      'error-rate',
      "two Measurement Retention metric rules have the same name 'error-rate'",
    ],
  ])('refuses %s', (_, parameters, reason, subject, message) => {
    const merged = mergeTemplates(...parameters);
    expect(merged).toBeInstanceOf(TemplateMergeError);
    expect(merged).toMatchObject({ reason, subject, message });
  });

  it('refuses a required argument nobody passed', () => {
    const merged = mergeTemplates([{ name: 'success-rate', spec: successRate }]);
    expect(merged).toBeInstanceOf(ArgumentError);
    expect(merged).toMatchObject({ reason: 'missing', argument: 'service-name' });
  });
});

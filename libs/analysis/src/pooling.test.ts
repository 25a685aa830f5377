import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateMeasurementResult } from './measurement.js';
import { poolMeasurement, type ClusterOutcome } from './pooling.js';

const CLUSTERS = ['eu', 'us', 'ap', 'sa'];
const EACH_BELOW = { successCondition: 'all(result, {#.value[0] < 0.01})' };
const POOLED_RATE = {
  successCondition: 'sum(map(result, {#.value.errors})) / sum(map(result, {#.value.requests})) < 0.01',
};

const value = (measured: unknown): ClusterOutcome => ({ ok: true, value: measured });
const answers = (entries: Record<string, ClusterOutcome>): Map<string, ClusterOutcome> => new Map(Object.entries(entries));

describe('poolMeasurement', () => {
  it.each<[string, Parameters<typeof poolMeasurement>[0], Record<string, ClusterOutcome>, boolean, string | undefined, string?]>([
    [
      'every cluster below',
      EACH_BELOW,
      { eu: value([0.001]), us: value([0.002]), ap: value([0]), sa: value([0.009]) },
      false,
      'Successful',
    ],
    ['one cluster above', EACH_BELOW, { eu: value([0.001]), us: value([0.02]), ap: value([0]), sa: value([0.009]) }, false, 'Failed'],
    [
      'each cluster within the error budget alone, the fleet over it',
      { successCondition: 'sum(map(result, {#.value[0]})) < 10' },
      { eu: value([4]), us: value([4]), ap: value([4]), sa: value([4]) },
      false,
      'Failed',
    ],
    [
      'the fleet under 1 % although one cluster is over it',
      POOLED_RATE,
      {
        eu: value({ errors: 3, requests: 100 }),
        us: value({ errors: 0, requests: 10_000 }),
        ap: value({ errors: 1, requests: 5_000 }),
        sa: value({ errors: 0, requests: 1_000 }),
      },
      false,
      'Successful',
    ],
    ['still waiting for sa', EACH_BELOW, { eu: value([0]), us: value([0]), ap: value([0]) }, false, undefined],
    [
      'sa never answered',
      EACH_BELOW,
      { eu: value([0]), us: value([0]), ap: value([0]) },
      true,
      'Error',
      'no answer from cluster sa in time',
    ],
    ['nobody answered', EACH_BELOW, {}, true, 'Error', 'no answer from clusters ap, eu, sa, us in time'],
    [
      'a provider error in one cluster',
      EACH_BELOW,
      { eu: value([0]), us: { ok: false, error: 'connection refused' }, ap: value([0]), sa: value([0]) },
      false,
      'Error',
      'us: connection refused',
    ],
    [
      'a phase decided in the cluster',
      EACH_BELOW,
      { eu: value([0]), us: { ok: true, value: null, phase: 'Successful' }, ap: value([0]), sa: value([0]) },
      false,
      'Error',
      'the provider decided its phase in us (Successful): a pooled measurement needs values',
    ],
    [
      'a condition that cannot evaluate a cluster value',
      EACH_BELOW,
      { eu: value([0]), us: value('n/a'), ap: value([0]), sa: value([0]) },
      false,
      'Error',
      undefined,
    ],
    [
      'an answer from outside the wave',
      EACH_BELOW,
      { eu: value([0]), us: value([0]), ap: value([0]), sa: value([0]), other: value([1]) },
      false,
      'Successful',
    ],
  ])('%s', (_case, metric, given, deadlinePassed, phase, message) => {
    const pooled = poolMeasurement(metric, CLUSTERS, answers(given), deadlinePassed);
    expect(pooled?.phase).toBe(phase);
    if (message !== undefined) expect(pooled?.message).toBe(message);
  });

  it('lists the clusters in name order, each value as the cluster answered it', () => {
    const pooled = poolMeasurement(EACH_BELOW, ['us', 'eu'], answers({ us: value([0.002]), eu: value({ a: [1] }) }), false);
    expect(pooled?.result).toEqual([
      { cluster: 'eu', value: { a: [1] } },
      { cluster: 'us', value: [0.002] },
    ]);
    expect(pooled?.value).toBe('[{"cluster":"eu","value":{"a":[1]}},{"cluster":"us","value":[0.002]}]');
  });
});

describe('poolMeasurement, over random waves', () => {
  const wave = fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 12 });
  const rate = fc.double({ min: 0, max: 0.05, noNaN: true });

  it('is Error at the deadline whenever a cluster is missing, and waits before it', () => {
    fc.assert(
      fc.property(wave, fc.array(rate, { minLength: 12, maxLength: 12 }), fc.nat(), (clusters, rates, dropped) => {
        const missing = clusters[dropped % clusters.length] as string;
        const given = new Map(clusters.filter((cluster) => cluster !== missing).map((cluster, i) => [cluster, value([rates[i]])]));
        expect(poolMeasurement(EACH_BELOW, clusters, given, false)).toBeUndefined();
        expect(poolMeasurement(EACH_BELOW, clusters, given, true)).toMatchObject({ phase: 'Error' });
      }),
    );
  });

  it('with all(…) passes exactly when every cluster’s own measurement would', () => {
    fc.assert(
      fc.property(wave, fc.array(rate, { minLength: 12, maxLength: 12 }), (clusters, rates) => {
        const given = new Map(clusters.map((cluster, i) => [cluster, value([rates[i]])]));
        const eachPasses = clusters.every(
          (_cluster, i) => evaluateMeasurementResult({ successCondition: 'result[0] < 0.01' }, [rates[i]]).phase === 'Successful',
        );
        expect(poolMeasurement(EACH_BELOW, clusters, given, false)?.phase).toBe(eachPasses ? 'Successful' : 'Failed');
      }),
    );
  });

  it('does not depend on the order clusters are named or answered in', () => {
    fc.assert(
      fc.property(wave, fc.array(rate, { minLength: 12, maxLength: 12 }), (clusters, rates) => {
        const entries = clusters.map((cluster, i) => [cluster, value({ errors: (rates[i] as number) * 100, requests: 100 })] as const);
        const forwards = poolMeasurement(POOLED_RATE, clusters, new Map(entries), true);
        const backwards = poolMeasurement(POOLED_RATE, [...clusters].reverse(), new Map([...entries].reverse()), true);
        expect(backwards).toEqual(forwards);
        expect(forwards?.result?.map((entry) => entry.cluster)).toEqual([...clusters].sort());
      }),
    );
  });
});

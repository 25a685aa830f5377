import { describe, expect, it } from 'vitest';
import type { Measurement } from '../api/documents.js';
import { pooledSeries, waveOfRun } from './pooled-series.js';

const at = '2026-03-01T12:00:00Z';
const part = (cluster: string | null, index: number, phase: string, value: string | null): Measurement => ({
  metricName: 'error-rate',
  index,
  cluster,
  phase,
  value,
  message: null,
  startedAt: at,
  finishedAt: at,
});

describe('pooledSeries', () => {
  it("draws each cluster's own value as its series, marked with the pooled verdict of the moment", () => {
    const measurements = [
      part(null, 0, 'Failed', '[…]'),
      part('eu', 0, 'Successful', '[0.002]'),
      part('us', 0, 'Successful', '[0.03]'),
      part('eu', 1, 'Successful', '[0.001]'),
      part('us', 1, 'Running', null),
    ];
    expect(
      pooledSeries({ cluster: null, measurements }).map(({ metricName, index, phase, value }) => [metricName, index, phase, value]),
    ).toEqual([
      ['error-rate · eu', 0, 'Failed', '[0.002]'],
      ['error-rate · us', 0, 'Failed', '[0.03]'],
      ['error-rate · eu', 1, 'Running', '[0.001]'],
      ['error-rate · us', 1, 'Running', null],
    ]);
  });

  it("places every cluster's value of a moment at the moment's start; a part without its moment where it was taken", () => {
    const taken = (cluster: string | null, index: number, second: number): Measurement => ({
      ...part(cluster, index, 'Successful', '[0.01]'),
      startedAt: `2026-03-01T12:00:${second}Z`,
      finishedAt: `2026-03-01T12:00:${second + 1}Z`,
    });
    const measurements = [taken(null, 0, 10), taken('eu', 0, 11), taken('us', 0, 12), taken('eu', 1, 30)];
    expect(pooledSeries({ cluster: null, measurements }).map(({ startedAt, finishedAt }) => [startedAt, finishedAt])).toEqual([
      ['2026-03-01T12:00:10Z', null],
      ['2026-03-01T12:00:10Z', null],
      ['2026-03-01T12:00:30Z', '2026-03-01T12:00:31Z'],
    ]);
  });

  it("leaves a cluster's own run as it is", () => {
    const measurements = [part(null, 0, 'Successful', '[0.001]')];
    expect(pooledSeries({ cluster: 'eu', measurements })).toBe(measurements);
  });
});

describe('waveOfRun', () => {
  it.each<[unknown, string | undefined]>([
    [{ fleetWave: { wave: 'first-production', cluster: null, attempt: 0 } }, 'first-production'],
    [{ analysis: {} }, undefined],
    [null, undefined],
  ])('%j → %s', (spec, wave) => {
    expect(waveOfRun({ spec })).toBe(wave);
  });
});

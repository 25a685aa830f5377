import { describe, expect, it } from 'vitest';
import type { ResolvedRun } from '../../../../libs/stores/src/analysis-runs/run-resolution.js';
import { ResolvedRuns } from './resolved-runs.js';

const resolved = (name: string): ResolvedRun => ({
  templates: [{ name, clusterScope: false, version: 1 }],
  spec: { metrics: [], args: [], dryRun: [], measurementRetention: [] },
  measuredBy: {},
});

describe('ResolvedRuns', () => {
  it('makes room by dropping the run used longest ago', () => {
    const runs = new ResolvedRuns(2);
    runs.remember('a', resolved('a'));
    runs.remember('b', resolved('b'));
    expect(runs.get('a')).toEqual(resolved('a'));
    runs.remember('c', resolved('c'));
    expect(runs.get('b')).toBeUndefined();
    expect(runs.get('a')).toEqual(resolved('a'));
    expect(runs.get('c')).toEqual(resolved('c'));
  });

  it('forgets a run that ended', () => {
    const runs = new ResolvedRuns(2);
    runs.remember('a', resolved('a'));
    runs.forget('a');
    expect(runs.get('a')).toBeUndefined();
  });
});

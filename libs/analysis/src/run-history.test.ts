import { describe, expect, it } from 'vitest';
import { listedRuns, runHistoryLimits } from './run-history.js';

const run = (phase: string, name: string) => ({ phase, name });

describe('listedRuns', () => {
  // upstream: TestFilterAnalysisRunsToDeleteByLimit (ten finished runs; upstream counts those deleted, here those listed)
  const finished = ['S0', 'F0', 'S1', 'F1', 'S2', 'F2', 'S3', 'F3', 'S4', 'F4'].map((name) =>
    run(name.startsWith('S') ? 'Successful' : 'Failed', name),
  );
  it.each([
    [1, 0, 1],
    [5, 0, 5],
    [10, 0, 5],
    [0, 1, 1],
    [0, 5, 5],
    [0, 10, 5],
    [0, 0, 0],
    [4, 4, 8],
    [10, 10, 10],
  ])('with limits %i successful and %i unsuccessful lists %i', (successful, unsuccessful, listed) => {
    expect(listedRuns(finished, { successful, unsuccessful })).toHaveLength(listed);
  });

  it('keeps the newest of each kind, in the order given, and every run not finished', () => {
    const runs = [
      run('Running', 'r9'),
      run('Successful', 's8'),
      run('Inconclusive', 'i7'),
      run('Successful', 's6'),
      run('Error', 'e5'),
      run('Pending', 'p4'),
      run('Failed', 'f3'),
    ];
    expect(listedRuns(runs, { successful: 1, unsuccessful: 2 }).map((each) => each.name)).toEqual(['r9', 's8', 'i7', 'e5', 'p4']);
  });
});

describe('runHistoryLimits', () => {
  it('defaults to five of each, as upstream', () => {
    expect(runHistoryLimits(undefined)).toEqual({ successful: 5, unsuccessful: 5 });
    expect(runHistoryLimits({ unsuccessfulRunHistoryLimit: 0 })).toEqual({ successful: 5, unsuccessful: 0 });
  });
});

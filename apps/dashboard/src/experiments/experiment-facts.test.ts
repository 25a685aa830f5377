import { describe, expect, it } from 'vitest';
import type { ExperimentAnalysis } from '../api/documents.js';
import { analysisRows, experimentMoments, experimentOrigin } from './experiment-facts.js';

const analysis = (name: string, analysisRun: string): ExperimentAnalysis => ({ name, analysisRun, phase: 'Running', message: '' });

describe('analysisRows', () => {
  it('tells which analyses have a run the API lists, by the run name', () => {
    const rows = analysisRows({
      analyses: [analysis('compare', 'checkout-6c8f9d-2-1-compare'), analysis('smoke', 'checkout-6c8f9d-2-1-smoke')],
      analysisRuns: [
        { id: '0190-b', name: 'checkout-6c8f9d-2-1-smoke' },
        { id: '0190-a', name: 'checkout-6c8f9d-2-1-compare' },
      ],
    });
    expect(rows.map(({ name, runListed }) => [name, runListed])).toEqual([
      ['compare', true],
      ['smoke', true],
    ]);
    expect(analysisRows({ analyses: [analysis('compare', 'not-started')], analysisRuns: [] })[0]).toEqual({
      ...analysis('compare', 'not-started'),
      runListed: false,
    });
  });
});

describe('experimentOrigin', () => {
  const revisions = [
    { revision: 1, podTemplateHash: '5d8f7c' },
    { revision: 2, podTemplateHash: '6c8f9d' },
  ];
  it.each([
    [{ stepIndex: 1, podTemplateHash: '6c8f9d' }, 'step 2 of revision 2'],
    [{ stepIndex: 0, podTemplateHash: '5d8f7c' }, 'step 1 of revision 1'],
    [{ stepIndex: 3, podTemplateHash: 'gone42' }, 'step 4 of gone42'],
    [{ stepIndex: 3, podTemplateHash: null }, 'step 4'],
    [{ stepIndex: null, podTemplateHash: null }, 'standalone'],
  ])('describes %j as %j', (experiment, expected) => {
    expect(experimentOrigin(experiment, revisions)).toBe(expected);
  });
});

describe('experimentMoments', () => {
  it.each([
    [{ createdAt: 'T0', availableAt: null, finishedAt: null, releasedAt: null }, ['started']],
    [{ createdAt: 'T0', availableAt: 'T1', finishedAt: null, releasedAt: null }, ['started', 'available']],
    [{ createdAt: 'T0', availableAt: 'T1', finishedAt: 'T2', releasedAt: 'T3' }, ['started', 'available', 'finished', 'released']],
    // An experiment that failed before its templates all ran never became available.
    [{ createdAt: 'T0', availableAt: null, finishedAt: 'T2', releasedAt: null }, ['started', 'finished']],
  ])('lists the moments %j has reached', (experiment, expected) => {
    expect(experimentMoments(experiment).map((moment) => moment.label)).toEqual(expected);
  });

  it('keeps the time of each moment', () => {
    expect(experimentMoments({ createdAt: 'T0', availableAt: 'T1', finishedAt: null, releasedAt: null })).toEqual([
      { label: 'started', iso: 'T0' },
      { label: 'available', iso: 'T1' },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { measureJobId, parseAnalysisJob } from './analysis-queue.js';

const runId = '0190a0c0-0000-7000-8000-000000000001';
const queuedAt = new Date('2026-06-01T00:00:02.000Z');

describe('measureJobId', () => {
  it('names a single measurement by run, metric and index', () => {
    expect(measureJobId(runId, [{ metricName: 'success-rate', index: 3 }])).toBe(`${runId}.success-rate.3`);
  });

  it('names the same measurements the same whatever their order', () => {
    const id = measureJobId(runId, [
      { metricName: 'b', index: 1 },
      { metricName: 'a', index: 2 },
    ]);
    expect(id).toBe(`${runId}.a.2+b.1`);
    expect(
      measureJobId(runId, [
        { metricName: 'a', index: 2 },
        { metricName: 'b', index: 1 },
      ]),
    ).toBe(id);
  });

  it('keeps metric names from being read as separators', () => {
    expect(measureJobId(runId, [{ metricName: 'a+b:c', index: 0 }])).toBe(`${runId}.a%2Bb%3Ac.0`);
  });
});

describe('parseAnalysisJob', () => {
  it('reads a measure job of several measurements', () => {
    expect(
      parseAnalysisJob(
        'measure',
        {
          runId,
          due: [
            { metricName: 'a', index: 0 },
            { metricName: 'b', index: 0 },
          ],
        },
        queuedAt,
      ),
    ).toEqual({
      name: 'measure',
      data: {
        runId,
        due: [
          { metricName: 'a', index: 0 },
          { metricName: 'b', index: 0 },
        ],
      },
    });
  });

  it('reads a measure job queued with a single measurement', () => {
    expect(parseAnalysisJob('measure', { runId, metricName: 'a', index: 4 }, queuedAt)).toEqual({
      name: 'measure',
      data: { runId, due: [{ metricName: 'a', index: 4 }] },
    });
  });

  it.each([
    { case: 'no measurements', data: { runId, due: [] } },
    { case: 'an index that is not an integer', data: { runId, due: [{ metricName: 'a', index: 1.5 }] } },
    { case: 'no run', data: { due: [{ metricName: 'a', index: 0 }] } },
  ])('refuses a measure job with $case', ({ data }) => {
    expect(parseAnalysisJob('measure', data, queuedAt)).toBeUndefined();
  });

  it('reads the answering cluster of a record job', () => {
    const answers = [{ metricName: 'a', index: 0, outcome: { ok: true, value: 1, rawValue: '1' }, answeredAt: '2026-06-01T00:00:01.250Z' }];
    expect(parseAnalysisJob('record', { runId, cluster: 'eu', answers }, queuedAt)).toEqual({
      name: 'record',
      data: { runId, cluster: 'eu', answers: [{ ...answers[0], answeredAt: new Date('2026-06-01T00:00:01.250Z') }] },
    });
  });

  it('reads a record job with its answers and when each arrived', () => {
    const answers = [
      { metricName: 'a', index: 2, outcome: { ok: false, error: 'timeout' }, answeredAt: '2026-06-01T00:00:01.250Z' },
      { metricName: 'b', index: 2, outcome: { ok: true, value: [1], rawValue: '[1]' }, answeredAt: '2026-06-01T00:00:01.300Z' },
    ];
    expect(parseAnalysisJob('record', { runId, answers }, queuedAt)).toEqual({
      name: 'record',
      data: { runId, answers: answers.map((answer) => ({ ...answer, answeredAt: new Date(answer.answeredAt) })) },
    });
  });

  it('reads a record job queued with a single answer as answered when it was queued', () => {
    const outcome = { ok: false, error: 'timeout' };
    expect(parseAnalysisJob('record', { runId, metricName: 'a', index: 2, outcome }, queuedAt)).toEqual({
      name: 'record',
      data: { runId, answers: [{ metricName: 'a', index: 2, outcome, answeredAt: queuedAt }] },
    });
  });

  it.each([
    { case: 'no answers', data: { runId, answers: [] } },
    { case: 'an answer without its time', data: { runId, answers: [{ metricName: 'a', index: 0, outcome: { ok: true, value: 1 } }] } },
    {
      case: 'an answer at no valid time',
      data: { runId, answers: [{ metricName: 'a', index: 0, outcome: { ok: true, value: 1 }, answeredAt: 'soon' }] },
    },
    { case: 'an answer without an outcome', data: { runId, answers: [{ metricName: 'a', index: 0, answeredAt: '2026-06-01T00:00:00Z' }] } },
  ])('refuses a record job with $case', ({ data }) => {
    expect(parseAnalysisJob('record', data, queuedAt)).toBeUndefined();
  });
});

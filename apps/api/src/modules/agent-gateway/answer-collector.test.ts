import type { MeasurementOutcome, MeasurementRequest } from '@flotilla/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MeasurementAnswer } from '../../../../../libs/queues/src/analysis-queue.js';
import { AnswerCollector } from './answer-collector.js';

const runId = '0190a0c0-0000-7000-8000-000000000001';
const otherRunId = '0190a0c0-0000-7000-8000-000000000002';
const at = new Date('2026-06-01T00:00:01.000Z');
const ok: MeasurementOutcome = { ok: true, value: [1], rawValue: '[1]' };

const request = (run: string, metricName: string, index = 0, timeoutSeconds = 10): MeasurementRequest => ({
  requestId: `${run}.${metricName}.${index}`,
  run: { name: 'checkout-1', namespace: 'shop', uid: run },
  metric: { name: metricName, provider: { web: { url: 'http://metrics' } } },
  measurementIndex: index + 1,
  timeoutSeconds,
});

describe('AnswerCollector', () => {
  let handedOn: { runId: string; answers: MeasurementAnswer[] }[];
  let collector: AnswerCollector;
  beforeEach(() => {
    vi.useFakeTimers();
    handedOn = [];
    collector = new AnswerCollector((run, answers) => handedOn.push({ runId: run, answers }));
  });
  afterEach(() => vi.useRealTimers());

  it('hands on the answers of requests asked together once the last one arrives', () => {
    collector.asked([request(runId, 'a'), request(runId, 'b')]);
    expect(collector.answered(`${runId}.b.0`, ok, at)).toBe(true);
    expect(handedOn).toEqual([]);
    expect(collector.answered(`${runId}.a.0`, { ok: false, error: 'timeout' }, at)).toBe(true);
    expect(handedOn).toEqual([
      {
        runId,
        answers: [
          { metricName: 'b', index: 0, outcome: ok, answeredAt: at },
          { metricName: 'a', index: 0, outcome: { ok: false, error: 'timeout' }, answeredAt: at },
        ],
      },
    ]);
  });

  it('keeps groups of different runs apart', () => {
    collector.asked([request(runId, 'a')]);
    collector.asked([request(otherRunId, 'a')]);
    collector.answered(`${otherRunId}.a.0`, ok, at);
    expect(handedOn.map((group) => group.runId)).toEqual([otherRunId]);
  });

  it('refuses answers to requests it did not send, and a second answer to one it did', () => {
    expect(collector.answered(`${runId}.a.0`, ok, at)).toBe(false);
    collector.asked([request(runId, 'a')]);
    expect(collector.answered(`${runId}.a.0`, ok, at)).toBe(true);
    expect(collector.answered(`${runId}.a.0`, ok, at)).toBe(false);
    expect(handedOn).toHaveLength(1);
  });

  it('keeps the group of a request asked for again while it waits', () => {
    collector.asked([request(runId, 'a'), request(runId, 'b')]);
    collector.asked([request(runId, 'a')]);
    collector.answered(`${runId}.a.0`, ok, at);
    expect(handedOn).toEqual([]);
    collector.answered(`${runId}.b.0`, ok, at);
    expect(handedOn[0]?.answers.map((answer) => answer.metricName)).toEqual(['a', 'b']);
  });

  it('hands on what was answered once the time for an answer is up, and forgets the rest', () => {
    collector.asked([request(runId, 'a', 0, 3), request(runId, 'b', 0, 3)]);
    collector.answered(`${runId}.a.0`, ok, at);
    vi.advanceTimersByTime(7_999);
    expect(handedOn).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(handedOn.map((group) => group.answers.map((answer) => answer.metricName))).toEqual([['a']]);
    expect(collector.answered(`${runId}.b.0`, ok, at)).toBe(false);
  });

  it('hands on what was answered when the connection closes', () => {
    collector.asked([request(runId, 'a'), request(runId, 'b')]);
    collector.asked([request(otherRunId, 'a')]);
    collector.answered(`${runId}.a.0`, ok, at);
    collector.close();
    expect(handedOn).toEqual([{ runId, answers: [{ metricName: 'a', index: 0, outcome: ok, answeredAt: at }] }]);
    expect(collector.answered(`${runId}.b.0`, ok, at)).toBe(false);
  });
});

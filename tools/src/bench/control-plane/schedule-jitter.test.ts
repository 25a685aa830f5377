import { describe, expect, it } from 'vitest';
import { scheduleReport, type TimedMeasurement } from './schedule-jitter.js';

const window = { startMs: 10_000, endMs: 70_000, intervalMs: 10_000 };
const measurement = (index: number, dueMs: number, startedMs: number, finishedMs: number | null, metric = 'm'): TimedMeasurement => ({
  run: 'run-1',
  metric,
  index,
  dueMs,
  startedMs,
  finishedMs,
});
const noArrivals = (): number[] => [];

describe('scheduleReport', () => {
  it.each([
    {
      case: 'due and started inside the window',
      rows: [measurement(0, 20_000, 20_040, 20_050), measurement(1, 30_050, 30_150, 30_160), measurement(2, 40_160, 40_160, null)],
      due: 3,
      started: 3,
      notStarted: 0,
      p50: 40,
      max: 100,
    },
    {
      case: 'due before the window: taken, but not part of the jitter',
      rows: [measurement(0, 5_000, 12_000, 12_010), measurement(1, 22_010, 22_020, null)],
      due: 1,
      started: 2,
      notStarted: 0,
      p50: 10,
      max: 10,
    },
    {
      case: 'next one due inside the window but never started counts its lateness at the close',
      rows: [measurement(0, 20_000, 20_000, 50_000)],
      due: 2,
      started: 1,
      notStarted: 1,
      p50: 0,
      max: 10_000,
    },
    {
      case: 'next one due after the close is not counted',
      rows: [measurement(0, 20_000, 20_000, 65_000)],
      due: 1,
      started: 1,
      notStarted: 0,
      p50: 0,
      max: 0,
    },
  ])('$case', ({ rows, due, started, notStarted, p50, max }) => {
    const report = scheduleReport(rows, window, noArrivals);
    expect(report).toMatchObject({ due, started, notStarted });
    expect(report.startJitter.p50).toBe(p50);
    expect(report.startJitter.max).toBe(max);
  });

  it('lines up the endpoint arrivals of a run and metric with measurement indexes', () => {
    const rows = [
      measurement(0, 20_000, 20_010, 20_020, 'a'),
      measurement(1, 30_020, 30_030, null, 'a'),
      measurement(0, 20_000, 20_000, null, 'b'),
    ];
    const arrivals: Record<string, number[]> = { a: [20_015, 30_100], b: [] };
    const report = scheduleReport(rows, window, (_run, metric) => arrivals[metric] ?? []);
    expect(report.requestJitter).toMatchObject({ samples: 2, p50: 15, max: 80 });
    expect(report.startJitter.samples).toBe(3);
  });
});

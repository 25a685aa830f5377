import type pg from 'pg';
import { percentile } from './bench-support.js';

/** One measurement as stored, with when it was due: its run's start for the first, else the previous one's end plus the interval. */
export interface TimedMeasurement {
  run: string;
  metric: string;
  index: number;
  dueMs: number;
  startedMs: number;
  finishedMs: number | null;
}

export interface JitterSummary {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

export interface ScheduleReport {
  /** Measurements due inside the window (started or not). */
  due: number;
  /** Measurements started inside the window, and finished inside it. */
  started: number;
  finished: number;
  /** Due inside the window but not started when it closed; counted in the jitter with their lateness so far. */
  notStarted: number;
  /** Measurement row `startedAt` minus due time. */
  startJitter: JitterSummary;
  /** Time the endpoint saw the request minus due time. */
  requestJitter: JitterSummary;
}

export interface MeasurementWindow {
  startMs: number;
  endMs: number;
  intervalMs: number;
}

/** Every measurement of the cluster's runs with its due time, computed by Postgres from the rows themselves. */
export async function loadTimedMeasurements(pool: pg.Pool, clusterId: string, intervalMs: number): Promise<TimedMeasurement[]> {
  const result = await pool.query<{
    run: string;
    metric: string;
    index: number;
    due_ms: number;
    started_ms: number;
    finished_ms: number | null;
  }>(
    `SELECT r.name AS run, m."metricName" AS metric, m.index,
            (extract(epoch FROM CASE WHEN m.index = 0 THEN r."startedAt"
                  ELSE lag(m."finishedAt") OVER (PARTITION BY m."analysisRunId", m."metricName" ORDER BY m.index) + make_interval(secs => $2::float8 / 1000) END) * 1000)::float8 AS due_ms,
            (extract(epoch FROM m."startedAt") * 1000)::float8 AS started_ms,
            (extract(epoch FROM m."finishedAt") * 1000)::float8 AS finished_ms
       FROM "Measurement" m JOIN "AnalysisRun" r ON r.id = m."analysisRunId"
      WHERE r."clusterId" = $1::uuid`,
    [clusterId, intervalMs],
  );
  return result.rows.map((row) => ({
    run: row.run,
    metric: row.metric,
    index: row.index,
    dueMs: row.due_ms,
    startedMs: row.started_ms,
    finishedMs: row.finished_ms,
  }));
}

function summarise(samples: number[]): JitterSummary {
  samples.sort((a, b) => a - b);
  return { samples: samples.length, p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), max: samples.at(-1) ?? Number.NaN };
}

/**
 * How late measurements due inside the window started, and how many were taken. A metric whose next measurement
 * fell due inside the window but had not started when it closed counts with its lateness at the close, so a
 * control plane that falls behind cannot look punctual by leaving work undone.
 * @example
 * scheduleReport([{ run: 'r', metric: 'm', index: 1, dueMs: 10_000, startedMs: 10_040, finishedMs: 10_050 }],
 *   { startMs: 0, endMs: 60_000, intervalMs: 10_000 }, () => [])
 * // startJitter.p50 40; notStarted 1 (index 2 was due at 20,050 and never started)
 */
export function scheduleReport(
  measurements: readonly TimedMeasurement[],
  window: MeasurementWindow,
  arrivalsOf: (run: string, metric: string) => readonly number[],
): ScheduleReport {
  const inWindow = (time: number): boolean => time >= window.startMs && time < window.endMs;
  const startJitter: number[] = [];
  const requestJitter: number[] = [];
  const latest = new Map<string, TimedMeasurement>();
  let started = 0;
  let finished = 0;
  for (const measurement of measurements) {
    if (inWindow(measurement.startedMs)) started += 1;
    if (measurement.finishedMs !== null && inWindow(measurement.finishedMs)) finished += 1;
    const key = `${measurement.run}\u0000${measurement.metric}`;
    const known = latest.get(key);
    if (!known || known.index < measurement.index) latest.set(key, measurement);
    if (!inWindow(measurement.dueMs)) continue;
    startJitter.push(measurement.startedMs - measurement.dueMs);
    const arrival = arrivalsOf(measurement.run, measurement.metric)[measurement.index];
    if (arrival !== undefined) requestJitter.push(arrival - measurement.dueMs);
  }
  let notStarted = 0;
  for (const last of latest.values()) {
    if (last.finishedMs === null) continue;
    const nextDue = last.finishedMs + window.intervalMs;
    if (!inWindow(nextDue)) continue;
    notStarted += 1;
    startJitter.push(window.endMs - nextDue);
    requestJitter.push(window.endMs - nextDue);
  }
  return {
    due: startJitter.length,
    started,
    finished,
    notStarted,
    startJitter: summarise(startJitter),
    requestJitter: summarise(requestJitter),
  };
}

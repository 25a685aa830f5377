import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MeasurementOutcome } from '@flotilla/protocol';

export const ANALYSIS_QUEUE_NAME = 'analysis';

export interface StartJob {
  runId: string;
}

export interface MeasureJob {
  runId: string;
  metricName: string;
  index: number;
}

export interface RecordJob extends MeasureJob {
  outcome: MeasurementOutcome;
}

/** The jobs of the `analysis` queue and their payloads, shared by every producer and the worker. */
export type AnalysisJob = { name: 'start'; data: StartJob } | { name: 'measure'; data: MeasureJob } | { name: 'record'; data: RecordJob };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** Checks a job picked up from Redis; `undefined` for a name or payload this version does not know. */
export function parseAnalysisJob(name: string, data: unknown): AnalysisJob | undefined {
  if (!isObject(data) || typeof data.runId !== 'string') return undefined;
  if (name === 'start') return { name, data: { runId: data.runId } };
  if (typeof data.metricName !== 'string' || !Number.isInteger(data.index)) return undefined;
  const measure: MeasureJob = { runId: data.runId, metricName: data.metricName, index: data.index as number };
  if (name === 'measure') return { name, data: measure };
  if (name === 'record' && isObject(data.outcome) && typeof data.outcome.ok === 'boolean') {
    return { name, data: { ...measure, outcome: data.outcome as unknown as MeasurementOutcome } };
  }
  return undefined;
}

/** Job ids may not hold `:`; metric names are DNS-like, so encoding is only a precaution. */
const idPart = (text: string): string => encodeURIComponent(text).replace(/:/g, '%3A');

const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: { age: 300, count: 1000 }, attempts: 5, backoff: { type: 'exponential', delay: 200 } } as const;

/**
 * Producer side of the `analysis` queue. Each measurement is one delayed job per run, metric and index, so that a
 * duplicate changes nothing; the worker's sweep re-derives due measurements from Postgres after a Redis loss.
 */
export class AnalysisQueue {
  readonly queue: Queue;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue(ANALYSIS_QUEUE_NAME, { connection, prefix });
  }

  async start(runId: string): Promise<void> {
    await this.queue.add('start', { runId }, { jobId: `${runId}.start`, ...JOB_OPTIONS });
  }

  async measureAt(runId: string, metricName: string, index: number, at: Date, now = new Date()): Promise<void> {
    await this.queue.add('measure', { runId, metricName, index }, {
      jobId: `${runId}.${idPart(metricName)}.${index}`,
      delay: Math.max(0, at.getTime() - now.getTime()),
      ...JOB_OPTIONS,
    });
  }

  async record(runId: string, metricName: string, index: number, outcome: MeasurementOutcome): Promise<void> {
    await this.queue.add('record', { runId, metricName, index, outcome }, { jobId: `${runId}.${idPart(metricName)}.${index}.record`, ...JOB_OPTIONS });
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

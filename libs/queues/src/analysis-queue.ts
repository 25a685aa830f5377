import { connectionErrorReported } from '@flotilla/service-runtime';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MeasurementOutcome } from '@flotilla/protocol';

export const ANALYSIS_QUEUE_NAME = 'analysis';
/** Agents' answers to be recorded: a queue of their own, so that they neither wait behind due measurements nor delay them. */
export const ANALYSIS_RECORDS_QUEUE_NAME = 'analysis-records';

export interface StartJob {
  runId: string;
}

/** One measurement of a run: measurement `index` of metric `metricName`. */
export interface DueMeasurement {
  metricName: string;
  index: number;
}

/** The measurements of one run that fall due at the same moment, taken together as Argo takes them. */
export interface MeasureJob {
  runId: string;
  due: DueMeasurement[];
}

/** What the cluster's agent answered for one measurement, and when the answer reached the control plane. */
export interface MeasurementAnswer extends DueMeasurement {
  outcome: MeasurementOutcome;
  answeredAt: Date;
}

/** Answers for measurements of one run, recorded together. */
export interface RecordJob {
  runId: string;
  /** The cluster whose agent answered (by name): a pooled run records each cluster's part of a measurement. */
  cluster?: string;
  answers: MeasurementAnswer[];
}

/** The jobs of the `analysis` queue and their payloads, shared by every producer and the worker. */
export type AnalysisJob = { name: 'start'; data: StartJob } | { name: 'measure'; data: MeasureJob } | { name: 'record'; data: RecordJob };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function parseDueMeasurement(data: unknown): DueMeasurement | undefined {
  if (!isObject(data) || typeof data.metricName !== 'string' || !Number.isInteger(data.index)) return undefined;
  return { metricName: data.metricName, index: data.index as number };
}

/** The measurements a `measure` job asks for; jobs queued before measurements were grouped name just one. */
function parseDue(data: Record<string, unknown>): DueMeasurement[] | undefined {
  if (!Array.isArray(data.due)) {
    const single = parseDueMeasurement(data);
    return single ? [single] : undefined;
  }
  const due = data.due.map(parseDueMeasurement);
  return due.length > 0 && due.every((measurement) => measurement !== undefined) ? due : undefined;
}

function parseAnswer(data: unknown): MeasurementAnswer | undefined {
  const measurement = parseDueMeasurement(data);
  if (
    !measurement ||
    !isObject(data) ||
    !isObject(data.outcome) ||
    typeof data.outcome.ok !== 'boolean' ||
    typeof data.answeredAt !== 'string'
  )
    return undefined;
  const answeredAt = new Date(data.answeredAt);
  return Number.isNaN(answeredAt.getTime())
    ? undefined
    : { ...measurement, outcome: data.outcome as unknown as MeasurementOutcome, answeredAt };
}

/** The answers a `record` job carries; a job queued before answers were grouped holds one, answered when queued. */
function parseAnswers(data: Record<string, unknown>, queuedAt: Date): MeasurementAnswer[] | undefined {
  if (!Array.isArray(data.answers)) {
    const single = parseAnswer({ ...data, answeredAt: queuedAt.toISOString() });
    return single ? [single] : undefined;
  }
  const answers = data.answers.map(parseAnswer);
  return answers.length > 0 && answers.every((answer) => answer !== undefined) ? answers : undefined;
}

/** Checks a job picked up from Redis; `undefined` for a name or payload this version does not know. */
export function parseAnalysisJob(name: string, data: unknown, queuedAt: Date): AnalysisJob | undefined {
  if (!isObject(data) || typeof data.runId !== 'string') return undefined;
  if (name === 'start') return { name, data: { runId: data.runId } };
  if (name === 'measure') {
    const due = parseDue(data);
    return due ? { name, data: { runId: data.runId, due } } : undefined;
  }
  if (name !== 'record') return undefined;
  const answers = parseAnswers(data, queuedAt);
  const cluster = typeof data.cluster === 'string' ? { cluster: data.cluster } : {};
  return answers ? { name, data: { runId: data.runId, ...cluster, answers } } : undefined;
}

/** Job ids may not hold `:`; metric names are DNS-like, so encoding is only a precaution (it also escapes `+`). */
const idPart = (text: string): string => encodeURIComponent(text).replace(/:/g, '%3A');

const byMetricName = (left: DueMeasurement, right: DueMeasurement): number =>
  left.metricName < right.metricName ? -1 : left.metricName > right.metricName ? 1 : 0;

/**
 * `<run>.<metric>.<index>` for one measurement, `<run>.<metric>.<index>+<metric>.<index>…` (by metric name) for
 * several: the same measurements of a run always get the same id, whoever queues them.
 */
export function measureJobId(runId: string, due: readonly DueMeasurement[]): string {
  return `${runId}.${[...due]
    .sort(byMetricName)
    .map((measurement) => `${idPart(measurement.metricName)}.${measurement.index}`)
    .join('+')}`;
}

/** Failed jobs are dropped, so that the sweep can queue the same job id again (see the reconcile queue's). */
const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: true, attempts: 5, backoff: { type: 'exponential', delay: 200 } } as const;

/**
 * Producer side of the `analysis` queue. The measurements of a run due at one moment are one delayed job, keyed
 * by the run and the metrics and indexes it takes, so that a duplicate changes nothing; the worker's sweep
 * re-derives due measurements from Postgres after a Redis loss.
 */
export class AnalysisQueue {
  readonly queue: Queue;
  readonly records: Queue;

  constructor(connection: Redis, prefix: string) {
    this.queue = new Queue(ANALYSIS_QUEUE_NAME, { connection, prefix });
    this.records = new Queue(ANALYSIS_RECORDS_QUEUE_NAME, { connection, prefix });
    for (const queue of [this.queue, this.records]) queue.on('error', connectionErrorReported);
  }

  async start(runId: string): Promise<void> {
    await this.queue.add('start', { runId }, { jobId: `${runId}.start`, ...JOB_OPTIONS });
  }

  /** Queues the measurements to be taken at `at` (counted from now, when the job is added, as BullMQ counts it). */
  async measureAt(runId: string, due: readonly DueMeasurement[], at: Date): Promise<void> {
    const job: MeasureJob = { runId, due: [...due] };
    await this.queue.add('measure', job, {
      jobId: measureJobId(runId, due),
      delay: Math.max(0, at.getTime() - Date.now()),
      ...JOB_OPTIONS,
    });
  }

  /**
   * Queues answers of one run to be recorded together, once: the same answers of the same cluster always get the
   * same job id (the clusters of a pooled run answer the same measurements).
   */
  async record(runId: string, answers: readonly MeasurementAnswer[], cluster?: string): Promise<void> {
    const job: RecordJob = { runId, ...(cluster === undefined ? {} : { cluster }), answers: [...answers] };
    const of = cluster === undefined ? '' : `.${idPart(cluster)}`;
    await this.records.add('record', job, { jobId: `${measureJobId(runId, answers)}${of}.record`, ...JOB_OPTIONS });
  }

  async close(): Promise<void> {
    await Promise.all([this.queue.close(), this.records.close()]);
  }
}

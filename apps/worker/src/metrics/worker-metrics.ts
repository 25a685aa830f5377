import type { Job, Worker } from 'bullmq';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { registerProcessMetrics } from '@flotilla/service-runtime';
import type { QueueDepths } from '@flotilla/queues';
import type { FleetMetricsStore } from '@flotilla/stores';
import type { MeasurementTiming } from '../analysis/analysis-runner.js';
import { registerControllerGauges } from './controller-gauges.js';
import { ScrapeCache } from './scrape-cache.js';

/** What a reconcile is of: the queue's jobs name a rollout or a standalone experiment, the fleet queue's a release. */
export type ReconcileKind = 'rollout' | 'experiment' | 'fleetRelease';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const MEASUREMENT_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const QUEUE_DEPTH_CACHE = { maxAgeMs: 5_000, timeoutMs: 2_000 };

/** The worker's Prometheus registry: process metrics, reconciles, queues, measurements and Argo's controller gauges. */
export class WorkerMetrics {
  readonly registry = new Registry();

  private readonly reconcileDuration = new Histogram({
    name: 'flotilla_reconcile_duration_seconds',
    help: 'Time to reconcile one rollout, standalone experiment or fleet release, by what it left (written, unchanged, held, gone).',
    labelNames: ['kind', 'result'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });

  private readonly reconcileErrors = new Counter({
    name: 'flotilla_reconcile_errors_total',
    help: 'Reconciles that failed with an error (the job is retried).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  private readonly jobWait = new Histogram({
    name: 'flotilla_queue_job_wait_seconds',
    help: 'Time from when a job was due (queued, or the end of its delay) to when a worker took it.',
    labelNames: ['queue'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });

  private readonly jobDuration = new Histogram({
    name: 'flotilla_queue_job_duration_seconds',
    help: 'Time a worker spent on a job, by outcome (completed or failed).',
    labelNames: ['queue', 'outcome'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });

  private readonly measurementDuration = new Histogram({
    name: 'flotilla_measurement_duration_seconds',
    help: "Time from a measurement's start to its recorded outcome, by provider type and who took it (agent or control-plane).",
    labelNames: ['provider', 'taken_by'] as const,
    buckets: MEASUREMENT_SECONDS,
    registers: [this.registry],
  });

  private readonly notificationAttempts = new Counter({
    name: 'flotilla_notification_deliveries_total',
    help: 'Notification delivery attempts by service type and result (delivered, retrying, failed).',
    labelNames: ['service_type', 'result'] as const,
    registers: [this.registry],
  });

  private readonly notificationLatency = new Histogram({
    name: 'flotilla_notification_delivery_seconds',
    help: 'Time from the state change that decided a notification to its delivery, by service type.',
    labelNames: ['service_type'] as const,
    buckets: MEASUREMENT_SECONDS,
    registers: [this.registry],
  });

  constructor(store: FleetMetricsStore, queueDepths: QueueDepths) {
    registerProcessMetrics(this.registry, 'flotilla_worker_');
    registerControllerGauges(this.registry, store);
    const depths = new ScrapeCache(() => queueDepths.read(), QUEUE_DEPTH_CACHE);
    new Gauge({
      name: 'flotilla_queue_jobs',
      help: 'Jobs in each queue by state (wait, prioritized, delayed, active, failed), read from Redis at most every 5 s.',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { queue, state, jobs } of (await depths.read().catch(() => undefined)) ?? []) this.set({ queue, state }, jobs);
      },
    });
  }

  /** Counts one finished notification attempt and, once delivered, the time since its decision. */
  readonly observeNotification = (
    delivery: { serviceType: string; createdAt: Date },
    result: 'delivered' | 'retrying' | 'failed',
    now: Date,
  ): void => {
    this.notificationAttempts.inc({ service_type: delivery.serviceType, result });
    if (result === 'delivered')
      this.notificationLatency.observe({ service_type: delivery.serviceType }, (now.getTime() - delivery.createdAt.getTime()) / 1000);
  };

  /** Runs one reconcile, timing it by the result it answers and counting it when it throws. */
  async timeReconcile<Outcome extends { result: string }>(kind: ReconcileKind, reconcile: () => Promise<Outcome>): Promise<Outcome> {
    const started = performance.now();
    try {
      const outcome = await reconcile();
      this.reconcileDuration.observe({ kind, result: outcome.result }, (performance.now() - started) / 1000);
      return outcome;
    } catch (error) {
      this.reconcileErrors.inc({ kind });
      throw error;
    }
  }

  /** Times the jobs of a queue's worker: how long each waited, and how long it took. */
  watch(worker: Worker): void {
    const queue = worker.name;
    const finished = (job: Job | undefined, outcome: 'completed' | 'failed'): void => {
      if (!job?.processedOn) return;
      const dueAt = job.timestamp + (job.opts.delay ?? 0);
      this.jobWait.observe({ queue }, Math.max(0, job.processedOn - dueAt) / 1000);
      this.jobDuration.observe({ queue, outcome }, Math.max(0, (job.finishedOn ?? Date.now()) - job.processedOn) / 1000);
    };
    worker.on('completed', (job) => finished(job, 'completed'));
    worker.on('failed', (job) => finished(job, 'failed'));
  }

  observeMeasurement = ({ provider, takenBy, seconds }: MeasurementTiming): void => {
    this.measurementDuration.observe({ provider, taken_by: takenBy }, seconds);
  };
}

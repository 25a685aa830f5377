import 'reflect-metadata';
import { Worker, UnrecoverableError, type Job } from 'bullmq';
import { loadApiConfig } from './config/api-config.js';
import { createDatabaseClient } from './infrastructure/database.js';
import { EventBus } from './infrastructure/event-bus.js';
import { createLogger } from './infrastructure/logger.js';
import { createRedisConnection } from './infrastructure/redis.js';
import { SqlPool } from './infrastructure/sql.js';
import { AuditCheckpointsService } from './modules/audit/audit-checkpoints.service.js';
import { AuditSigner } from './modules/audit/audit-signer.js';
import { AuditService } from './modules/audit/audit.service.js';
import { isReconcileJobData, RECONCILE_JOB, RECONCILE_QUEUE_NAME, ReconcileQueue } from './modules/reconcile/reconcile-queue.js';
import { ReconcileSweep } from './modules/reconcile/reconcile-sweep.js';
import { ANALYSIS_QUEUE_NAME, ANALYSIS_RECORDS_QUEUE_NAME, AnalysisQueue, parseAnalysisJob } from './modules/analysis-runs/analysis-queue.js';
import { AnalysisRunner } from './modules/analysis-runs/analysis-runner.js';
import { pruneAnalysisHistory } from './modules/analysis-runs/analysis-history.js';
import { ReconcileStore } from './modules/reconcile/reconcile-store.js';
import { RolloutReconciler } from './modules/reconcile/rollout-reconciler.js';
import { ExperimentReconciler } from './modules/experiments/experiment-reconciler.js';

/**
 * The worker process: runs reconcile jobs from BullMQ through the rollout engine (and the experiment controller for
 * standalone experiments), and sweeps Postgres for rollouts and experiments whose jobs may have been lost. Any number of workers can run side by side.
 */
const config = loadApiConfig();
const logger = createLogger('worker', config.logLevel);
/** Reconciles running at once; the ones that reach the database together share its round trips. */
const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 64);
/** Measurements wait on providers, so they get their own slots and never hold up reconciles. */
const analysisConcurrency = Number(process.env.ANALYSIS_CONCURRENCY ?? 48);
/** Agents' answers are short database writes, taken apart from measurements so that neither waits for the other. */
const recordConcurrency = Number(process.env.RECORD_CONCURRENCY ?? 8);
const sweepIntervalMs = Number(process.env.SWEEP_INTERVAL_MS ?? 10_000);
const lockDurationMs = Number(process.env.JOB_LOCK_MS ?? 30_000);
const analysisHistoryDays = Number(process.env.ANALYSIS_HISTORY_DAYS ?? 90);

const database = createDatabaseClient(config.databaseUrl, Number(process.env.DATABASE_POOL_SIZE ?? 8));
/** Hand-written SQL on the hot paths (reconcile load and write, measurements); Prisma for the rest. */
const sql = new SqlPool(config.databaseUrl, Number(process.env.SQL_POOL_SIZE ?? 24));
const redis = createRedisConnection(config.redisUrl, { autoPipelining: true });
const subscriber = createRedisConnection(config.redisUrl, { forWorkers: true });
const workerConnection = createRedisConnection(config.redisUrl, { forWorkers: true, autoPipelining: true });
const analysisConnection = createRedisConnection(config.redisUrl, { forWorkers: true, autoPipelining: true });
const recordConnection = createRedisConnection(config.redisUrl, { forWorkers: true, autoPipelining: true });
const eventBus = new EventBus(redis, subscriber, logger.child({ component: 'event-bus' }), config.redisPrefix);
/** Wake-ups further off are left to the sweep, which queues each one for its exact time; three sweeps may pass first. */
const queue = new ReconcileQueue(redis, config.redisPrefix, 3 * sweepIntervalMs);
const analysisQueue = new AnalysisQueue(redis, config.redisPrefix);
const audit = new AuditService(database, eventBus);
const auditSigner = AuditSigner.fromFile(config.auditSigningKeyFile);
const checkpoints = new AuditCheckpointsService(database, auditSigner ?? null, audit);
const reconciler = new RolloutReconciler(new ReconcileStore(sql, audit), eventBus, queue, analysisQueue, logger.child({ component: 'reconciler' }));
const experiments = new ExperimentReconciler(database, audit, eventBus, queue, analysisQueue, logger.child({ component: 'experiments' }));
const sweeper = new ReconcileSweep(database, queue, logger.child({ component: 'sweep' }));
const analysis = new AnalysisRunner(sql, analysisQueue, queue, eventBus, logger.child({ component: 'analysis' }), {
  measurementTimeoutSeconds: config.measurementTimeoutSeconds,
  centralAllowList: (process.env.CENTRAL_MEASUREMENT_ALLOW ?? '').split(',').map((entry) => entry.trim()).filter(Boolean),
  centralCredentialsDirectory: process.env.CENTRAL_CREDENTIALS_DIR || undefined,
});

async function processJob(job: Job): Promise<string> {
  if (job.name !== RECONCILE_JOB) throw new UnrecoverableError(`no handler for job ${job.name}`);
  if (!isReconcileJobData(job.data)) throw new UnrecoverableError(`malformed reconcile job ${job.id}`);
  const started = performance.now();
  const outcome = 'rolloutId' in job.data ? await reconciler.reconcile(job.data.rolloutId) : await experiments.reconcile(job.data.experimentId);
  logger.debug({ ...job.data, jobId: job.id, outcome, ms: Math.round(performance.now() - started) }, 'reconciled');
  return outcome.result;
}

const worker = new Worker(RECONCILE_QUEUE_NAME, processJob, {
  connection: workerConnection,
  prefix: config.redisPrefix,
  concurrency,
  lockDuration: lockDurationMs,
  stalledInterval: Math.max(1000, Math.floor(lockDurationMs / 2)),
});
worker.on('failed', (job, error) => logger.warn({ jobId: job?.id, err: error }, 'reconcile job failed'));
worker.on('error', (error) => logger.error({ err: error }, 'worker error'));

async function processAnalysisJob(job: Job): Promise<void> {
  const parsed = parseAnalysisJob(job.name, job.data, new Date(job.timestamp));
  if (!parsed) throw new UnrecoverableError(`malformed analysis job ${job.name} ${job.id}`);
  switch (parsed.name) {
    case 'start':
      return analysis.start(parsed.data.runId);
    case 'measure':
      return analysis.measure(parsed.data);
    case 'record':
      return analysis.record(parsed.data);
  }
}

const analysisWorker = new Worker(ANALYSIS_QUEUE_NAME, processAnalysisJob, {
  connection: analysisConnection,
  prefix: config.redisPrefix,
  concurrency: analysisConcurrency,
  lockDuration: Math.max(lockDurationMs, (config.measurementTimeoutSeconds + 10) * 1000),
});
const recordWorker = new Worker(ANALYSIS_RECORDS_QUEUE_NAME, processAnalysisJob, {
  connection: recordConnection,
  prefix: config.redisPrefix,
  concurrency: recordConcurrency,
  lockDuration: lockDurationMs,
});
for (const analysisJobs of [analysisWorker, recordWorker]) {
  analysisJobs.on('failed', (job, error) => logger.warn({ jobId: job?.id, err: error }, 'analysis job failed'));
  analysisJobs.on('error', (error) => logger.error({ err: error }, 'analysis worker error'));
}

async function sweep(): Promise<void> {
  await sweeper.sweep().catch((error: unknown) => logger.warn({ err: error }, 'reconcile sweep failed'));
  await analysis.sweep().catch((error: unknown) => logger.warn({ err: error }, 'analysis sweep failed'));
  await pruneAnalysisHistory(database, analysisHistoryDays)
    .then((pruned) => pruned > 0 && logger.info({ pruned, analysisHistoryDays }, 'old analysis runs pruned'))
    .catch((error: unknown) => logger.warn({ err: error }, 'analysis history pruning failed'));
  if (auditSigner) await checkpointAuditChains().catch((error: unknown) => logger.warn({ err: error }, 'audit checkpointing failed'));
}

/** Signs the chain head of every organization whose head moved and whose newest checkpoint is an interval old. */
async function checkpointAuditChains(): Promise<void> {
  for (const outcome of await checkpoints.checkpointDue(new Date(), config.auditCheckpointIntervalSeconds)) {
    if ('error' in outcome) logger.error({ organizationId: outcome.organizationId, err: outcome.error }, 'audit checkpoint refused');
    else logger.info({ organizationId: outcome.organizationId, sequence: outcome.checkpoint.sequence, keyId: outcome.checkpoint.keyId }, 'audit checkpoint signed');
  }
}
/** One sweep at a time: a tick that finds the previous sweep still running skips. */
let sweeping: Promise<void> | undefined;
function sweepOnce(): Promise<void> {
  sweeping ??= sweep().finally(() => {
    sweeping = undefined;
  });
  return sweeping;
}
const sweepTimer = setInterval(() => void sweepOnce(), sweepIntervalMs);
await sweepOnce();
logger.info({ concurrency, sweepIntervalMs, auditSigningKeyId: auditSigner?.keyId ?? null }, 'worker started');

async function shutdown(signal: string): Promise<void> {
  logger.info({ signal }, 'worker stopping');
  clearInterval(sweepTimer);
  await sweeping;
  await Promise.allSettled([worker.close(), analysisWorker.close(), recordWorker.close()]);
  await Promise.allSettled([queue.close(), analysisQueue.close()]);
  await Promise.allSettled([database.$disconnect(), sql.end(), redis.quit(), subscriber.quit(), workerConnection.quit(), analysisConnection.quit(), recordConnection.quit()]);
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

import 'reflect-metadata';
import { hostname } from 'node:os';
import { DelayedError, Worker, UnrecoverableError, type Job } from 'bullmq';
import { loadWorkerConfig } from './config/worker-config.js';
import {
  createDatabaseClient,
  SqlPool,
  AuditCheckpointStore,
  AuditSigner,
  AuditStore,
  AnalysisRunStore,
  BreakGlassStore,
  ClusterStore,
  ExperimentStore,
  FleetMetricsStore,
  FleetReleaseStore,
  FleetRolloutStore,
  FreezeWindowStore,
  NotificationConfigStore,
  NotificationDeliveryStore,
  NotificationMuteStore,
  ParsedConfigurations,
  pingDatabase,
  RolloutStore,
  systemScope,
  NotificationDecider,
} from '@flotilla/stores';
import { EventBus } from '@flotilla/events';
import {
  configuredOrExit,
  createLogger,
  exitIfOnlyCheckingConfig,
  stopOnSignals,
  surviveUnhandledRejections,
  createRedisConnection,
  isConnectionLoss,
  SecretBox,
  startMetricsServer,
} from '@flotilla/service-runtime';
import { createServiceEnvironment } from '@flotilla/notification-services';
import {
  isReconcileJobData,
  RECONCILE_JOB,
  RECONCILE_QUEUE_NAME,
  ReconcileQueue,
  ANALYSIS_QUEUE_NAME,
  ANALYSIS_RECORDS_QUEUE_NAME,
  AnalysisQueue,
  parseAnalysisJob,
  FLEET_RECONCILE_JOB,
  FLEET_RECONCILE_QUEUE_NAME,
  FleetReconcileQueue,
  isFleetReconcileJobData,
  QueueDepths,
  isNotificationJobData,
  NOTIFICATION_JOB,
  NOTIFICATION_QUEUE_NAME,
  NotificationQueue,
} from '@flotilla/queues';
import { ReconcileSweep } from './reconcile/reconcile-sweep.js';
import { SweepClaim } from './reconcile/sweep-claim.js';
import { AnalysisRunner } from './analysis/analysis-runner.js';
import { RolloutReconciler } from './reconcile/rollout-reconciler.js';
import { ExperimentReconciler } from './experiments/experiment-reconciler.js';
import { FleetReleaseReconciler } from './fleet/fleet-release-reconciler.js';
import { FreezeChecker } from './freezes/freeze-checker.js';
import { startWorkerHealth } from './health-server.js';
import { WorkerMetrics } from './metrics/worker-metrics.js';
import { configuredServices } from './notifications/configured-services.js';
import { AnalysisRunNotifications } from './notifications/analysis-run-notifications.js';
import { NotificationSender } from './notifications/notification-sender.js';
import { ServiceRateLimit } from './notifications/service-rate-limit.js';

/**
 * The worker process: runs reconcile jobs from BullMQ through the rollout engine (and the experiment controller for
 * standalone experiments), fleet reconcile jobs through the fleet engine, and sweeps Postgres for rollouts,
 * experiments and fleet releases whose jobs may have been lost. Any number of workers can run side by side.
 */
const config = configuredOrExit('worker', () => loadWorkerConfig());
exitIfOnlyCheckingConfig('worker');
const logger = createLogger('worker', config.logLevel);
surviveUnhandledRejections(logger);
const { sweepIntervalMs, jobLockMs } = config;

const connectionLogger = logger.child({ component: 'connections' });
const database = createDatabaseClient(config.databaseUrl, config.databasePoolSize, { logger: connectionLogger });
/** Hand-written SQL on the hot paths (reconcile load and write, measurements); Prisma for the rest. */
const sql = new SqlPool(config.databaseUrl, config.sqlPoolSize, connectionLogger);
const redisConnection = (options: { forWorkers?: boolean; autoPipelining?: boolean }) =>
  createRedisConnection(config.redis, { ...options, logger: connectionLogger });
const redis = redisConnection({ autoPipelining: true });
const subscriber = redisConnection({ forWorkers: true });
const workerConnection = redisConnection({ forWorkers: true, autoPipelining: true });
const analysisConnection = redisConnection({ forWorkers: true, autoPipelining: true });
const recordConnection = redisConnection({ forWorkers: true, autoPipelining: true });
const fleetConnection = redisConnection({ forWorkers: true, autoPipelining: true });
const notificationConnection = redisConnection({ forWorkers: true, autoPipelining: true });
const eventBus = new EventBus(redis, subscriber, logger.child({ component: 'event-bus' }), config.redisPrefix);
/** Wake-ups further off are left to the sweep, which queues each one for its exact time; three sweeps may pass first. */
const queue = new ReconcileQueue(redis, config.redisPrefix, 3 * sweepIntervalMs);
const analysisQueue = new AnalysisQueue(redis, config.redisPrefix);
const fleetQueue = new FleetReconcileQueue(redis, config.redisPrefix, 3 * sweepIntervalMs);
const notificationQueue = new NotificationQueue(redis, config.redisPrefix);
const queueDepths = new QueueDepths(redis, config.redisPrefix, [
  RECONCILE_QUEUE_NAME,
  FLEET_RECONCILE_QUEUE_NAME,
  ANALYSIS_QUEUE_NAME,
  ANALYSIS_RECORDS_QUEUE_NAME,
  NOTIFICATION_QUEUE_NAME,
]);
const metrics = new WorkerMetrics(new FleetMetricsStore(sql), queueDepths);
const audit = new AuditStore(database, eventBus);
const auditSigner = configuredOrExit('worker', () => AuditSigner.fromFile(config.auditSigningKeyFile));
const checkpoints = new AuditCheckpointStore(database, auditSigner ?? null, audit);
const rollouts = new RolloutStore(database, { sql, audit });
const experimentStore = new ExperimentStore(database, audit);
const fleetReleases = new FleetReleaseStore(database, rollouts, audit);
const freezes = new FreezeChecker(new FreezeWindowStore(database), new BreakGlassStore(database));
const notificationConfigs = new NotificationConfigStore(
  database,
  configuredOrExit('worker', () => SecretBox.load({ keysFile: config.notificationKeysFile, keys: config.notificationKeys })),
  sql,
);
const notificationDeliveries = new NotificationDeliveryStore(database, sql);
const parsedNotificationConfigs = new ParsedConfigurations();
const notifications = new NotificationSender(
  notificationDeliveries,
  notificationQueue,
  configuredServices(
    notificationConfigs,
    parsedNotificationConfigs,
    createServiceEnvironment({ addressPolicy: { allow: config.notificationAllow }, timeoutMs: config.notificationTimeoutMs }),
  ),
  new ServiceRateLimit(redis, config.redisPrefix, config.notificationRatePerService),
  logger.child({ component: 'notifications' }),
  {
    retry: { maxAttempts: config.notificationMaxAttempts, baseDelayMs: 1000, maxDelayMs: 300_000 },
    claimMs: config.notificationClaimMs,
    sweepBatch: 1000,
    observe: metrics.observeNotification,
  },
);

const notificationDecider = new NotificationDecider(
  notificationConfigs,
  notificationDeliveries,
  new NotificationMuteStore(database),
  parsedNotificationConfigs,
  logger.child({ component: 'notifications' }),
  { bound: { perMinute: config.notificationsPerOrganizationPerMinute }, rulesTtlMs: 30_000 },
);
const reconciler = new RolloutReconciler(
  rollouts,
  eventBus,
  queue,
  analysisQueue,
  fleetQueue,
  logger.child({ component: 'reconciler' }),
  freezes,
  { decider: notificationDecider, queue: notificationQueue },
);
const experiments = new ExperimentReconciler(experimentStore, eventBus, queue, analysisQueue, logger.child({ component: 'experiments' }));
const sweeper = new ReconcileSweep(
  database,
  rollouts,
  experimentStore,
  new ClusterStore(database),
  queue,
  logger.child({ component: 'sweep' }),
  config.agentSilenceLimitMs,
  { releases: fleetReleases, queue: fleetQueue },
  eventBus,
);
const analysisRuns = new AnalysisRunStore(sql, database);
const fleet = new FleetReleaseReconciler(
  database,
  fleetReleases,
  eventBus,
  queue,
  fleetQueue,
  logger.child({ component: 'fleet' }),
  freezes,
  {
    runs: analysisRuns,
    queue: analysisQueue,
  },
  { decider: notificationDecider, fleetRollouts: new FleetRolloutStore(database), queue: notificationQueue },
);
const analysis = new AnalysisRunner(
  analysisRuns,
  sql,
  analysisQueue,
  queue,
  eventBus,
  logger.child({ component: 'analysis' }),
  {
    measurementTimeoutSeconds: config.measurementTimeoutSeconds,
    centralAllowList: config.centralMeasurementAllow,
    centralCredentialsDirectory: config.centralCredentialsDirectory,
    observeMeasurement: metrics.observeMeasurement,
  },
  fleetQueue,
  new AnalysisRunNotifications(rollouts, notificationDecider, notificationQueue),
);

async function processJob(job: Job): Promise<string> {
  if (job.name !== RECONCILE_JOB) throw new UnrecoverableError(`no handler for job ${job.name}`);
  const data: unknown = job.data;
  if (!isReconcileJobData(data)) throw new UnrecoverableError(`malformed reconcile job ${job.id}`);
  const started = performance.now();
  const outcome =
    'rolloutId' in data
      ? await metrics.timeReconcile('rollout', () => reconciler.reconcile(data.rolloutId))
      : await metrics.timeReconcile('experiment', () => experiments.reconcile(data.experimentId));
  logger.debug({ ...data, jobId: job.id, outcome, ms: Math.round(performance.now() - started) }, 'reconciled');
  return outcome.result;
}

const worker = new Worker(RECONCILE_QUEUE_NAME, processJob, {
  connection: workerConnection,
  prefix: config.redisPrefix,
  concurrency: config.concurrency,
  lockDuration: jobLockMs,
  stalledInterval: Math.max(1000, Math.floor(jobLockMs / 2)),
});
worker.on('failed', (job, error) => logger.warn({ jobId: job?.id, err: error }, 'reconcile job failed'));
worker.on('error', (error) => {
  if (!isConnectionLoss(error)) logger.error({ err: error }, 'worker error');
});

async function processFleetJob(job: Job): Promise<string> {
  if (job.name !== FLEET_RECONCILE_JOB) throw new UnrecoverableError(`no handler for job ${job.name}`);
  const data: unknown = job.data;
  if (!isFleetReconcileJobData(data)) throw new UnrecoverableError(`malformed fleet reconcile job ${job.id}`);
  const started = performance.now();
  const outcome = await metrics.timeReconcile('fleetRelease', () => fleet.reconcile(data.fleetReleaseId));
  logger.debug({ ...data, jobId: job.id, outcome, ms: Math.round(performance.now() - started) }, 'fleet release reconciled');
  return outcome.result;
}

const fleetWorker = new Worker(FLEET_RECONCILE_QUEUE_NAME, processFleetJob, {
  connection: fleetConnection,
  prefix: config.redisPrefix,
  concurrency: config.fleetConcurrency,
  lockDuration: jobLockMs,
  stalledInterval: Math.max(1000, Math.floor(jobLockMs / 2)),
});
fleetWorker.on('failed', (job, error) => logger.warn({ jobId: job?.id, err: error }, 'fleet reconcile job failed'));
fleetWorker.on('error', (error) => {
  if (!isConnectionLoss(error)) logger.error({ err: error }, 'fleet worker error');
});

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
  concurrency: config.analysisConcurrency,
  lockDuration: Math.max(jobLockMs, (config.measurementTimeoutSeconds + 10) * 1000),
});
const recordWorker = new Worker(ANALYSIS_RECORDS_QUEUE_NAME, processAnalysisJob, {
  connection: recordConnection,
  prefix: config.redisPrefix,
  concurrency: config.recordConcurrency,
  lockDuration: jobLockMs,
});
for (const analysisJobs of [analysisWorker, recordWorker]) {
  analysisJobs.on('failed', (job, error) => logger.warn({ jobId: job?.id, err: error }, 'analysis job failed'));
  analysisJobs.on('error', (error) => {
    if (!isConnectionLoss(error)) logger.error({ err: error }, 'analysis worker error');
  });
}

async function processNotificationJob(job: Job, token?: string): Promise<string> {
  if (job.name !== NOTIFICATION_JOB) throw new UnrecoverableError(`no handler for job ${job.name}`);
  const data: unknown = job.data;
  if (!isNotificationJobData(data)) throw new UnrecoverableError(`malformed notification job ${job.id}`);
  const attempt = await notifications.attempt(data.deliveryId);
  if (attempt.result === 'rate-limited') {
    // The same job waits for the service's next second; no attempt was counted.
    await job.moveToDelayed(attempt.retryAt.getTime(), token);
    throw new DelayedError();
  }
  return attempt.result;
}

const notificationWorker = new Worker(NOTIFICATION_QUEUE_NAME, processNotificationJob, {
  connection: notificationConnection,
  prefix: config.redisPrefix,
  concurrency: config.notificationConcurrency,
  lockDuration: jobLockMs,
});
notificationWorker.on('failed', (job, error) => logger.warn({ jobId: job?.id, err: error }, 'notification job failed'));
notificationWorker.on('error', (error) => {
  if (!isConnectionLoss(error)) logger.error({ err: error }, 'notification worker error');
});

async function sweep(): Promise<void> {
  await sweeper.sweep().catch((error: unknown) => logger.warn({ err: error }, 'reconcile sweep failed'));
  await analysis.sweep().catch((error: unknown) => logger.warn({ err: error }, 'analysis sweep failed'));
  await notifications.sweep().catch((error: unknown) => logger.warn({ err: error }, 'notification sweep failed'));
  await notificationConfigs
    .reseal(systemScope('sweep'))
    .then((resealed) => resealed > 0 && logger.info({ resealed }, 'notification secrets sealed under the new key'))
    .catch((error: unknown) => logger.warn({ err: error }, 'notification secret resealing failed'));
  await analysisRuns
    .pruneHistory(systemScope('sweep'), config.analysisHistoryDays)
    .then((pruned) => pruned > 0 && logger.info({ pruned, analysisHistoryDays: config.analysisHistoryDays }, 'old analysis runs pruned'))
    .catch((error: unknown) => logger.warn({ err: error }, 'analysis history pruning failed'));
  if (auditSigner) await checkpointAuditChains().catch((error: unknown) => logger.warn({ err: error }, 'audit checkpointing failed'));
}

/** Signs the chain head of every organization whose head moved and whose newest checkpoint is an interval old. */
async function checkpointAuditChains(): Promise<void> {
  for (const outcome of await checkpoints.checkpointDue(systemScope('worker'), new Date(), config.auditCheckpointIntervalSeconds)) {
    if ('error' in outcome) logger.error({ organizationId: outcome.organizationId, err: outcome.error }, 'audit checkpoint refused');
    else
      logger.info(
        { organizationId: outcome.organizationId, sequence: outcome.checkpoint.sequence, keyId: outcome.checkpoint.keyId },
        'audit checkpoint signed',
      );
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
const sweepClaim = new SweepClaim(redis, `${config.redisPrefix}:sweep-claim`, sweepIntervalMs, `${hostname()}:${process.pid}`);
// A worker sweeps once when it starts, whoever holds the interval; afterwards one worker sweeps each interval.
async function sweepIfClaimed(): Promise<void> {
  if (await sweepClaim.claim()) await sweepOnce();
}
const sweepTimer = setInterval(() => void sweepIfClaimed(), sweepIntervalMs);

for (const queueWorker of [worker, fleetWorker, analysisWorker, recordWorker, notificationWorker]) metrics.watch(queueWorker);
let health;
try {
  health = await startWorkerHealth({
    host: config.healthHost,
    port: config.healthPort,
    probes: { postgres: () => pingDatabase(database), sql: () => sql.query('SELECT 1'), redis: () => redis.ping() },
  });
} catch (error) {
  logger.fatal({ err: error, host: config.healthHost, port: config.healthPort }, 'cannot serve the worker health endpoint');
  process.exit(1);
}
let metricsServer;
try {
  metricsServer = await startMetricsServer(config, metrics.registry);
} catch (error) {
  logger.fatal({ err: error, host: config.metricsHost, port: config.metricsPort }, 'cannot serve the worker metrics endpoint');
  process.exit(1);
}
await sweepOnce();
logger.info(
  {
    concurrency: config.concurrency,
    fleetConcurrency: config.fleetConcurrency,
    sweepIntervalMs,
    health: health.url,
    metrics: `${metricsServer.url}/metrics`,
    auditSigningKeyId: auditSigner?.keyId ?? null,
  },
  'worker started',
);

stopOnSignals(logger, config.shutdownGraceSeconds * 1000, async (step) => {
  clearInterval(sweepTimer);
  await step('the sweep under way', async () => sweeping);
  await Promise.all([
    step('reconcile jobs under way', () => worker.close()),
    step('fleet reconcile jobs under way', () => fleetWorker.close()),
    step('analysis jobs under way', () => analysisWorker.close()),
    step('record jobs under way', () => recordWorker.close()),
    step('notification attempts under way', () => notificationWorker.close()),
  ]);
  await Promise.all([
    step('reconcile queue', () => queue.close()),
    step('analysis queue', () => analysisQueue.close()),
    step('fleet reconcile queue', () => fleetQueue.close()),
    step('notification queue', () => notificationQueue.close()),
    step('queue depth readers', () => queueDepths.close()),
  ]);
  await Promise.all([
    step('the health endpoint', () => health.close()),
    step('the metrics endpoint', () => metricsServer.close()),
    step('the database client', () => database.$disconnect()),
    step('the SQL pool', () => sql.end()),
    ...[redis, subscriber, workerConnection, analysisConnection, recordConnection, fleetConnection, notificationConnection].map(
      (connection, index) => step(`redis connection ${index + 1}`, () => connection.quit()),
    ),
  ]);
});

import { Worker } from 'bullmq';
import {
  createRedisConnection,
  integer,
  loadSettings,
  readControlPlaneSettings,
  type ControlPlaneSettings,
  type SettingsReader,
} from '@flotilla/service-runtime';
import { RECONCILE_QUEUE_NAME } from '@flotilla/queues';

/**
 * A process that takes reconcile jobs as a worker does, on the same queue with its concurrency and its default lock
 * (`JOB_LOCK_MS`, 30 s), and does nothing with them: what BullMQ alone costs per job, under every reconcile job.
 */
const readSettings: SettingsReader<ControlPlaneSettings & { concurrency: number; jobLockMs: number }> = (environment, problems) => ({
  ...readControlPlaneSettings(environment, problems),
  concurrency: integer(environment, 'WORKER_CONCURRENCY', 64, problems),
  jobLockMs: integer(environment, 'JOB_LOCK_MS', 30_000, problems, 1000),
});

const settings = loadSettings(readSettings);
const worker = new Worker(RECONCILE_QUEUE_NAME, () => Promise.resolve('unchanged'), {
  connection: createRedisConnection(settings.redis, { forWorkers: true, autoPipelining: true }),
  prefix: settings.redisPrefix,
  concurrency: settings.concurrency,
  lockDuration: settings.jobLockMs,
  stalledInterval: Math.max(1000, Math.floor(settings.jobLockMs / 2)),
});
await worker.waitUntilReady();
process.stdout.write(`${JSON.stringify({ level: 30, msg: 'worker started' })}\n`);
process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));

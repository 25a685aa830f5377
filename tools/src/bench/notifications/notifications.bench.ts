import { randomUUID } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import type { PlannedNotification } from '@flotilla/notifications';
import { NotificationQueue } from '@flotilla/queues';
import {
  createRedisConnection,
  integer,
  loadSettings,
  readControlPlaneSettings,
  redisTargetEnvironment,
  type ControlPlaneSettings,
  type SettingsReader,
} from '@flotilla/service-runtime';
import {
  ApiTokenStore,
  AuditStore,
  createDatabaseClient,
  inTransaction,
  NotificationConfigStore,
  NotificationDeliveryStore,
  organizationScope,
  OrganizationStore,
  systemScope,
} from '@flotilla/stores';
import { percentile, startProcess, stopProcess, withScratchDatabase } from '../control-plane/bench-support.js';
import { startWebhookReceiver } from './webhook-receiver.js';

/**
 * Notification delivery: BENCH_NOTIFICATIONS webhook notifications recorded in the outbox through the delivery store,
 * as a state change records them (BENCH_PER_CHANGE per transaction, BENCH_CHANGES_PER_SECOND transactions a second),
 * queued after each commit and sent by a worker process's `notifications` queue to a local receiver answering in
 * BENCH_RECEIVER_MS. Reports deliveries per second and the time from recording to the receiver's request.
 */
interface NotificationBenchSettings extends ControlPlaneSettings {
  notifications: number;
  perChange: number;
  changesPerSecond: number;
  receiverMs: number;
  /** The worker's default concurrency unless BENCH_WORKER_CONCURRENCY says otherwise. */
  workerConcurrency: number | undefined;
}

const readNotificationBenchSettings: SettingsReader<NotificationBenchSettings> = (environment, problems) => ({
  ...readControlPlaneSettings(environment, problems),
  notifications: integer(environment, 'BENCH_NOTIFICATIONS', 10_000, problems),
  perChange: integer(environment, 'BENCH_PER_CHANGE', 4, problems),
  changesPerSecond: integer(environment, 'BENCH_CHANGES_PER_SECOND', 50, problems),
  receiverMs: integer(environment, 'BENCH_RECEIVER_MS', 50, problems, 0),
  workerConcurrency: environment.BENCH_WORKER_CONCURRENCY ? integer(environment, 'BENCH_WORKER_CONCURRENCY', 0, problems) : undefined,
});

const settings = loadSettings(readNotificationBenchSettings);
const GOALS = { latencyP99Ms: 2000 };
/** How long the receiver is waited for once everything is recorded; the run then reports what was missing. */
const DRAIN_TIMEOUT_MS = 120_000;
const DATABASE_CONNECTIONS = 8;

const log = (message: string): void => void process.stderr.write(`[bench:notifications] ${message}\n`);
const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const loadAtStart = load();
log(`load average ${loadAtStart} on ${availableParallelism()} cores`);
const redisPrefix = `bench-notifications-${process.pid}`;

const result = await withScratchDatabase(settings.databaseUrl, 'notifications', async (databaseUrl) => {
  const database = createDatabaseClient(databaseUrl, DATABASE_CONNECTIONS);
  const redis = createRedisConnection(settings.redis);
  const queue = new NotificationQueue(redis, redisPrefix);
  const receiver = await startWebhookReceiver(settings.receiverMs);
  const audit = new AuditStore(database, { publish: () => Promise.resolve() });
  const organizations = new OrganizationStore(database, audit, new ApiTokenStore(database, audit));
  const { organization } = await organizations.create(systemScope('bench'), 'bench', { name: 'bench', role: 'admin' });
  const scope = organizationScope(organization.id);
  await inTransaction(database, (transaction) =>
    new NotificationConfigStore(database, undefined).applyConfigMap(
      scope,
      transaction,
      undefined,
      { 'service.webhook.receiver': `url: ${receiver.url}\n` },
      'bench',
    ),
  );
  const worker = await startProcess(
    'apps/worker/dist/main.js',
    {
      DATABASE_URL: databaseUrl,
      ...redisTargetEnvironment(settings.redis),
      REDIS_PREFIX: redisPrefix,
      NOTIFICATION_ALLOW: '127.0.0.1/32',
      ...(settings.workerConcurrency === undefined ? {} : { NOTIFICATION_CONCURRENCY: String(settings.workerConcurrency) }),
    },
    async () => (await queue.queue.getWorkersCount()) >= 1,
  );
  const deliveries = new NotificationDeliveryStore(database);
  const recordedAt = new Map<string, number>();
  const subject = { kind: 'Rollout' as const, id: randomUUID(), name: 'bench/shop/cart', placement: undefined };

  /** One state change: its notifications recorded in one transaction, queued once it committed. */
  const change = async (first: number): Promise<void> => {
    const notifications: PlannedNotification[] = [];
    for (let index = first; index < Math.min(first + settings.perChange, settings.notifications); index += 1)
      notifications.push({
        trigger: 'on-rollout-step-completed',
        service: 'receiver',
        serviceType: 'webhook',
        recipient: '',
        dedupeKey: `bench-${index}`,
        notification: { message: `bench-${index}`, fields: {} },
      });
    const now = new Date();
    // Before the commit: the sweep may queue a row as soon as it is committed.
    for (const notification of notifications) recordedAt.set(notification.notification.message, now.getTime());
    const rows = await inTransaction(database, (transaction) =>
      deliveries.record(scope, transaction, {
        organizationId: organization.id,
        subject,
        notifications,
        mutes: [],
        bound: { perMinute: settings.notifications },
        now,
      }),
    );
    await Promise.all(rows.map((row) => queue.deliver(row.id, 0)));
  };

  try {
    log(
      `${settings.notifications} notifications, ${settings.perChange} per state change, ${settings.changesPerSecond} changes/s; receiver answers in ${settings.receiverMs} ms; worker concurrency ${settings.workerConcurrency ?? 'default'}`,
    );
    const started = Date.now();
    const inFlight = new Set<Promise<void>>();
    for (let first = 0, tick = 0; first < settings.notifications; first += settings.perChange, tick += 1) {
      const due = started + (tick * 1000) / settings.changesPerSecond;
      if (due > Date.now()) await sleep(due - Date.now());
      // As many transactions at once as the pool holds connections: a slower database slows recording down.
      while (inFlight.size >= DATABASE_CONNECTIONS) await Promise.race(inFlight);
      const recording = change(first).finally(() => inFlight.delete(recording));
      inFlight.add(recording);
    }
    await Promise.all(inFlight);
    const recordedSeconds = (Date.now() - started) / 1000;
    log(`recorded in ${recordedSeconds.toFixed(1)} s; waiting for the receiver`);
    const recorded = Date.now();
    while (receiver.received.size < settings.notifications && Date.now() - recorded < DRAIN_TIMEOUT_MS) await sleep(200);
    const arrivals = [...receiver.received.values()];
    const seconds = (Math.max(...arrivals) - started) / 1000;
    const latencies = [...receiver.received].map(([message, at]) => at - (recordedAt.get(message) ?? Number.NaN)).sort((a, b) => a - b);
    return {
      delivered: receiver.received.size,
      duplicates: receiver.duplicates,
      recordedSeconds,
      seconds,
      latency: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: latencies.at(-1) ?? Number.NaN },
    };
  } finally {
    await stopProcess(worker);
    await queue.queue.obliterate({ force: true });
    await queue.close();
    await receiver.close();
    await Promise.allSettled([database.$disconnect(), redis.quit()]);
  }
});

const ms = (value: number): string => `${Math.round(value).toLocaleString('en')} ms`;
const offered = settings.changesPerSecond * settings.perChange;
const lines = [
  '',
  `bench:notifications (${availableParallelism()} cores; load average ${loadAtStart} at the start, ${load()} at the end)`,
  `  ${settings.notifications} webhook notifications, ${settings.perChange} per state change at ${offered}/s offered; receiver answers in ${settings.receiverMs} ms; worker concurrency ${settings.workerConcurrency ?? 'default'}`,
  `    delivered                                   ${result.delivered} of ${settings.notifications}, ${result.duplicates} twice; recorded in ${result.recordedSeconds.toFixed(1)} s, last delivered after ${result.seconds.toFixed(1)} s`,
  `    deliveries per second                       ${(result.delivered / result.seconds).toFixed(1)}`,
  `    recording → receiver's request              p50 ${ms(result.latency.p50)}  p99 ${ms(result.latency.p99)}  max ${ms(result.latency.max)}  ${
    result.latency.p99 < GOALS.latencyP99Ms ? 'meets' : 'MISSES'
  } the goal of p99 < ${ms(GOALS.latencyP99Ms)}`,
];
process.stdout.write(`${lines.join('\n')}\n\n`);

import type { ChildProcess } from 'node:child_process';
import { redisTargetEnvironment, type RedisTarget } from '@flotilla/service-runtime';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { DatabaseClient } from '@flotilla/stores';
import type { Prisma } from '@flotilla/stores/prisma';
import { ReconcileQueue } from '@flotilla/queues';
import { postmasterPid, startProcess, stopProcess } from './bench-support.js';
import { pendingRelease } from './engine-fleet.js';
import { cpuSecondsOf, cpuSecondsOfCommand, cpuSecondsOfProcessTree, machineBusyCpuSeconds } from './process-cpu.js';

export interface JobRateEnvironment {
  databaseUrl: string;
  redisTarget: RedisTarget;
  /** Seeds the rollouts. */
  database: DatabaseClient;
  /** Watches progress with one cheap count query at a time. */
  pool: pg.Pool;
  redis: Redis;
}

export interface JobRateOptions {
  /** Names the run's organization, cluster and Redis prefix. */
  label: string;
  workers: number;
  concurrency: number;
  rollouts: number;
  /** Jobs run first and left out of the figures, so that they measure warmed-up workers. */
  warmupRollouts: number;
  /** Organizations the rollouts are spread over, one cluster each: every organization has its own audit chain. */
  organizations: number;
  timeoutMs: number;
  /** Extra `node` arguments of the worker processes, such as `--cpu-prof`. */
  workerNodeArguments?: readonly string[];
  progress: (message: string) => void;
}

export interface JobRate {
  workers: number;
  concurrency: number;
  organizations: number;
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
  /** CPU milliseconds the worker processes spent per job, all workers together. */
  workerCpuMsPerJob: number;
  /** The same for the Postgres and Redis server processes, and for the whole machine (everything running on it). */
  postgresCpuMsPerJob: number;
  redisCpuMsPerJob: number;
  machineCpuMsPerJob: number;
  failedJobs: number;
}

interface CpuReadings {
  workers: number;
  postgres: number;
  redis: number;
  machine: number;
}

const cpuReadings = (workers: readonly ChildProcess[], postmaster: number): CpuReadings => ({
  workers: workers.reduce((sum, worker) => sum + cpuSecondsOf(worker.pid as number), 0),
  postgres: cpuSecondsOfProcessTree(postmaster),
  redis: cpuSecondsOfCommand('redis-server'),
  machine: machineBusyCpuSeconds(),
});

const SEED_BATCH = 250;
const ENQUEUE_BATCH = 500;
const POLL_MS = 50;
// The sweep would enqueue the same rollouts on its own; the measurement wants only the jobs it sends.
const QUIET_SWEEP = { SWEEP_INTERVAL_MS: '3600000', AGENT_SILENCE_LIMIT_MS: '3600000' };

interface SeededFleet {
  clusterIds: string[];
  rollouts: { id: string; version: number }[];
}

/**
 * `count` pending releases spread over `organizations` organizations of one cluster each. The clusters are not
 * connected yet, so that no sweep picks their rollouts before the measurement sends its jobs.
 */
async function seedFleet(database: DatabaseClient, label: string, count: number, organizations: number): Promise<SeededFleet> {
  const clusters: { id: string; organizationId: string }[] = [];
  for (let index = 0; index < organizations; index++) {
    const organization = await database.organization.create({ data: { name: `bench-${label}-${index}` } });
    const cluster = await database.cluster.create({
      data: {
        organizationId: organization.id,
        name: label,
        agentTokenHash: `bench-${label}-${index}-${process.pid}`,
        connectionState: 'Pending',
        lastHeartbeatAt: new Date(),
      },
    });
    clusters.push(cluster);
  }
  const clusterIds = clusters.map((cluster) => cluster.id);
  const now = new Date();
  const json = (value: unknown): Prisma.InputJsonValue => value as Prisma.InputJsonValue;
  for (let offset = 0; offset < count; offset += SEED_BATCH) {
    const data = Array.from({ length: Math.min(SEED_BATCH, count - offset) }, (_, index): Prisma.RolloutCreateManyInput => {
      const rollout = pendingRelease(offset + index);
      const cluster = clusters[(offset + index) % clusters.length] as { id: string; organizationId: string };
      return {
        organizationId: cluster.organizationId,
        clusterId: cluster.id,
        namespace: rollout.namespace,
        name: rollout.name,
        labels: { app: rollout.name },
        spec: json(rollout.spec),
        generation: rollout.generation,
        observedGeneration: rollout.status?.observedGeneration ?? 0,
        phase: rollout.status?.phase ?? 'Pending',
        message: rollout.status?.message ?? '',
        status: json(rollout.status),
        specChangedBy: 'token:bench',
        desiredState: json(rollout.desired),
        desiredVersion: 1,
        appliedDesiredVersion: 1,
        observed: json(rollout.observed),
        observedAt: now,
        version: 1,
      };
    });
    await database.rollout.createMany({ data });
  }
  const rollouts = await database.rollout.findMany({ where: { clusterId: { in: clusterIds } }, select: { id: true, version: true } });
  return { clusterIds, rollouts };
}

/** Each job of the run must have started its rollout's new revision, or it did not take the write path. */
async function assertEveryJobWrote(pool: pg.Pool, clusterIds: readonly string[], jobs: number): Promise<void> {
  const result = await pool.query<{ revisions: number }>(
    'SELECT count(*)::integer AS revisions FROM "RolloutRevision" v JOIN "Rollout" r ON r.id = v."rolloutId" WHERE r."clusterId" = ANY($1::uuid[])',
    [clusterIds],
  );
  const revisions = result.rows[0]?.revisions ?? 0;
  if (revisions !== jobs) throw new Error(`${jobs} jobs ran but ${revisions} revisions were started: not every job wrote`);
}

async function reconciledCount(pool: pg.Pool, clusterIds: readonly string[]): Promise<number> {
  const result = await pool.query<{ done: number }>(
    'SELECT count(*)::integer AS done FROM "Rollout" WHERE "clusterId" = ANY($1::uuid[]) AND "observedGeneration" = generation',
    [clusterIds],
  );
  return result.rows[0]?.done ?? 0;
}

/** Sends one job per rollout and waits until `alreadyDone` plus these rollouts have observed their new generation. */
async function runJobs(
  queue: ReconcileQueue,
  pool: pg.Pool,
  clusterIds: readonly string[],
  rollouts: readonly { id: string; version: number }[],
  alreadyDone: number,
  options: Pick<JobRateOptions, 'timeoutMs' | 'progress'>,
): Promise<void> {
  const started = performance.now();
  for (let offset = 0; offset < rollouts.length; offset += ENQUEUE_BATCH) {
    await Promise.all(rollouts.slice(offset, offset + ENQUEUE_BATCH).map(({ id, version }) => queue.request(id, version)));
  }
  options.progress(`  ${rollouts.length} jobs sent in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  const target = alreadyDone + rollouts.length;
  let done = alreadyDone;
  let lastReport = started;
  while (done < target) {
    if (performance.now() - started > options.timeoutMs) {
      const counts = await queue.queue.getJobCounts('waiting', 'active', 'failed');
      throw new Error(
        `${done - alreadyDone}/${rollouts.length} rollouts reconciled after ${options.timeoutMs} ms (jobs: ${JSON.stringify(counts)})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    done = await reconciledCount(pool, clusterIds);
    if (performance.now() - lastReport >= 1000) {
      lastReport = performance.now();
      options.progress(`  ${done - alreadyDone}/${rollouts.length} reconciled`);
    }
  }
}

/**
 * Reconcile jobs per second through BullMQ and Postgres: `rollouts` pending releases in a connected cluster, one
 * job each sent through `ReconcileQueue.request` after `warmupRollouts` untimed ones, timed from the first send
 * until every rollout has observed its new generation. Each job loads the rollout, runs the engine and writes status, desired state, a revision and
 * audit events in one version-guarded transaction, then publishes and schedules its wake-up.
 */
export async function measureReconcileJobRate(environment: JobRateEnvironment, options: JobRateOptions): Promise<JobRate> {
  const { database, pool } = environment;
  const prefix = `bench-engine-${process.pid}-${options.label}`;
  const queue = new ReconcileQueue(environment.redis, prefix);
  const workers: ChildProcess[] = [];
  const total = options.warmupRollouts + options.rollouts;
  options.progress(`seeding ${total} rollouts with a new image each, in ${options.organizations} organization(s)`);
  const { clusterIds, rollouts: rolloutIds } = await seedFleet(database, options.label, total, options.organizations);
  await pool.query('ANALYZE');
  try {
    const workerEnvironment = {
      DATABASE_URL: environment.databaseUrl,
      ...redisTargetEnvironment(environment.redisTarget),
      REDIS_PREFIX: prefix,
      WORKER_CONCURRENCY: String(options.concurrency),
      ...QUIET_SWEEP,
    };
    for (let started = 1; started <= options.workers; started++) {
      workers.push(
        await startProcess(
          'apps/worker/dist/main.js',
          workerEnvironment,
          async () => (await queue.queue.getWorkersCount()) >= started,
          options.workerNodeArguments,
        ),
      );
    }
    options.progress(`${options.workers} worker(s) × concurrency ${options.concurrency} ready`);
    await database.cluster.updateMany({
      where: { id: { in: clusterIds } },
      data: { connectionState: 'Connected', lastHeartbeatAt: new Date() },
    });

    const warmup = rolloutIds.slice(0, options.warmupRollouts);
    const timed = rolloutIds.slice(options.warmupRollouts);
    options.progress(`warming up with ${warmup.length} jobs`);
    await runJobs(queue, pool, clusterIds, warmup, 0, options);
    const postmaster = await postmasterPid(pool);
    const cpuBefore = cpuReadings(workers, postmaster);
    const started = performance.now();
    await runJobs(queue, pool, clusterIds, timed, warmup.length, options);
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = cpuReadings(workers, postmaster);
    const msPerJob = (key: keyof CpuReadings): number => ((cpuAfter[key] - cpuBefore[key]) * 1000) / timed.length;
    const failedJobs = await queue.queue.getFailedCount();
    await assertEveryJobWrote(pool, clusterIds, rolloutIds.length);
    return {
      workers: options.workers,
      concurrency: options.concurrency,
      organizations: options.organizations,
      jobs: timed.length,
      seconds,
      jobsPerSecond: timed.length / seconds,
      workerCpuMsPerJob: msPerJob('workers'),
      postgresCpuMsPerJob: msPerJob('postgres'),
      redisCpuMsPerJob: msPerJob('redis'),
      machineCpuMsPerJob: msPerJob('machine'),
      failedJobs,
    };
  } finally {
    await Promise.all(workers.map((worker) => stopProcess(worker)));
    // Later runs start workers whose sweep must not find this run's rollouts.
    await database.cluster.updateMany({ where: { id: { in: clusterIds } }, data: { connectionState: 'Disconnected' } });
    await queue.queue.obliterate({ force: true });
    await queue.close();
  }
}

import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { redisTargetEnvironment, type RedisTarget } from '@flotilla/service-runtime';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { DatabaseClient } from '@flotilla/stores';
import type { Prisma } from '@flotilla/stores/prisma';
import { ReconcileQueue } from '@flotilla/queues';
import { postmasterPid, startProcess, stopProcess } from './bench-support.js';
import type { DesiredRolloutState, ObservedRolloutState } from '@flotilla/protocol';
import { convergedObservation, pendingRelease } from './engine-fleet.js';
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

/**
 * What the jobs of a measurement find to do, each kind on the rollouts as the kind before left them:
 * - `release`: a new image; the reconcile starts a revision, changes the desired state, writes audit events;
 * - `step`: the agent reports the canary's first pods ready; the reconcile moves on to the next step, a pause
 *   (status and audit events, the desired state as it was): the reconcile of one observation;
 * - `unchanged`: a trigger with nothing new; the reconcile reads the rollout, decides and writes nothing.
 */
export type JobKind = 'release' | 'step' | 'unchanged';

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
  /** Measured in this order, with the same workers. */
  kinds: readonly JobKind[];
  /** Extra `node` arguments of the worker processes, such as `--cpu-prof`. */
  workerNodeArguments?: readonly string[];
  progress: (message: string) => void;
}

export interface JobRate {
  /** `queue-only`: jobs a process takes from the queue as a worker does and does nothing with (`measureQueueOnlyRate`). */
  kind: JobKind | 'queue-only';
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
  rollouts: SentJob[];
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

interface SentJob {
  id: string;
  version: number;
}

/** The rollouts' versions now: a job sent for a rollout's version reconciles it as it is. */
async function currentVersions(pool: pg.Pool, ids: readonly string[]): Promise<SentJob[]> {
  const result = await pool.query<SentJob>('SELECT id, version FROM "Rollout" WHERE id = ANY($1::uuid[]) ORDER BY id', [ids]);
  return result.rows;
}

/**
 * Records for each rollout what an agent that applied its desired state at once reports (its new pods ready), moving
 * its version on as the agent gateway does for a changed observation. Answers the new versions.
 */
async function reportConverged(pool: pg.Pool, ids: readonly string[]): Promise<SentJob[]> {
  const stored = await pool.query<{
    id: string;
    observed: ObservedRolloutState;
    desiredState: DesiredRolloutState;
    desiredVersion: number;
  }>('SELECT id, observed, "desiredState", "desiredVersion" FROM "Rollout" WHERE id = ANY($1::uuid[])', [ids]);
  const now = new Date().toISOString();
  const reports = stored.rows.map((row) => ({
    id: row.id,
    observed: convergedObservation(row.observed, row.desiredState, now),
    applied: row.desiredVersion,
  }));
  const updated = await pool.query<SentJob>(
    `UPDATE "Rollout" r SET observed = o.observed, "observedAt" = $2::timestamp, "appliedDesiredVersion" = o.applied, version = r.version + 1
    FROM jsonb_to_recordset($1::jsonb) AS o(id uuid, observed jsonb, applied integer) WHERE r.id = o.id RETURNING r.id, r.version`,
    [JSON.stringify(reports), now],
  );
  return updated.rows;
}

/** Every job of `kind` did what the kind stands for, or the figures would measure another path. */
async function assertEveryJobDid(kind: JobKind, pool: pg.Pool, clusterIds: readonly string[], sent: readonly SentJob[]): Promise<void> {
  const counted = async (query: string, values: unknown[]): Promise<number> =>
    (await pool.query<{ count: number }>(query, values)).rows[0]?.count ?? 0;
  const versions = [sent.map(({ id }) => id), sent.map(({ version }) => version)];
  const written = await counted(
    'SELECT count(*)::integer AS count FROM "Rollout" r JOIN unnest($1::uuid[], $2::integer[]) AS s(id, version) ON r.id = s.id WHERE r.version > s.version',
    versions,
  );
  switch (kind) {
    case 'release': {
      const revisions = await counted(
        'SELECT count(*)::integer AS count FROM "RolloutRevision" v JOIN "Rollout" r ON r.id = v."rolloutId" WHERE r."clusterId" = ANY($1::uuid[])',
        [clusterIds],
      );
      if (written !== sent.length || revisions !== sent.length)
        throw new Error(`${sent.length} release jobs ran, ${written} wrote and ${revisions} revisions were started`);
      return;
    }
    case 'step': {
      const paused = await counted(
        `SELECT count(*)::integer AS count FROM "Rollout" WHERE id = ANY($1::uuid[]) AND (status ->> 'currentStepIndex')::integer = 1 AND phase = 'Paused'`,
        [versions[0]],
      );
      if (written !== sent.length || paused !== sent.length)
        throw new Error(`${sent.length} step jobs ran, ${written} wrote and ${paused} rollouts stand paused at step 1`);
      return;
    }
    case 'unchanged':
      if (written !== 0) throw new Error(`${sent.length} jobs with nothing new ran, yet ${written} wrote`);
      return;
  }
}

/** Jobs sent and not yet finished: finished ones are removed at once; wake-ups due later wait apart and are left out. */
async function jobsLeft(queue: ReconcileQueue): Promise<number> {
  const counts = await queue.queue.getJobCounts('waiting', 'prioritized', 'active');
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

/** Sends one job per rollout version and waits until every one has finished. */
async function runJobs(
  queue: ReconcileQueue,
  jobs: readonly SentJob[],
  options: Pick<JobRateOptions, 'timeoutMs' | 'progress'>,
): Promise<void> {
  const started = performance.now();
  for (let offset = 0; offset < jobs.length; offset += ENQUEUE_BATCH) {
    await Promise.all(jobs.slice(offset, offset + ENQUEUE_BATCH).map(({ id, version }) => queue.request(id, version)));
  }
  options.progress(`  ${jobs.length} jobs sent in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  let left = jobs.length;
  let lastReport = started;
  while (left > 0) {
    if (performance.now() - started > options.timeoutMs) {
      const counts = await queue.queue.getJobCounts('waiting', 'active', 'failed');
      throw new Error(`${left}/${jobs.length} jobs left after ${options.timeoutMs} ms (jobs: ${JSON.stringify(counts)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    left = await jobsLeft(queue);
    if (performance.now() - lastReport >= 1000) {
      lastReport = performance.now();
      options.progress(`  ${jobs.length - left}/${jobs.length} done`);
    }
  }
}

/** The jobs of `kind` for these rollouts, the rollouts readied for them. */
async function jobsOf(kind: JobKind, pool: pg.Pool, rollouts: readonly SentJob[]): Promise<SentJob[]> {
  const ids = rollouts.map(({ id }) => id);
  switch (kind) {
    case 'release':
      return [...rollouts];
    case 'step':
      return reportConverged(pool, ids);
    case 'unchanged':
      return currentVersions(pool, ids);
  }
}

type TimedJobs = Omit<JobRate, 'kind' | 'failedJobs'>;

/** Sends `jobs` and waits for them, with the CPU the workers, Postgres, Redis and the machine spent meanwhile. */
async function timeJobs(
  queue: ReconcileQueue,
  jobs: readonly SentJob[],
  workers: readonly ChildProcess[],
  postmaster: number,
  options: Pick<JobRateOptions, 'workers' | 'concurrency' | 'organizations' | 'timeoutMs' | 'progress'>,
): Promise<TimedJobs> {
  const cpuBefore = cpuReadings(workers, postmaster);
  const started = performance.now();
  await runJobs(queue, jobs, options);
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuReadings(workers, postmaster);
  const msPerJob = (key: keyof CpuReadings): number => ((cpuAfter[key] - cpuBefore[key]) * 1000) / jobs.length;
  return {
    workers: options.workers,
    concurrency: options.concurrency,
    organizations: options.organizations,
    jobs: jobs.length,
    seconds,
    jobsPerSecond: jobs.length / seconds,
    workerCpuMsPerJob: msPerJob('workers'),
    postgresCpuMsPerJob: msPerJob('postgres'),
    redisCpuMsPerJob: msPerJob('redis'),
    machineCpuMsPerJob: msPerJob('machine'),
  };
}

/**
 * The floor under every reconcile job: jobs sent as the reconcile jobs are (`ReconcileQueue.request`, one per
 * rollout version) and taken by one process that does what a worker does with BullMQ and nothing else
 * (`queue-only-worker.ts`), timed after `warmupRollouts` untimed ones.
 */
export async function measureQueueOnlyRate(
  environment: Pick<JobRateEnvironment, 'redisTarget' | 'redis' | 'pool'>,
  options: Pick<JobRateOptions, 'label' | 'concurrency' | 'rollouts' | 'warmupRollouts' | 'timeoutMs' | 'workerNodeArguments' | 'progress'>,
): Promise<JobRate> {
  const prefix = `bench-engine-${process.pid}-${options.label}`;
  const queue = new ReconcileQueue(environment.redis, prefix);
  const worker = await startProcess(
    'tools/dist/bench/control-plane/queue-only-worker.js',
    { ...redisTargetEnvironment(environment.redisTarget), REDIS_PREFIX: prefix, WORKER_CONCURRENCY: String(options.concurrency) },
    async () => (await queue.queue.getWorkersCount()) >= 1,
    options.workerNodeArguments,
    'worker started',
  );
  try {
    const jobs = (count: number): SentJob[] => Array.from({ length: count }, () => ({ id: randomUUID(), version: 1 }));
    const run = { ...options, workers: 1, organizations: 0 };
    options.progress(`queue-only jobs: warming up with ${options.warmupRollouts}`);
    await runJobs(queue, jobs(options.warmupRollouts), run);
    options.progress(`queue-only jobs: ${options.rollouts} timed`);
    const measured = await timeJobs(queue, jobs(options.rollouts), [worker], await postmasterPid(environment.pool), run);
    return { kind: 'queue-only', ...measured, failedJobs: await queue.queue.getFailedCount() };
  } finally {
    await stopProcess(worker);
    await queue.queue.obliterate({ force: true });
    await queue.close();
  }
}

/**
 * Reconcile jobs per second through BullMQ and Postgres: `rollouts` pending releases in a connected cluster, for each
 * kind one job each sent through `ReconcileQueue.request` after `warmupRollouts` untimed ones, timed from the first
 * send until every job has finished. A release job loads the rollout, runs the engine and writes status, desired
 * state, a revision and audit events in one version-guarded transaction, then publishes and schedules its wake-up.
 */
export async function measureReconcileJobRate(environment: JobRateEnvironment, options: JobRateOptions): Promise<JobRate[]> {
  const { database, pool } = environment;
  const prefix = `bench-engine-${process.pid}-${options.label}`;
  const queue = new ReconcileQueue(environment.redis, prefix);
  const workers: ChildProcess[] = [];
  const total = options.warmupRollouts + options.rollouts;
  options.progress(`seeding ${total} rollouts with a new image each, in ${options.organizations} organization(s)`);
  const { clusterIds, rollouts } = await seedFleet(database, options.label, total, options.organizations);
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
          // Its first sweep, over by then, would otherwise queue the rollouts connected meanwhile.
          'worker started',
        ),
      );
    }
    options.progress(`${options.workers} worker(s) × concurrency ${options.concurrency} ready`);
    await database.cluster.updateMany({
      where: { id: { in: clusterIds } },
      data: { connectionState: 'Connected', lastHeartbeatAt: new Date() },
    });
    const postmaster = await postmasterPid(pool);
    const rates: JobRate[] = [];
    for (const kind of options.kinds) {
      const jobs = await jobsOf(kind, pool, rollouts);
      const warmup = jobs.slice(0, options.warmupRollouts);
      const timed = jobs.slice(options.warmupRollouts);
      options.progress(`${kind} jobs: warming up with ${warmup.length}`);
      await runJobs(queue, warmup, options);
      options.progress(`${kind} jobs: ${timed.length} timed`);
      const measured = await timeJobs(queue, timed, workers, postmaster, options);
      await assertEveryJobDid(kind, pool, clusterIds, jobs);
      rates.push({ kind, ...measured, failedJobs: await queue.queue.getFailedCount() });
    }
    return rates;
  } finally {
    await Promise.all(workers.map((worker) => stopProcess(worker)));
    // Later runs start workers whose sweep must not find this run's rollouts.
    await database.cluster.updateMany({ where: { id: { in: clusterIds } }, data: { connectionState: 'Disconnected' } });
    await queue.queue.obliterate({ force: true });
    await queue.close();
  }
}

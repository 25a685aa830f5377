import type { Redis } from 'ioredis';
import type pg from 'pg';
import { percentile, graphqlRequest, postmasterPid, type LatencySummary } from '../control-plane/bench-support.js';
import {
  activityOf,
  cpuSecondsOf,
  cpuSecondsOfCommand,
  cpuSecondsOfProcessTree,
  machineBusyCpuSeconds,
  residentMegabytes,
  type ProcessActivity,
} from '../control-plane/process-cpu.js';
import { CONTAINER, FLEET_NAMESPACE, imageOf, type FleetRollout } from './fleet-plan.js';
import type { FleetSimProcess } from './fleet-sim-process.js';
import type { ControlPlaneProcesses, JobCounter } from './fleet-system.js';
import { auditSteps, type RolloutAuditRecord, type StepAudit } from './step-audit.js';

export interface ReleasePhaseOptions {
  /** Seconds during which releases are started. */
  releaseSeconds: number;
  /** Each rollout is released once per this many seconds. */
  releaseIntervalSeconds: number;
  /** Seconds the fleet gets after the last release to finish every release. */
  drainTimeoutSeconds: number;
  progress: (message: string) => void;
}

export interface ReleasePhaseContext {
  adminToken: string;
  layout: readonly FleetRollout[];
  controlPlane: ControlPlaneProcesses;
  simulator: FleetSimProcess;
  jobs: JobCounter;
  pool: pg.Pool;
  /** Reads the Redis server's counters. */
  redis: Redis;
}

export interface CpuShare {
  api: number;
  worker: number;
  postgres: number;
  redis: number;
  machine: number;
}

export interface FleetRunResult {
  releases: number;
  reaction: LatencySummary;
  releaseToDesired: LatencySummary;
  firstPage: LatencySummary;
  stepsCompleted: number;
  reconcileJobs: number;
  /** The reconcile jobs by what they answered: `written`, `unchanged` (nothing to do), `held`, `gone`. */
  reconcileOutcomes: Map<string, number>;
  /** The reconcile jobs that were wake-ups at a time the engine asked for, not triggers of a change. */
  wakeUpJobs: number;
  /** Transactions the benchmark's database committed or rolled back (each statement outside one counts as one). */
  postgresTransactions: number;
  /** Commands the Redis server ran, and bytes it sent (replies and pub/sub deliveries), for the whole server. */
  redisCommands: number;
  redisBytesSent: number;
  /** Milliseconds of CPU per completed step. */
  cpuPerStep: CpuShare;
  /** System calls, event-loop wake-ups and preemptions per completed step, of the APIs together and of the workers. */
  activityPerStep: { api: ProcessActivity; worker: ProcessActivity };
  residentMegabytes: { api: number[]; worker: number[]; simulator: number };
  databaseBytesPer1000Releases: number;
  audit: StepAudit;
  errors: string[];
  seconds: number;
}

const FIRST_PAGE_QUERY =
  'query { rollouts(page: { first: 100 }) { nodes { id cluster namespace name phase generation images stepCount } pageInfo { endCursor hasNextPage } } }';
const SET_IMAGE =
  'mutation($r: RolloutRef!, $container: String!, $image: String!) { setImage(rollout: $r, container: $container, image: $image) { id } }';
const FIRST_PAGE_EVERY_MS = 500;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const summary = (values: number[]): LatencySummary => {
  const sorted = [...values].sort((a, b) => a - b);
  return { samples: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN };
};

interface CpuReading {
  api: number;
  worker: number;
  postgres: number;
  redis: number;
  machine: number;
}

async function readCpu(controlPlane: ControlPlaneProcesses, pool: pg.Pool): Promise<CpuReading> {
  // The whole server, not this database's backends: those a pool closes during the run would take their CPU along.
  const sum = (pids: number[]): number => pids.reduce((total, pid) => total + cpuSecondsOf(pid), 0);
  return {
    api: sum(controlPlane.apis.map((api) => api.process.pid as number)),
    worker: sum(controlPlane.workers.map((worker) => worker.pid as number)),
    postgres: cpuSecondsOfProcessTree(await postmasterPid(pool)),
    redis: cpuSecondsOfCommand('redis-server'),
    machine: machineBusyCpuSeconds(),
  };
}

interface ActivityReading {
  api: ProcessActivity;
  worker: ProcessActivity;
}

function readActivity(controlPlane: ControlPlaneProcesses): ActivityReading {
  const sum = (pids: number[]): ProcessActivity =>
    pids.map(activityOf).reduce(
      (total, one) => ({
        syscalls: total.syscalls + one.syscalls,
        wakeUps: total.wakeUps + one.wakeUps,
        preemptions: total.preemptions + one.preemptions,
      }),
      { syscalls: 0, wakeUps: 0, preemptions: 0 },
    );
  return {
    api: sum(controlPlane.apis.map((api) => api.process.pid as number)),
    worker: sum(controlPlane.workers.map((worker) => worker.pid as number)),
  };
}

async function transactionCount(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ count: string }>(
    'SELECT (xact_commit + xact_rollback)::text AS count FROM pg_stat_database WHERE datname = current_database()',
  );
  return Number(rows[0]?.count ?? Number.NaN);
}

interface RedisCounters {
  commands: number;
  bytesSent: number;
}

async function redisCounters(redis: Redis): Promise<RedisCounters> {
  const stats = await redis.info('stats');
  const counter = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(stats)?.[1] ?? Number.NaN);
  return { commands: counter('total_commands_processed'), bytesSent: counter('total_net_output_bytes') };
}

async function databaseBytes(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ bytes: string }>('SELECT pg_database_size(current_database())::text AS bytes');
  return Number(rows[0]?.bytes ?? Number.NaN);
}

async function unfinishedRollouts(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM "Rollout" WHERE phase <> 'Healthy' OR "observedGeneration" <> generation`,
  );
  return rows[0]?.count ?? Number.NaN;
}

/** Waits until every rollout is Healthy at its latest generation. */
export async function waitForConvergence(pool: pg.Pool, timeoutSeconds: number, progress: (message: string) => void): Promise<void> {
  const deadline = performance.now() + timeoutSeconds * 1000;
  let lastReport = 0;
  for (;;) {
    const left = await unfinishedRollouts(pool);
    if (left === 0) return;
    if (performance.now() > deadline) throw new Error(`${left} rollouts still unfinished after ${timeoutSeconds} s`);
    if (performance.now() - lastReport > 5000) {
      lastReport = performance.now();
      progress(`  ${left} rollouts not yet Healthy at their latest generation`);
    }
    await sleep(250);
  }
}

async function readAudit(pool: pg.Pool): Promise<RolloutAuditRecord[]> {
  const { rows } = await pool.query<{ rollout_id: string; action: string; step_index: number | null; step_count: number | null }>(
    `SELECT "targetId" AS rollout_id, action, (after->>'stepIndex')::int AS step_index, (after->>'stepCount')::int AS step_count
       FROM "AuditEvent"
      WHERE "targetType" = 'Rollout' AND action IN ('rollout.revision_started', 'rollout.step_completed', 'rollout.completed')
      ORDER BY "organizationId", sequence`,
  );
  return rows.map((row) => ({
    rolloutId: row.rollout_id,
    action: row.action,
    ...(row.step_index === null ? {} : { stepIndex: row.step_index }),
    ...(row.step_count === null ? {} : { stepCount: row.step_count }),
  }));
}

async function stepsCompletedSince(pool: pg.Pool, since: Date): Promise<number> {
  const { rows } = await pool.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM "AuditEvent" WHERE action = 'rollout.step_completed' AND "occurredAt" >= $1`,
    [since],
  );
  return rows[0]?.count ?? 0;
}

/** Polls the first page of rollouts until `stop` holds, and answers each request's milliseconds. */
async function pollFirstPage(apiUrl: string, token: string, stop: () => boolean): Promise<number[]> {
  const durations: number[] = [];
  while (!stop()) {
    const started = performance.now();
    await graphqlRequest(apiUrl, token, FIRST_PAGE_QUERY);
    durations.push(performance.now() - started);
    await sleep(Math.max(0, FIRST_PAGE_EVERY_MS - (performance.now() - started)));
  }
  return durations;
}

/**
 * The measured part of a fleet run, after the initial convergence: releases (`setImage`) started at a fixed rate for
 * `releaseSeconds`, the first page polled meanwhile, then every release carried to its end; figures per completed
 * step over that whole span.
 */
export async function runReleasePhase(context: ReleasePhaseContext, options: ReleasePhaseOptions): Promise<FleetRunResult> {
  const { layout, controlPlane, simulator, pool, jobs, adminToken } = context;
  const apiUrls = controlPlane.apis.map((api) => api.url);
  await simulator.reset();
  const since = new Date();
  const jobsBefore = jobs.completedReconciles;
  const wakeUpsBefore = jobs.completedWakeUps;
  const outcomesBefore = new Map(jobs.reconcileOutcomes);
  const failedBefore = jobs.failedJobs;
  const bytesBefore = await databaseBytes(pool);
  const transactionsBefore = await transactionCount(pool);
  const redisBefore = await redisCounters(context.redis);
  const cpuBefore = await readCpu(controlPlane, pool);
  const activityBefore = readActivity(controlPlane);
  const began = performance.now();

  const perSecond = layout.length / options.releaseIntervalSeconds;
  const releaseCount = Math.max(1, Math.round(perSecond * options.releaseSeconds));
  const sentAt = new Map<string, number>();
  const versions = new Map<string, number>();
  const refused: string[] = [];
  let releasing = true;
  const polling = pollFirstPage(apiUrls[0] as string, adminToken, () => !releasing);
  const requests: Promise<unknown>[] = [];
  options.progress(`starting ${releaseCount} releases over ${options.releaseSeconds} s (${perSecond.toFixed(2)}/s)`);
  for (let index = 0; index < releaseCount; index++) {
    await sleep(began + (index * 1000) / perSecond - performance.now());
    const rollout = layout[(index * 7919) % layout.length] as FleetRollout;
    const version = (versions.get(rollout.name) ?? 0) + 1;
    versions.set(rollout.name, version);
    const image = imageOf(rollout.name, version);
    const key = `${rollout.cluster}/${FLEET_NAMESPACE}/${rollout.name}@${image}`;
    sentAt.set(key, Date.now());
    requests.push(
      graphqlRequest(apiUrls[index % apiUrls.length] as string, adminToken, SET_IMAGE, {
        r: { cluster: rollout.cluster, namespace: FLEET_NAMESPACE, name: rollout.name },
        container: CONTAINER,
        image,
      }).catch((error: unknown) => {
        // A refused release is an error of the run, which goes on: the rest of the fleet still measures.
        sentAt.delete(key);
        refused.push(`setImage ${key} failed: ${error instanceof Error ? error.message : String(error)}`);
      }),
    );
    if ((index + 1) % Math.max(1, Math.floor(releaseCount / 10)) === 0) options.progress(`  ${index + 1}/${releaseCount} releases started`);
  }
  releasing = false;
  await Promise.all(requests);
  const firstPage = await polling;
  options.progress('waiting for every release to finish');
  await waitForConvergence(pool, options.drainTimeoutSeconds, options.progress);
  const seconds = (performance.now() - began) / 1000;
  const cpuAfter = await readCpu(controlPlane, pool);
  const activityAfter = readActivity(controlPlane);
  const bytesAfter = await databaseBytes(pool);
  const transactions = (await transactionCount(pool)) - transactionsBefore;
  const redisAfter = await redisCounters(context.redis);
  const stepsCompleted = await stepsCompletedSince(pool, since);
  const report = await simulator.report();
  const audit = auditSteps(await readAudit(pool));

  const seen = new Map(report.imageFirstSeen);
  const releaseLatencies: number[] = [];
  const unseen: string[] = [];
  for (const [key, sent] of sentAt) {
    const first = seen.get(key);
    if (first === undefined) unseen.push(key);
    else releaseLatencies.push(first - sent);
  }
  const perStep = (cpuSeconds: number): number => (cpuSeconds * 1000) / stepsCompleted;
  const activityPerStep = (role: keyof ActivityReading): ProcessActivity => ({
    syscalls: (activityAfter[role].syscalls - activityBefore[role].syscalls) / stepsCompleted,
    wakeUps: (activityAfter[role].wakeUps - activityBefore[role].wakeUps) / stepsCompleted,
    preemptions: (activityAfter[role].preemptions - activityBefore[role].preemptions) / stepsCompleted,
  });
  const errors = [
    ...refused,
    ...report.errors,
    ...unseen.map((key) => `no desired state ever ran ${key}`),
    ...(jobs.failedJobs > failedBefore ? [`${jobs.failedJobs - failedBefore} jobs failed`] : []),
    ...audit.lost,
    ...audit.doubled,
  ];
  return {
    releases: releaseCount,
    reaction: summary(report.reactions),
    releaseToDesired: summary(releaseLatencies),
    firstPage: summary(firstPage),
    stepsCompleted,
    reconcileJobs: jobs.completedReconciles - jobsBefore,
    reconcileOutcomes: new Map(
      [...jobs.reconcileOutcomes].map(([outcome, count]) => [outcome, count - (outcomesBefore.get(outcome) ?? 0)]),
    ),
    wakeUpJobs: jobs.completedWakeUps - wakeUpsBefore,
    postgresTransactions: transactions,
    redisCommands: redisAfter.commands - redisBefore.commands,
    redisBytesSent: redisAfter.bytesSent - redisBefore.bytesSent,
    cpuPerStep: {
      api: perStep(cpuAfter.api - cpuBefore.api),
      worker: perStep(cpuAfter.worker - cpuBefore.worker),
      postgres: perStep(cpuAfter.postgres - cpuBefore.postgres),
      redis: perStep(cpuAfter.redis - cpuBefore.redis),
      machine: perStep(cpuAfter.machine - cpuBefore.machine),
    },
    activityPerStep: { api: activityPerStep('api'), worker: activityPerStep('worker') },
    residentMegabytes: {
      api: await Promise.all(controlPlane.apis.map((api) => residentMegabytes(api.process.pid as number))),
      worker: await Promise.all(controlPlane.workers.map((worker) => residentMegabytes(worker.pid as number))),
      simulator: report.residentBytes / 1024 / 1024,
    },
    databaseBytesPer1000Releases: ((bytesAfter - bytesBefore) * 1000) / releaseCount,
    audit,
    errors,
    seconds,
  };
}

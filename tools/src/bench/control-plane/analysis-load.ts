import type { ChildProcess } from 'node:child_process';
import { redisTargetEnvironment, type RedisTarget } from '@flotilla/service-runtime';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { RolloutAnalysis } from '@flotilla/argo-spec';
import { type DatabaseClient, MEASURE_FROM_ANNOTATION } from '@flotilla/stores';
import type { Prisma } from '@flotilla/stores/prisma';
import { AnalysisQueue } from '@flotilla/queues';
import { graphqlRequest, startProcess, stopProcess } from './bench-support.js';
import type { MetricEndpoint } from './metric-endpoint.js';
import { MeasuringAgent } from './measuring-agent.js';
import { CpuMeter, cpuSecondsOf } from './process-cpu.js';
import { loadTimedMeasurements, scheduleReport, type ScheduleReport } from './schedule-jitter.js';

/** Where the measurements are taken: by the worker itself, or by the cluster's agent through the API's gateway. */
export type MeasuredFrom = 'control-plane' | 'agent';

export interface AnalysisLoadEnvironment {
  databaseUrl: string;
  redisTarget: RedisTarget;
  /** The API process, shared by every load: templates are applied and agents connect through it. */
  api: { url: string; adminToken: string; pid: number; redisPrefix: string };
  database: DatabaseClient;
  pool: pg.Pool;
  redis: Redis;
  endpoint: MetricEndpoint;
}

export interface AnalysisLoadOptions {
  measuredFrom: MeasuredFrom;
  runs: number;
  metricsPerRun: number;
  intervalSeconds: number;
  /** Runs start evenly over this many seconds, so that their schedules spread over the interval as in a fleet. */
  rampSeconds: number;
  /** Seconds from the first run's start to the start of the measured window. */
  warmupSeconds: number;
  windowSeconds: number;
  /** Worker concurrency; the worker's own default when undefined. */
  workerConcurrency: number | undefined;
  /** Node flags for the worker, such as `--cpu-prof`. */
  workerNodeArguments: readonly string[];
  progress: (message: string) => void;
}

/** How fast a worker took the backlog left by an outage of one interval, in which every metric fell due. */
export interface CatchUp {
  measurements: number;
  seconds: number;
}

export interface AnalysisLoadResult {
  schedule: ScheduleReport;
  /** Steady rate: each measurement is due an interval after the previous one finished, so it stays below metrics / interval. */
  measurementsPerSecond: number;
  catchUp: CatchUp;
  /** CPU seconds per wall second over the window. */
  workerCpu: number;
  apiCpu: number;
  /** Runs still Pending when the window closed; each is a run that never started measuring. */
  runsNotStarted: number;
  failedJobs: number;
}

const NAMESPACE = 'bench';
const TEMPLATE = 'endpoint-probe';
const PROGRESS_SECONDS = 5;
const sleepUntil = (time: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, time - performance.now())));
const metricName = (index: number): string => `probe-${index}`;
const RUN_PREFIX = 'probe-run-';
const runName = (slot: number): string => `${RUN_PREFIX}${slot}`;

/** An AnalysisTemplate of web metrics on the endpoint, each path naming the load, the run's slot and the metric. */
function templateYaml(endpoint: string, options: AnalysisLoadOptions): string {
  const base = `${endpoint}/${options.measuredFrom}`;
  const metrics = Array.from({ length: options.metricsPerRun }, (_, index) => ({
    name: metricName(index),
    interval: `${options.intervalSeconds}s`,
    // Far more than the benchmark lasts: the runs stay Running throughout.
    count: 10_000,
    successCondition: 'result.ok == 1',
    provider: { web: { url: `${base}/{{args.slot}}/${metricName(index)}`, jsonPath: '{$}' } },
  }));
  const annotations = options.measuredFrom === 'control-plane' ? { [MEASURE_FROM_ANNOTATION]: 'control-plane' } : {};
  const document = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: TEMPLATE, annotations },
    spec: { args: [{ name: 'slot' }], metrics },
  };
  return JSON.stringify(document);
}

/** Registers the load's cluster and applies its template through the API, as a user would. */
async function prepareCluster(
  environment: AnalysisLoadEnvironment,
  clusterName: string,
  options: AnalysisLoadOptions,
): Promise<{ clusterId: string; agentToken: string }> {
  const { api } = environment;
  const registered = await graphqlRequest<{ registerCluster: { agentToken: string; cluster: { id: string } } }>(
    api.url,
    api.adminToken,
    'mutation($name: String!) { registerCluster(name: $name) { agentToken cluster { id } } }',
    { name: clusterName },
  );
  await graphqlRequest(
    api.url,
    api.adminToken,
    'mutation($cluster: String!, $ns: String!, $yaml: String!) { applyManifests(cluster: $cluster, namespace: $ns, yaml: $yaml) { action } }',
    {
      cluster: clusterName,
      ns: NAMESPACE,
      yaml: templateYaml(environment.endpoint.url, options),
    },
  );
  return { clusterId: registered.registerCluster.cluster.id, agentToken: registered.registerCluster.agentToken };
}

async function waitForConnection(database: DatabaseClient, clusterId: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const cluster = await database.cluster.findUniqueOrThrow({ where: { id: clusterId }, select: { connectionState: true } });
    if (cluster.connectionState === 'Connected') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the measuring agent did not connect');
}

/**
 * Creates runs as the reconciler does when the engine asks for analysis (rows in Pending, then a `start` job
 * each), `runs / rampSeconds` every second.
 */
async function startRunsEvenly(
  database: DatabaseClient,
  queue: AnalysisQueue,
  clusterId: string,
  organizationId: string,
  options: AnalysisLoadOptions,
): Promise<void> {
  const perSecond = Math.ceil(options.runs / options.rampSeconds);
  const began = performance.now();
  for (let second = 0, slot = 0; slot < options.runs; second += 1) {
    const slots = Array.from({ length: Math.min(perSecond, options.runs - slot) }, (_, offset) => slot + offset);
    slot += slots.length;
    const created = await database.analysisRun.createManyAndReturn({
      select: { id: true },
      data: slots.map((runSlot) => {
        const analysis: RolloutAnalysis = { templates: [{ templateName: TEMPLATE }], args: [{ name: 'slot', value: String(runSlot) }] };
        return {
          organizationId,
          clusterId,
          namespace: NAMESPACE,
          name: runName(runSlot),
          kind: 'background',
          podTemplateHash: 'bench',
          spec: { analysis, stablePodTemplateHash: null } as unknown as Prisma.InputJsonValue,
        };
      }),
      skipDuplicates: true,
    });
    await Promise.all(created.map((run) => queue.start(run.id)));
    await sleepUntil(began + (second + 1) * 1000);
  }
}

/** Waits until every metric has a measurement started since the worker came back, and says how long that took. */
async function takeBacklog(pool: pg.Pool, clusterId: string, metrics: number, progress: (message: string) => void): Promise<CatchUp> {
  const restartedMs = Date.now();
  const deadline = performance.now() + 120_000;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { rows } = await pool.query<{ taken: number; last_ms: number | null }>(
      `SELECT count(DISTINCT (m."analysisRunId", m."metricName"))::int AS taken, (extract(epoch FROM max(m."startedAt")) * 1000)::float8 AS last_ms
         FROM "Measurement" m JOIN "AnalysisRun" r ON r.id = m."analysisRunId"
        WHERE r."clusterId" = $1::uuid AND extract(epoch FROM m."startedAt") * 1000 >= $2::float8`,
      [clusterId, restartedMs],
    );
    const { taken, last_ms: lastMs } = rows[0] ?? { taken: 0, last_ms: null };
    progress(`  catch-up: ${taken}/${metrics} metrics measured since the worker came back`);
    if (taken >= metrics && lastMs !== null) return { measurements: taken, seconds: (lastMs - restartedMs) / 1000 };
    if (performance.now() > deadline) throw new Error(`the backlog was not taken within 120 s (${taken}/${metrics})`);
  }
}

/**
 * Keeps `runs × metricsPerRun` metrics measuring the endpoint every `intervalSeconds` through a worker process
 * started for the purpose, and reports over a window after a warm-up: how late each measurement started against
 * its due time, how many were taken, and the CPU the worker (and the API) used. Then it stops the worker for an
 * interval and measures how fast a new one takes the backlog: the most measurements per second it can take.
 */
export async function measureAnalysisLoad(
  environment: AnalysisLoadEnvironment,
  label: string,
  options: AnalysisLoadOptions,
): Promise<AnalysisLoadResult> {
  const { database, pool, api, endpoint } = environment;
  const queue = new AnalysisQueue(environment.redis, api.redisPrefix);
  let worker: ChildProcess | undefined;
  let agent: MeasuringAgent | undefined;
  const { clusterId, agentToken } = await prepareCluster(environment, label, options);
  const startWorker = (): Promise<ChildProcess> =>
    startProcess(
      'apps/worker/dist/main.js',
      {
        DATABASE_URL: environment.databaseUrl,
        ...redisTargetEnvironment(environment.redisTarget),
        REDIS_PREFIX: api.redisPrefix,
        CENTRAL_MEASUREMENT_ALLOW: '127.0.0.1/32',
        ...(options.workerConcurrency === undefined ? {} : { WORKER_CONCURRENCY: String(options.workerConcurrency) }),
      },
      async () => (await queue.queue.getWorkersCount()) >= 1,
      options.workerNodeArguments,
    );
  try {
    const cluster = await database.cluster.findUniqueOrThrow({ where: { id: clusterId }, select: { organizationId: true } });
    if (options.measuredFrom === 'agent') {
      agent = new MeasuringAgent(api.url, agentToken);
      await agent.connect();
      await waitForConnection(database, clusterId);
    }
    worker = await startWorker();
    const workerPid = worker.pid as number;
    options.progress(`worker ready; starting ${options.runs} runs × ${options.metricsPerRun} metrics over ${options.rampSeconds} s`);

    const began = performance.now();
    const ramp = startRunsEvenly(database, queue, clusterId, cluster.organizationId, options);
    const windowStart = began + options.warmupSeconds * 1000;
    const windowEnd = windowStart + options.windowSeconds * 1000;
    const meter = new CpuMeter(workerPid);
    let requests = endpoint.requests();
    let opened: { epochMs: number; wallMs: number; workerCpu: number; apiCpu: number } | undefined;
    for (let tick = began + PROGRESS_SECONDS * 1000; tick <= windowEnd; tick += PROGRESS_SECONDS * 1000) {
      await sleepUntil(tick);
      if (!opened && tick >= windowStart)
        opened = { epochMs: Date.now(), wallMs: performance.now(), workerCpu: cpuSecondsOf(workerPid), apiCpu: cpuSecondsOf(api.pid) };
      const counts = await queue.queue.getJobCounts('delayed', 'waiting', 'active', 'failed');
      const records = await queue.records.getJobCounts('waiting', 'active');
      const seen = endpoint.requests();
      options.progress(
        `  ${Math.round((tick - began) / 1000)} s ${tick <= windowStart ? 'warm-up' : 'window '}: ${Math.round((seen - requests) / PROGRESS_SECONDS)} requests/s at the endpoint, ` +
          `worker CPU ${meter.read().toFixed(2)}, jobs delayed ${counts.delayed} waiting ${counts.waiting} active ${counts.active} failed ${counts.failed}` +
          (agent
            ? `, agent asked ${agent.requested} answered ${agent.answered}, records waiting ${records.waiting} active ${records.active}`
            : ''),
      );
      requests = seen;
    }
    if (!opened) throw new Error('the measured window never opened');
    const closed = { epochMs: Date.now(), wallMs: performance.now(), workerCpu: cpuSecondsOf(workerPid), apiCpu: cpuSecondsOf(api.pid) };
    await ramp;
    const failedJobs = (await queue.queue.getFailedCount()) + (await queue.records.getFailedCount());
    await stopProcess(worker);
    worker = undefined;
    const stoppedAt = performance.now();

    const wallSeconds = (closed.wallMs - opened.wallMs) / 1000;
    const runsNotStarted = await database.analysisRun.count({ where: { clusterId, phase: 'Pending' } });
    const measurements = await loadTimedMeasurements(pool, clusterId, options.intervalSeconds * 1000);
    const window = { startMs: opened.epochMs, endMs: closed.epochMs, intervalMs: options.intervalSeconds * 1000 };
    const schedule = scheduleReport(
      measurements,
      window,
      (run, metric) => endpoint.arrivals.get(`/${options.measuredFrom}/${run.slice(RUN_PREFIX.length)}/${metric}`) ?? [],
    );

    // Away for an interval (and a second for measurements that finished while it stopped), the worker leaves every
    // metric due; a new one takes that backlog as fast as it can.
    await sleepUntil(stoppedAt + options.intervalSeconds * 1000 + 1000);
    worker = await startWorker();
    const catchUp = await takeBacklog(pool, clusterId, options.runs * options.metricsPerRun, options.progress);
    await stopProcess(worker);
    worker = undefined;
    return {
      schedule,
      measurementsPerSecond: schedule.started / wallSeconds,
      catchUp,
      workerCpu: (closed.workerCpu - opened.workerCpu) / wallSeconds,
      apiCpu: (closed.apiCpu - opened.apiCpu) / wallSeconds,
      runsNotStarted,
      failedJobs,
    };
  } finally {
    agent?.disconnect();
    if (worker) await stopProcess(worker);
    // A later load's worker must not find these runs due.
    await database.analysisRun.updateMany({
      where: { clusterId, finishedAt: null },
      data: { phase: 'Successful', message: 'benchmark over', finishedAt: new Date(), nextMeasurementAt: null },
    });
    await Promise.all([queue.queue.obliterate({ force: true }), queue.records.obliterate({ force: true })]);
    await queue.close();
  }
}

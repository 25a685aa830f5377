import type { ChildProcess } from 'node:child_process';
import { redisTargetEnvironment } from '@flotilla/service-runtime';
import type pg from 'pg';
import type { RolloutAnalysis } from '@flotilla/argo-spec';
import type { Prisma } from '@flotilla/stores/prisma';
import { AnalysisQueue } from '@flotilla/queues';
import { graphqlRequest, startProcess, stopProcess } from './bench-support.js';
import type { AnalysisLoadEnvironment } from './analysis-load.js';
import { MeasuringAgent } from './measuring-agent.js';
import { CpuMeter, cpuSecondsOf } from './process-cpu.js';
import { scheduleReport, type ScheduleReport, type TimedMeasurement } from './schedule-jitter.js';

export interface PooledLoadOptions {
  clusters: number;
  runs: number;
  metricsPerRun: number;
  intervalSeconds: number;
  rampSeconds: number;
  warmupSeconds: number;
  windowSeconds: number;
  workerConcurrency: number | undefined;
  progress: (message: string) => void;
}

export interface PooledLoadResult {
  /** Jitter of the pooled measurements: when their parts were asked of the clusters, against when they were due. */
  schedule: ScheduleReport;
  /** Pooled measurements started per second in the window, and clusters' parts answered per second. */
  pooledPerSecond: number;
  partsPerSecond: number;
  workerCpu: number;
  apiCpu: number;
  runsNotStarted: number;
  failedJobs: number;
}

const TEMPLATE = 'pooled-probe';
const PROGRESS_SECONDS = 5;
const sleepUntil = (time: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, time - performance.now())));
const metricName = (index: number): string => `probe-${index}`;
const RUN_PREFIX = 'pooled-run-';

async function waitForConnections(database: AnalysisLoadEnvironment['database'], clusterIds: readonly string[]): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const connected = await database.cluster.count({ where: { id: { in: [...clusterIds] }, connectionState: 'Connected' } });
    if (connected === clusterIds.length) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the measuring agents did not all connect');
}

/** Every pooled measurement (the run's own row, cluster null) of the organization's pooled runs, with its due time. */
async function loadPooledMeasurements(pool: pg.Pool, organizationId: string, intervalMs: number): Promise<TimedMeasurement[]> {
  const result = await pool.query<{
    run: string;
    metric: string;
    index: number;
    due_ms: number;
    started_ms: number;
    finished_ms: number | null;
  }>(
    `SELECT r.name AS run, m."metricName" AS metric, m.index,
            (extract(epoch FROM CASE WHEN m.index = 0 THEN r."startedAt"
                  ELSE lag(m."finishedAt") OVER (PARTITION BY m."analysisRunId", m."metricName" ORDER BY m.index) + make_interval(secs => $2::float8 / 1000) END) * 1000)::float8 AS due_ms,
            (extract(epoch FROM m."startedAt") * 1000)::float8 AS started_ms,
            (extract(epoch FROM m."finishedAt") * 1000)::float8 AS finished_ms
       FROM "Measurement" m JOIN "AnalysisRun" r ON r.id = m."analysisRunId"
      WHERE r."organizationId" = $1::uuid AND r."clusterId" IS NULL AND m.cluster IS NULL`,
    [organizationId, intervalMs],
  );
  return result.rows.map((row) => ({
    run: row.run,
    metric: row.metric,
    index: row.index,
    dueMs: row.due_ms,
    startedMs: row.started_ms,
    finishedMs: row.finished_ms,
  }));
}

/**
 * Pooled analysis at fleet scale: `runs` pooled runs of `metricsPerRun` web metrics every `intervalSeconds`, each
 * measurement asked of `clusters` clusters' agents at once (worker → gateway → every agent → gateway → worker),
 * pooled once every cluster answered. Runs are created as the fleet worker creates them (no cluster, the clusters
 * listed), from a ClusterAnalysisTemplate. After a warm-up, a window reports the pooled measurements' schedule
 * jitter, pooled measurements and clusters' parts per second, and the worker's CPU.
 */
export async function measurePooledAnalysisLoad(
  environment: AnalysisLoadEnvironment,
  label: string,
  options: PooledLoadOptions,
): Promise<PooledLoadResult> {
  const { database, pool, api, endpoint } = environment;
  const queue = new AnalysisQueue(environment.redis, api.redisPrefix);
  const agents: MeasuringAgent[] = [];
  let worker: ChildProcess | undefined;
  const clusters: { id: string; name: string }[] = [];
  for (let index = 0; index < options.clusters; index += 1) {
    const name = `${label}-${String(index).padStart(2, '0')}`;
    const registered = await graphqlRequest<{ registerCluster: { agentToken: string; cluster: { id: string } } }>(
      api.url,
      api.adminToken,
      'mutation($name: String!) { registerCluster(name: $name) { agentToken cluster { id } } }',
      { name },
    );
    clusters.push({ id: registered.registerCluster.cluster.id, name });
    agents.push(new MeasuringAgent(api.url, registered.registerCluster.agentToken));
  }
  const { organizationId } = await database.cluster.findUniqueOrThrow({
    where: { id: clusters[0]?.id ?? '' },
    select: { organizationId: true },
  });
  const metrics = Array.from({ length: options.metricsPerRun }, (_, index) => ({
    name: metricName(index),
    interval: `${options.intervalSeconds}s`,
    count: 10_000,
    successCondition: 'all(result, {#.value.ok == 1})',
    provider: { web: { url: `${endpoint.url}/pooled/{{args.slot}}/${metricName(index)}`, jsonPath: '{$}' } },
  }));
  await database.clusterAnalysisTemplate.upsert({
    where: { organizationId_name: { organizationId, name: TEMPLATE } },
    create: { organizationId, name: TEMPLATE, spec: { args: [{ name: 'slot' }], metrics } },
    update: {},
  });
  try {
    await Promise.all(agents.map((agent) => agent.connect()));
    await waitForConnections(
      database,
      clusters.map((cluster) => cluster.id),
    );
    worker = await startProcess(
      'apps/worker/dist/main.js',
      {
        DATABASE_URL: environment.databaseUrl,
        ...redisTargetEnvironment(environment.redisTarget),
        REDIS_PREFIX: api.redisPrefix,
        ...(options.workerConcurrency === undefined ? {} : { WORKER_CONCURRENCY: String(options.workerConcurrency) }),
      },
      async () => (await queue.queue.getWorkersCount()) >= 1,
    );
    const workerPid = worker.pid as number;
    options.progress(
      `worker ready; starting ${options.runs} pooled runs × ${options.metricsPerRun} metrics over ${options.clusters} clusters`,
    );

    const began = performance.now();
    const ramp = (async () => {
      const perSecond = Math.ceil(options.runs / options.rampSeconds);
      for (let second = 0, slot = 0; slot < options.runs; second += 1) {
        const slots = Array.from({ length: Math.min(perSecond, options.runs - slot) }, (_, offset) => slot + offset);
        slot += slots.length;
        const created = await database.analysisRun.createManyAndReturn({
          select: { id: true },
          data: slots.map((runSlot) => {
            const analysis: RolloutAnalysis = {
              templates: [{ templateName: TEMPLATE, clusterScope: true }],
              args: [{ name: 'slot', value: String(runSlot) }],
            };
            return {
              organizationId,
              clusterId: null,
              pooledClusters: clusters,
              namespace: 'bench',
              name: `${RUN_PREFIX}${runSlot}`,
              kind: 'fleetWave',
              spec: { analysis, stablePodTemplateHash: null } as unknown as Prisma.InputJsonValue,
            };
          }),
        });
        await Promise.all(created.map((run) => queue.start(run.id)));
        await sleepUntil(began + (second + 1) * 1000);
      }
    })();
    const windowStart = began + options.warmupSeconds * 1000;
    const windowEnd = windowStart + options.windowSeconds * 1000;
    const meter = new CpuMeter(workerPid);
    let opened: { epochMs: number; wallMs: number; workerCpu: number; apiCpu: number; answered: number } | undefined;
    const answered = (): number => agents.reduce((total, agent) => total + agent.answered, 0);
    for (let tick = began + PROGRESS_SECONDS * 1000; tick <= windowEnd; tick += PROGRESS_SECONDS * 1000) {
      await sleepUntil(tick);
      if (!opened && tick >= windowStart)
        opened = {
          epochMs: Date.now(),
          wallMs: performance.now(),
          workerCpu: cpuSecondsOf(workerPid),
          apiCpu: cpuSecondsOf(api.pid),
          answered: answered(),
        };
      const counts = await queue.queue.getJobCounts('delayed', 'waiting', 'active', 'failed');
      const records = await queue.records.getJobCounts('waiting', 'active');
      options.progress(
        `  ${Math.round((tick - began) / 1000)} s ${tick <= windowStart ? 'warm-up' : 'window '}: worker CPU ${meter.read().toFixed(2)}, ` +
          `jobs delayed ${counts.delayed} waiting ${counts.waiting} active ${counts.active} failed ${counts.failed}, ` +
          `agents answered ${answered()}, records waiting ${records.waiting} active ${records.active}`,
      );
    }
    if (!opened) throw new Error('the measured window never opened');
    const closed = {
      epochMs: Date.now(),
      wallMs: performance.now(),
      workerCpu: cpuSecondsOf(workerPid),
      apiCpu: cpuSecondsOf(api.pid),
      answered: answered(),
    };
    await ramp;
    const failedJobs = (await queue.queue.getFailedCount()) + (await queue.records.getFailedCount());
    await stopProcess(worker);
    worker = undefined;
    const wallSeconds = (closed.wallMs - opened.wallMs) / 1000;
    const runsNotStarted = await database.analysisRun.count({ where: { organizationId, clusterId: null, phase: 'Pending' } });
    const measurements = await loadPooledMeasurements(pool, organizationId, options.intervalSeconds * 1000);
    const schedule = scheduleReport(
      measurements,
      { startMs: opened.epochMs, endMs: closed.epochMs, intervalMs: options.intervalSeconds * 1000 },
      () => [],
    );
    return {
      schedule,
      pooledPerSecond: schedule.started / wallSeconds,
      partsPerSecond: (closed.answered - opened.answered) / wallSeconds,
      workerCpu: (closed.workerCpu - opened.workerCpu) / wallSeconds,
      apiCpu: (closed.apiCpu - opened.apiCpu) / wallSeconds,
      runsNotStarted,
      failedJobs,
    };
  } finally {
    for (const agent of agents) agent.disconnect();
    // The API records each disconnection; the next load (or the API's stop) should not race ten of them.
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const connected = await database.cluster.count({
        where: { id: { in: clusters.map((cluster) => cluster.id) }, connectionState: 'Connected' },
      });
      if (connected === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (worker) await stopProcess(worker);
    await database.analysisRun.updateMany({
      where: { organizationId, clusterId: null, finishedAt: null },
      data: { phase: 'Successful', message: 'benchmark over', finishedAt: new Date(), nextMeasurementAt: null },
    });
    await Promise.all([queue.queue.obliterate({ force: true }), queue.records.obliterate({ force: true })]);
    await queue.close();
  }
}

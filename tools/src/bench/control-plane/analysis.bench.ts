import { availableParallelism, loadavg } from 'node:os';
import pg from 'pg';
import {
  createLogger,
  createRedisConnection,
  integer,
  list,
  loadSettings,
  port,
  readControlPlaneSettings,
  redisTargetEnvironment,
  type ControlPlaneSettings,
  type SettingsReader,
} from '@flotilla/service-runtime';
import { ApiTokenStore, AuditStore, createDatabaseClient, OrganizationStore, systemScope } from '@flotilla/stores';
import { EventBus } from '@flotilla/events';
import { measureAnalysisLoad, type AnalysisLoadResult, type MeasuredFrom } from './analysis-load.js';
import { measurePooledAnalysisLoad, type PooledLoadResult } from './pooled-analysis-load.js';
import { controlPlaneNodeArguments, startProcess, stopProcess, withScratchDatabase } from './bench-support.js';
import { startMetricEndpoint } from './metric-endpoint.js';

/**
 * Analysis runs at fleet scale: BENCH_RUNS × BENCH_METRICS web metrics every 10 s against a local endpoint, created as the
 * reconciler creates them and taken by a worker process, measured from the control plane (the worker calls the
 * endpoint) and through a cluster's agent (worker → gateway → agent → gateway → worker); then pooled runs of a fleet
 * wave, BENCH_POOLED_RUNS × BENCH_POOLED_METRICS metrics every 10 s, each measured by BENCH_POOLED_CLUSTERS agents at
 * once and pooled. After a warm-up, a window reports schedule jitter, measurements per second and the worker's CPU.
 * BENCH_ANALYSIS_MODES picks among control-plane, agent and pooled (all by default).
 */
const INTERVAL_SECONDS = 10;
type BenchMode = MeasuredFrom | 'pooled';
const MODES: readonly BenchMode[] = ['control-plane', 'agent', 'pooled'];

interface AnalysisBenchSettings extends ControlPlaneSettings {
  runs: number;
  metricsPerRun: number;
  warmupSeconds: number;
  windowSeconds: number;
  /** The worker's default concurrency unless BENCH_WORKER_CONCURRENCY says otherwise. */
  workerConcurrency: number | undefined;
  modes: BenchMode[];
  pooledClusters: number;
  pooledRuns: number;
  pooledMetrics: number;
  /** See `controlPlaneNodeArguments`: with BENCH_CPU_PROFILE_DIR set, each worker writes a V8 CPU profile there when it stops. */
  workerNodeArguments: string[];
  port: number;
}

const readAnalysisBenchSettings: SettingsReader<AnalysisBenchSettings> = (environment, problems) => {
  const settings: AnalysisBenchSettings = {
    ...readControlPlaneSettings(environment, problems),
    runs: integer(environment, 'BENCH_RUNS', 1_000, problems),
    metricsPerRun: integer(environment, 'BENCH_METRICS', 5, problems),
    warmupSeconds: integer(environment, 'BENCH_WARMUP_SECONDS', 20, problems, 0),
    windowSeconds: integer(environment, 'BENCH_WINDOW_SECONDS', 60, problems),
    workerConcurrency: environment.BENCH_WORKER_CONCURRENCY ? integer(environment, 'BENCH_WORKER_CONCURRENCY', 0, problems) : undefined,
    modes: [],
    pooledClusters: integer(environment, 'BENCH_POOLED_CLUSTERS', 10, problems),
    pooledRuns: integer(environment, 'BENCH_POOLED_RUNS', 100, problems),
    pooledMetrics: integer(environment, 'BENCH_POOLED_METRICS', 3, problems),
    workerNodeArguments: controlPlaneNodeArguments(environment),
    port: port(environment, 'BENCH_PORT', 3902, problems),
  };
  for (const mode of list(environment, 'BENCH_ANALYSIS_MODES').length > 0 ? list(environment, 'BENCH_ANALYSIS_MODES') : MODES) {
    const known = MODES.find((candidate) => candidate === mode);
    if (known) settings.modes.push(known);
    else problems.push(`BENCH_ANALYSIS_MODES: unknown mode ${JSON.stringify(mode)}, expected ${MODES.join(', ')}`);
  }
  if (settings.warmupSeconds % 5 !== 0 || settings.windowSeconds % 5 !== 0)
    problems.push('BENCH_WARMUP_SECONDS and BENCH_WINDOW_SECONDS must be multiples of 5');
  return settings;
};

const settings = loadSettings(readAnalysisBenchSettings);
const GOALS = { jitterP99Ms: 1000, measurementsPerSecond: 500 };

const log = (message: string): void => void process.stderr.write(`[bench:analysis] ${message}\n`);
const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

const loadAtStart = load();
log(`load average ${loadAtStart} on ${availableParallelism()} cores`);
const config = settings;
const redisPrefix = `bench-analysis-${process.pid}`;
const results = await withScratchDatabase(config.databaseUrl, 'analysis', async (databaseUrl) => {
  const logger = createLogger('bench', 'warn');
  const database = createDatabaseClient(databaseUrl, 4);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const redis = createRedisConnection(config.redis);
  const subscriber = createRedisConnection(config.redis);
  const endpoint = await startMetricEndpoint();
  const audit = new AuditStore(database, new EventBus(redis, subscriber, logger, redisPrefix));
  const organizations = new OrganizationStore(database, audit, new ApiTokenStore(database, audit));
  const { secret } = await organizations.create(systemScope('bench'), 'bench', { name: 'bench', role: 'admin' });
  const api = await startProcess(
    'apps/api/dist/main.js',
    { DATABASE_URL: databaseUrl, ...redisTargetEnvironment(config.redis), REDIS_PREFIX: redisPrefix, PORT: String(settings.port) },
    async () => (await fetch(`http://127.0.0.1:${settings.port}/readyz`)).ok,
  );
  try {
    const environment = {
      databaseUrl,
      redisTarget: config.redis,
      api: { url: `http://127.0.0.1:${settings.port}`, adminToken: secret, pid: api.pid as number, redisPrefix },
      database,
      pool,
      redis,
      endpoint,
    };
    const measured: [MeasuredFrom, AnalysisLoadResult][] = [];
    let pooled: PooledLoadResult | undefined;
    for (const mode of settings.modes) {
      if (mode === 'pooled') {
        log(
          `pooled: ${settings.pooledRuns} runs × ${settings.pooledMetrics} metrics every ${INTERVAL_SECONDS} s, each measured in ${settings.pooledClusters} clusters; ${settings.warmupSeconds} s warm-up, ${settings.windowSeconds} s window`,
        );
        pooled = await measurePooledAnalysisLoad(environment, 'bench-pooled', {
          clusters: settings.pooledClusters,
          runs: settings.pooledRuns,
          metricsPerRun: settings.pooledMetrics,
          intervalSeconds: INTERVAL_SECONDS,
          rampSeconds: INTERVAL_SECONDS,
          warmupSeconds: settings.warmupSeconds,
          windowSeconds: settings.windowSeconds,
          workerConcurrency: settings.workerConcurrency,
          progress: log,
        });
        continue;
      }
      log(
        `measured from ${mode}: ${settings.runs} runs × ${settings.metricsPerRun} metrics every ${INTERVAL_SECONDS} s; ${settings.warmupSeconds} s warm-up, ${settings.windowSeconds} s window`,
      );
      const result = await measureAnalysisLoad(environment, `bench-${mode}`, {
        measuredFrom: mode,
        runs: settings.runs,
        metricsPerRun: settings.metricsPerRun,
        intervalSeconds: INTERVAL_SECONDS,
        rampSeconds: INTERVAL_SECONDS,
        warmupSeconds: settings.warmupSeconds,
        windowSeconds: settings.windowSeconds,
        workerConcurrency: settings.workerConcurrency,
        workerNodeArguments: settings.workerNodeArguments,
        progress: log,
      });
      measured.push([mode, result]);
    }
    return { measured, pooled };
  } finally {
    await stopProcess(api);
    await endpoint.close();
    await Promise.allSettled([database.$disconnect(), pool.end(), redis.quit(), subscriber.quit()]);
  }
});

const catchUpRate = (result: AnalysisLoadResult): number => result.catchUp.measurements / result.catchUp.seconds;
const ms = (value: number): string => `${Math.round(value).toLocaleString('en')} ms`;
const verdict = (met: boolean, goal: string): string => `${met ? 'meets' : 'MISSES'} the goal of ${goal}`;
const lines = ['', `bench:analysis (${availableParallelism()} cores; load average ${loadAtStart} at the start, ${load()} at the end)`];
for (const [mode, result] of results.measured) {
  const { schedule } = result;
  lines.push(
    `  measured from ${mode === 'agent' ? "the cluster's agent (worker → gateway → agent → gateway → worker)" : 'the control plane (the worker calls the endpoint)'}: ` +
      `${settings.runs} runs × ${settings.metricsPerRun} metrics = ${settings.runs * settings.metricsPerRun} metrics every ${INTERVAL_SECONDS} s, worker concurrency ${settings.workerConcurrency ?? 'default'}, ${settings.windowSeconds} s window`,
    `    schedule jitter (Measurement.startedAt − due)   p50 ${ms(schedule.startJitter.p50)}  p99 ${ms(schedule.startJitter.p99)}  max ${ms(schedule.startJitter.max)}  ${verdict(schedule.startJitter.p99 < GOALS.jitterP99Ms, `p99 < ${ms(GOALS.jitterP99Ms)}`)}`,
    `    request jitter (endpoint saw it − due)         p50 ${ms(schedule.requestJitter.p50)}  p99 ${ms(schedule.requestJitter.p99)}  max ${ms(schedule.requestJitter.max)}`,
    `    measurements started per second, steady        ${result.measurementsPerSecond.toFixed(1)}  (each is due ${INTERVAL_SECONDS} s after the previous one finished, as in Argo: below ${settings.runs * settings.metricsPerRun} / ${INTERVAL_SECONDS} s by the time a measurement takes)`,
    `    catch-up after a ${INTERVAL_SECONDS} s worker outage         ${result.catchUp.measurements} due at once taken in ${result.catchUp.seconds.toFixed(2)} s: ${catchUpRate(result).toFixed(1)}/s  ${verdict(catchUpRate(result) >= GOALS.measurementsPerSecond, `≥ ${GOALS.measurementsPerSecond}/s`)}`,
    `    worker CPU                                     ${result.workerCpu.toFixed(2)} s per s, ${((result.workerCpu / result.measurementsPerSecond) * 1000).toFixed(1)} ms per measurement (API ${result.apiCpu.toFixed(2)} s per s)`,
    `    due in the window ${schedule.due}, not started by its end ${schedule.notStarted}, finished in it ${schedule.finished}; runs never started ${result.runsNotStarted}; failed jobs ${result.failedJobs}`,
  );
}
const { pooled } = results;
if (pooled) {
  const { schedule } = pooled;
  lines.push(
    `  pooled across ${settings.pooledClusters} clusters (worker → gateway → every agent → gateway → worker, pooled once all answered): ` +
      `${settings.pooledRuns} runs × ${settings.pooledMetrics} metrics = ${settings.pooledRuns * settings.pooledMetrics} pooled metrics every ${INTERVAL_SECONDS} s, worker concurrency ${settings.workerConcurrency ?? 'default'}, ${settings.windowSeconds} s window`,
    `    schedule jitter (pooled measurement asked − due) p50 ${ms(schedule.startJitter.p50)}  p99 ${ms(schedule.startJitter.p99)}  max ${ms(schedule.startJitter.max)}  ${verdict(schedule.startJitter.p99 < GOALS.jitterP99Ms, `p99 < ${ms(GOALS.jitterP99Ms)}`)}`,
    `    pooled measurements started per second         ${pooled.pooledPerSecond.toFixed(1)}; clusters' parts answered per second ${pooled.partsPerSecond.toFixed(1)}`,
    `    worker CPU                                     ${pooled.workerCpu.toFixed(2)} s per s, ${((pooled.workerCpu / pooled.partsPerSecond) * 1000).toFixed(2)} ms per cluster's part (API ${pooled.apiCpu.toFixed(2)} s per s)`,
    `    due in the window ${schedule.due}, not started by its end ${schedule.notStarted}, finished in it ${schedule.finished}; runs never started ${pooled.runsNotStarted}; failed jobs ${pooled.failedJobs}`,
  );
}
process.stdout.write(`${lines.join('\n')}\n\n`);

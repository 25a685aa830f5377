import { availableParallelism, loadavg } from 'node:os';
import pg from 'pg';
import { createLogger, createRedisConnection, loadSettings, readControlPlaneSettings } from '@flotilla/service-runtime';
import { ApiTokenStore, AuditStore, createDatabaseClient, OrganizationStore, systemScope } from '@flotilla/stores';
import { EventBus } from '@flotilla/events';
import { measureAnalysisLoad, type AnalysisLoadResult, type MeasuredFrom } from './analysis-load.js';
import { startProcess, stopProcess, withScratchDatabase } from './bench-support.js';
import { startMetricEndpoint } from './metric-endpoint.js';

/**
 * Analysis runs at fleet scale: RUNS × METRICS web metrics every 10 s against a local endpoint, created as the
 * reconciler creates them and taken by a worker process, measured from the control plane (the worker calls the
 * endpoint) and through a cluster's agent (worker → gateway → agent → gateway → worker). After a warm-up, a
 * window reports schedule jitter, measurements per second and the worker's CPU.
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 1_000);
const METRICS_PER_RUN = Number(process.env.BENCH_METRICS ?? 5);
const INTERVAL_SECONDS = 10;
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 20);
const WINDOW_SECONDS = Number(process.env.BENCH_WINDOW_SECONDS ?? 60);
const WORKER_CONCURRENCY = process.env.BENCH_WORKER_CONCURRENCY ? Number(process.env.BENCH_WORKER_CONCURRENCY) : undefined;
const MODES = (process.env.BENCH_ANALYSIS_MODES ?? 'control-plane,agent').split(',').map((mode) => mode.trim()) as MeasuredFrom[];
/** With BENCH_CPU_PROFILE_DIR set, each worker writes a V8 CPU profile there when it stops. */
const PROFILE_DIRECTORY = process.env.BENCH_CPU_PROFILE_DIR;
const PORT = Number(process.env.BENCH_PORT ?? 3902);
const GOALS = { jitterP99Ms: 1000, measurementsPerSecond: 500 };

const log = (message: string): void => void process.stderr.write(`[bench:analysis] ${message}\n`);
const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
for (const mode of MODES) if (mode !== 'control-plane' && mode !== 'agent') throw new Error(`BENCH_ANALYSIS_MODES: unknown mode ${mode}`);
if (WARMUP_SECONDS % 5 !== 0 || WINDOW_SECONDS % 5 !== 0)
  throw new Error('BENCH_WARMUP_SECONDS and BENCH_WINDOW_SECONDS must be multiples of 5');

const loadAtStart = load();
log(`load average ${loadAtStart} on ${availableParallelism()} cores`);
const config = loadSettings(readControlPlaneSettings);
const redisPrefix = `bench-analysis-${process.pid}`;
const results = await withScratchDatabase(config.databaseUrl, 'analysis', async (databaseUrl) => {
  const logger = createLogger('bench', 'warn');
  const database = createDatabaseClient(databaseUrl, 4);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const redis = createRedisConnection(config.redisUrl);
  const subscriber = createRedisConnection(config.redisUrl);
  const endpoint = await startMetricEndpoint();
  const audit = new AuditStore(database, new EventBus(redis, subscriber, logger, redisPrefix));
  const organizations = new OrganizationStore(database, audit, new ApiTokenStore(database, audit));
  const { secret } = await organizations.create(systemScope('bench'), 'bench', { name: 'bench', role: 'admin' });
  const api = await startProcess(
    'apps/api/dist/main.js',
    { DATABASE_URL: databaseUrl, REDIS_URL: config.redisUrl, REDIS_PREFIX: redisPrefix, PORT: String(PORT) },
    async () => (await fetch(`http://127.0.0.1:${PORT}/readyz`)).ok,
  );
  try {
    const environment = {
      databaseUrl,
      redisUrl: config.redisUrl,
      api: { url: `http://127.0.0.1:${PORT}`, adminToken: secret, pid: api.pid as number, redisPrefix },
      database,
      pool,
      redis,
      endpoint,
    };
    const measured: [MeasuredFrom, AnalysisLoadResult][] = [];
    for (const mode of MODES) {
      log(
        `measured from ${mode}: ${RUNS} runs × ${METRICS_PER_RUN} metrics every ${INTERVAL_SECONDS} s; ${WARMUP_SECONDS} s warm-up, ${WINDOW_SECONDS} s window`,
      );
      const result = await measureAnalysisLoad(environment, `bench-${mode}`, {
        measuredFrom: mode,
        runs: RUNS,
        metricsPerRun: METRICS_PER_RUN,
        intervalSeconds: INTERVAL_SECONDS,
        rampSeconds: INTERVAL_SECONDS,
        warmupSeconds: WARMUP_SECONDS,
        windowSeconds: WINDOW_SECONDS,
        workerConcurrency: WORKER_CONCURRENCY,
        workerNodeArguments: PROFILE_DIRECTORY ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIRECTORY}`] : [],
        progress: log,
      });
      measured.push([mode, result]);
    }
    return measured;
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
for (const [mode, result] of results) {
  const { schedule } = result;
  lines.push(
    `  measured from ${mode === 'agent' ? "the cluster's agent (worker → gateway → agent → gateway → worker)" : 'the control plane (the worker calls the endpoint)'}: ` +
      `${RUNS} runs × ${METRICS_PER_RUN} metrics = ${RUNS * METRICS_PER_RUN} metrics every ${INTERVAL_SECONDS} s, worker concurrency ${WORKER_CONCURRENCY ?? 'default'}, ${WINDOW_SECONDS} s window`,
    `    schedule jitter (Measurement.startedAt − due)   p50 ${ms(schedule.startJitter.p50)}  p99 ${ms(schedule.startJitter.p99)}  max ${ms(schedule.startJitter.max)}  ${verdict(schedule.startJitter.p99 < GOALS.jitterP99Ms, `p99 < ${ms(GOALS.jitterP99Ms)}`)}`,
    `    request jitter (endpoint saw it − due)         p50 ${ms(schedule.requestJitter.p50)}  p99 ${ms(schedule.requestJitter.p99)}  max ${ms(schedule.requestJitter.max)}`,
    `    measurements started per second, steady        ${result.measurementsPerSecond.toFixed(1)}  (each is due ${INTERVAL_SECONDS} s after the previous one finished, as in Argo: below ${RUNS * METRICS_PER_RUN} / ${INTERVAL_SECONDS} s by the time a measurement takes)`,
    `    catch-up after a ${INTERVAL_SECONDS} s worker outage         ${result.catchUp.measurements} due at once taken in ${result.catchUp.seconds.toFixed(2)} s: ${catchUpRate(result).toFixed(1)}/s  ${verdict(catchUpRate(result) >= GOALS.measurementsPerSecond, `≥ ${GOALS.measurementsPerSecond}/s`)}`,
    `    worker CPU                                     ${result.workerCpu.toFixed(2)} s per s, ${((result.workerCpu / result.measurementsPerSecond) * 1000).toFixed(1)} ms per measurement (API ${result.apiCpu.toFixed(2)} s per s)`,
    `    due in the window ${schedule.due}, not started by its end ${schedule.notStarted}, finished in it ${schedule.finished}; runs never started ${result.runsNotStarted}; failed jobs ${result.failedJobs}`,
  );
}
process.stdout.write(`${lines.join('\n')}\n\n`);

import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { EventBus } from '@flotilla/events';
import {
  createLogger,
  createRedisConnection,
  integer,
  list,
  loadSettings,
  port,
  readControlPlaneSettings,
  type ControlPlaneSettings,
  type SettingsReader,
} from '@flotilla/service-runtime';
import { ApiTokenStore, AuditStore, createDatabaseClient, OrganizationStore, systemScope } from '@flotilla/stores';
import { controlPlaneNodeArguments, formatMs, withScratchDatabase } from '../control-plane/bench-support.js';
import type { ProcessActivity } from '../control-plane/process-cpu.js';
import { clusterName, fleetLayout } from './fleet-plan.js';
import { runReleasePhase, waitForConvergence, type FleetRunResult } from './fleet-run.js';
import { FleetSimProcess } from './fleet-sim-process.js';
import { applyFleet, JobCounter, registerClusters, startControlPlane, stopControlPlane } from './fleet-system.js';

/**
 * The whole control plane under a fleet: BENCH_FLEET_CLUSTERS virtual clusters (a simulator process speaking the
 * agent protocol over one WebSocket each) with BENCH_FLEET_ROLLOUTS rollouts (canaries with timed pauses, routed
 * canaries, blue-green; a fifth with a step analysis the virtual agents answer): 20 and 400, or with `--full` the
 * goals' 500 and 10,000. After the fleet has converged,
 * releases start at a fixed rate (each rollout once per BENCH_FLEET_RELEASE_INTERVAL_SECONDS) for
 * BENCH_FLEET_RELEASE_SECONDS, and every release is carried to its end. BENCH_FLEET_REPLICAS lists the control planes
 * to run (`1`: one API and one worker; `2`: two of each, the clusters split between the APIs; `1,2` both), each
 * BENCH_FLEET_RUNS times. BENCH_FLEET_APPLY_DELAY_MS is how long new pods take to become ready. With BENCH_CPU_PROFILE_DIR,
 * the APIs and workers write V8 CPU profiles there when they stop; BENCH_NODE_ARGUMENTS are added to their `node` arguments.
 */
interface FleetBenchSettings extends ControlPlaneSettings {
  clusters: number;
  rollouts: number;
  replicas: number[];
  runs: number;
  releaseSeconds: number;
  releaseIntervalSeconds: number;
  applyDelayMs: number;
  observeIntervalSeconds: number;
  port: number;
  /** See `controlPlaneNodeArguments`: with BENCH_CPU_PROFILE_DIR set, each API and worker writes a V8 CPU profile there when it stops. */
  nodeArguments: string[];
}

/** `npm run bench:fleet -- --full`: the size of the goals, 500 clusters and 10,000 rollouts, unless the environment says otherwise. */
function readFlags(): { full: boolean } {
  try {
    return parseArgs({ options: { full: { type: 'boolean', default: false } }, strict: true }).values;
  } catch (error) {
    process.stderr.write(`bench:fleet: ${error instanceof Error ? error.message : String(error)}; its only option is --full\n`);
    process.exit(2);
  }
}
const DEFAULT_SIZE = readFlags().full ? { clusters: 500, rollouts: 10_000 } : { clusters: 20, rollouts: 400 };

const readFleetBenchSettings: SettingsReader<FleetBenchSettings> = (environment, problems) => {
  const replicas = (list(environment, 'BENCH_FLEET_REPLICAS').length > 0 ? list(environment, 'BENCH_FLEET_REPLICAS') : ['1']).map(Number);
  if (replicas.some((count) => !Number.isInteger(count) || count < 1))
    problems.push('BENCH_FLEET_REPLICAS: a list of positive integers, such as 1,2');
  return {
    ...readControlPlaneSettings(environment, problems),
    clusters: integer(environment, 'BENCH_FLEET_CLUSTERS', DEFAULT_SIZE.clusters, problems),
    rollouts: integer(environment, 'BENCH_FLEET_ROLLOUTS', DEFAULT_SIZE.rollouts, problems),
    replicas,
    runs: integer(environment, 'BENCH_FLEET_RUNS', 1, problems),
    releaseSeconds: integer(environment, 'BENCH_FLEET_RELEASE_SECONDS', 120, problems),
    releaseIntervalSeconds: integer(environment, 'BENCH_FLEET_RELEASE_INTERVAL_SECONDS', 600, problems),
    applyDelayMs: integer(environment, 'BENCH_FLEET_APPLY_DELAY_MS', 500, problems, 0),
    observeIntervalSeconds: integer(environment, 'BENCH_FLEET_OBSERVE_INTERVAL_SECONDS', 30, problems),
    port: port(environment, 'BENCH_PORT', 3910, problems),
    nodeArguments: controlPlaneNodeArguments(environment),
  };
};

const GOALS = { reactionP99Ms: 1000, firstPageP99Ms: 100, replicaCpuTolerance: 0.1 };
const settings = loadSettings(readFleetBenchSettings);
const log = (message: string): void => void process.stderr.write(`[bench:fleet] ${message}\n`);
const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** One control plane of `replicas` APIs and workers under the whole fleet, from an empty database. */
async function runFleet(replicas: number, label: string): Promise<FleetRunResult> {
  return withScratchDatabase(settings.databaseUrl, `fleet_${label}`, async (databaseUrl) => {
    const redisPrefix = `bench-fleet-${process.pid}-${label}`;
    const logger = createLogger('bench', 'warn');
    const database = createDatabaseClient(databaseUrl, 2);
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    pool.on('error', (error) => log(`polling connection closed: ${error.message}`));
    const redis = createRedisConnection(settings.redis);
    const subscriber = createRedisConnection(settings.redis);
    const jobs = new JobCounter(settings.redis, redisPrefix);
    let simulator: FleetSimProcess | undefined;
    const controlPlane = await startControlPlane({
      databaseUrl,
      redisTarget: settings.redis,
      redisPrefix,
      replicas,
      firstPort: settings.port,
      redis,
      nodeArguments: settings.nodeArguments,
    });
    try {
      await jobs.ready();
      const audit = new AuditStore(database, new EventBus(redis, subscriber, logger, redisPrefix));
      const organizations = new OrganizationStore(database, audit, new ApiTokenStore(database, audit));
      const { secret } = await organizations.create(systemScope('bench'), 'bench', { name: 'bench', role: 'admin' });
      const apiUrls = controlPlane.apis.map((api) => api.url);
      const names = Array.from({ length: settings.clusters }, (_, index) => clusterName(index));
      log(`${label}: registering ${settings.clusters} clusters and connecting their virtual agents`);
      const clusters = await registerClusters(apiUrls, secret, names);
      simulator = await FleetSimProcess.start({
        clusters,
        layout: { clusters: settings.clusters, rollouts: settings.rollouts },
        applyDelayMs: settings.applyDelayMs,
        observeIntervalMs: settings.observeIntervalSeconds * 1000,
      });
      const layout = fleetLayout(settings.clusters, settings.rollouts);
      log(`${label}: applying ${settings.rollouts} rollouts and waiting for the fleet to converge`);
      await applyFleet(apiUrls[0] as string, secret, layout);
      await waitForConvergence(pool, 600, log);
      await pool.query('ANALYZE');
      return await runReleasePhase(
        { adminToken: secret, layout, controlPlane, simulator, jobs, pool, redis },
        {
          releaseSeconds: settings.releaseSeconds,
          releaseIntervalSeconds: settings.releaseIntervalSeconds,
          drainTimeoutSeconds: 300,
          progress: (message) => log(`${label}: ${message}`),
        },
      );
    } finally {
      // The control plane goes first: agents leaving a live one would each have their disconnection recorded.
      await stopControlPlane(controlPlane);
      await simulator?.stop();
      await jobs.close();
      await Promise.allSettled([database.$disconnect(), pool.end(), redis.quit(), subscriber.quit()]);
    }
  });
}

const loadAtStart = load();
log(`load average ${loadAtStart} on ${availableParallelism()} cores`);
const results = new Map<number, FleetRunResult[]>();
for (let run = 1; run <= settings.runs; run++)
  for (const replicas of settings.replicas) {
    const result = await runFleet(replicas, `r${replicas}_${run}`);
    results.set(replicas, [...(results.get(replicas) ?? []), result]);
  }

const ms = (value: number): string => `${value.toFixed(2)} ms`;
const activity = ({ syscalls, wakeUps, preemptions }: ProcessActivity): string =>
  `${syscalls.toFixed(1)} system calls, ${wakeUps.toFixed(1)} wake-ups, ${preemptions.toFixed(1)} preemptions`;
const verdict = (met: boolean, goal: string): string => `${met ? 'meets' : 'MISSES'} the goal of ${goal}`;
const lines = [
  '',
  `bench:fleet: ${settings.clusters} clusters, ${settings.rollouts} rollouts, each released once per ${settings.releaseIntervalSeconds} s for ${settings.releaseSeconds} s, pods ready ${settings.applyDelayMs} ms after a change (${availableParallelism()} cores; load average ${loadAtStart} at the start, ${load()} at the end)`,
];
for (const [replicas, runs] of results)
  for (const [index, result] of runs.entries()) {
    const { cpuPerStep: cpu } = result;
    const perStep = (count: number): string => (count / result.stepsCompleted).toFixed(2);
    lines.push(
      `  ${replicas} API + ${replicas} worker, run ${index + 1}: ${result.releases} releases, ${result.stepsCompleted} steps completed in ${result.seconds.toFixed(0)} s`,
      `    observation → next desired state   p50 ${formatMs(result.reaction.p50)}  p99 ${formatMs(result.reaction.p99)}  max ${formatMs(result.reaction.max)} (${result.reaction.samples})  ${verdict(result.reaction.p99 < GOALS.reactionP99Ms, `p99 < ${GOALS.reactionP99Ms} ms at 500 clusters / 10,000 rollouts, one of each`)}`,
      `    setImage → first desired state     p50 ${formatMs(result.releaseToDesired.p50)}  p99 ${formatMs(result.releaseToDesired.p99)}  max ${formatMs(result.releaseToDesired.max)}`,
      `    GraphQL rollouts first page (100)  p50 ${formatMs(result.firstPage.p50)}  p99 ${formatMs(result.firstPage.p99)}  max ${formatMs(result.firstPage.max)} (${result.firstPage.samples})  ${verdict(result.firstPage.p99 < GOALS.firstPageP99Ms, `p99 < ${GOALS.firstPageP99Ms} ms`)}`,
      `    reconcile jobs per completed step  ${perStep(result.reconcileJobs)} (${result.reconcileJobs} jobs): ${[...result.reconcileOutcomes].map(([outcome, count]) => `${outcome} ${perStep(count)}`).join(', ')}; wake-ups ${perStep(result.wakeUpJobs)}`,
      `    Postgres transactions per step     ${(result.postgresTransactions / result.stepsCompleted).toFixed(1)} (the benchmark's own polling included)`,
      `    Redis per step                     ${(result.redisCommands / result.stepsCompleted).toFixed(1)} commands, ${(result.redisBytesSent / result.stepsCompleted / 1024).toFixed(1)} KB sent (replies and pub/sub deliveries; the whole server)`,
      `    CPU per completed step             machine ${ms(cpu.machine)}: API ${ms(cpu.api)}, worker ${ms(cpu.worker)}, Postgres ${ms(cpu.postgres)}, Redis ${ms(cpu.redis)} (Postgres, Redis and the machine are shared with other work)`,
      `    per completed step, APIs; workers  ${activity(result.activityPerStep.api)}; ${activity(result.activityPerStep.worker)}`,
      `    resident memory                    API ${result.residentMegabytes.api.map((mb) => `${mb.toFixed(0)} MB`).join(', ')}; worker ${result.residentMegabytes.worker.map((mb) => `${mb.toFixed(0)} MB`).join(', ')}; simulator ${result.residentMegabytes.simulator.toFixed(0)} MB`,
      `    database growth                    ${(result.databaseBytesPer1000Releases / 1024 / 1024).toFixed(1)} MB per 1,000 releases`,
      `    audit                              ${result.audit.revisionsStarted} revisions, ${result.audit.revisionsCompleted} completed, ${result.audit.stepsCompleted} steps; ${result.audit.lost.length} lost, ${result.audit.doubled.length} doubled`,
      `    errors                             ${result.errors.length === 0 ? 'none: meets the goal of no error, lost or doubled step' : `${result.errors.length}: MISSES the goal of none; first: ${result.errors.slice(0, 3).join('; ')}`}`,
    );
  }
const one = results.get(1);
const two = results.get(2);
if (one && two) {
  const oneCpu = median(one.map((result) => result.cpuPerStep.machine));
  const twoCpu = median(two.map((result) => result.cpuPerStep.machine));
  const change = twoCpu / oneCpu - 1;
  lines.push(
    `  machine CPU per completed step, median of ${settings.runs}: one of each ${ms(oneCpu)}, two of each ${ms(twoCpu)} (${(change * 100).toFixed(1)} %)  ${verdict(Math.abs(change) <= GOALS.replicaCpuTolerance, 'two of each within 10 % of one of each (median of 3 runs)')}`,
  );
  // The work itself, beside its CPU: a coordination cost shows here as more of it per step.
  const workChange = (count: (result: FleetRunResult) => number): string => {
    const perStep = (runs: FleetRunResult[]): number => median(runs.map((result) => count(result) / result.stepsCompleted));
    return `${perStep(one).toFixed(2)} → ${perStep(two).toFixed(2)} (${((perStep(two) / perStep(one) - 1) * 100).toFixed(1)} %)`;
  };
  lines.push(
    `  work per completed step, one of each → two of each (medians): reconcile jobs ${workChange((result) => result.reconcileJobs)}, Postgres transactions ${workChange((result) => result.postgresTransactions)}, Redis commands ${workChange((result) => result.redisCommands)}`,
  );
  // What the APIs and workers asked of the kernel for the same work: more wake-ups for it is each process waking for less.
  const nodeActivity = (key: keyof ProcessActivity) => (result: FleetRunResult) =>
    (result.activityPerStep.api[key] + result.activityPerStep.worker[key]) * result.stepsCompleted;
  lines.push(
    `  APIs and workers per completed step, one of each → two of each (medians): system calls ${workChange(nodeActivity('syscalls'))}, wake-ups ${workChange(nodeActivity('wakeUps'))}, preemptions ${workChange(nodeActivity('preemptions'))}`,
  );
}
lines.push('');
process.stdout.write(lines.join('\n'));

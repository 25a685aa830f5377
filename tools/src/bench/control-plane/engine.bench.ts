import { availableParallelism, loadavg } from 'node:os';
import pg from 'pg';
import {
  loadSettings,
  readControlPlaneSettings,
  createRedisConnection,
  integer,
  type ControlPlaneSettings,
  type SettingsReader,
} from '@flotilla/service-runtime';
import { createDatabaseClient } from '@flotilla/stores';
import { controlPlaneNodeArguments, withScratchDatabase } from './bench-support.js';
import { decisionRateByScenario, decisionsDigest, measureDecisionRate, type DecisionRate } from './decision-rate.js';
import { buildFleet } from './engine-fleet.js';
import { copyAsLoaded } from './loaded-copy.js';
import { measureSimpleUpdateRate, type UpdateRate } from './postgres-update-rate.js';
import { measureQueueOnlyRate, measureReconcileJobRate, type JobKind, type JobRate } from './reconcile-job-rate.js';

/**
 * How fast the rollout engine decides, alone and through the worker: pure `reconcile` decisions over a mixed fleet
 * of 10,000 rollouts; reconcile jobs through BullMQ and Postgres with one and with two worker processes; and, as
 * the yardstick for the second figure, the machine CPU of one simple-update transaction on the same Postgres in the same run.
 */
const FLEET_SIZE = 10_000;
const SPREAD_ORGANIZATIONS = 8;

interface EngineBenchSettings extends ControlPlaneSettings {
  jobRollouts: number;
  warmupRollouts: number;
  /** The worker's default concurrency unless BENCH_WORKER_CONCURRENCY says otherwise. */
  workerConcurrency: number;
  /** See `controlPlaneNodeArguments`: with BENCH_CPU_PROFILE_DIR set, each worker writes a V8 CPU profile there when it stops. */
  workerNodeArguments: string[];
}

const readEngineBenchSettings: SettingsReader<EngineBenchSettings> = (environment, problems) => ({
  ...readControlPlaneSettings(environment, problems),
  jobRollouts: integer(environment, 'BENCH_ROLLOUTS', 3_000, problems),
  warmupRollouts: integer(environment, 'BENCH_WARMUP_ROLLOUTS', 1_000, problems, 0),
  workerConcurrency: integer(environment, 'BENCH_WORKER_CONCURRENCY', 64, problems),
  workerNodeArguments: controlPlaneNodeArguments(environment),
});

const GOALS = { decisionsPerSecond: 50_000, jobCpuPerUpdateCpu: 3 };

const log = (message: string): void => void process.stderr.write(`[bench:engine] ${message}\n`);
const rate = (value: number): string => `${Math.round(value).toLocaleString('en')}/s`;
const verdict = (met: boolean, goal: string): string => `${met ? 'meets' : 'MISSES'} the goal of ${goal}`;
const cpuPerJob = (run: JobRate): string =>
  `CPU per job: worker ${run.workerCpuMsPerJob.toFixed(2)} ms, Postgres ${run.postgresCpuMsPerJob.toFixed(2)} ms, Redis ${run.redisCpuMsPerJob.toFixed(2)} ms, whole machine ${run.machineCpuMsPerJob.toFixed(2)} ms`;
const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

const loadAtStart = load();
log(`load average ${loadAtStart} on ${availableParallelism()} cores`);
log(`building a fleet of ${FLEET_SIZE.toLocaleString('en')} rollouts, each carried to its state by the engine`);
const fleet = buildFleet(FLEET_SIZE, (built) => log(`  ${built.toLocaleString('en')} built`));

log('pure decisions, the same input objects every pass');
const sameObjects: DecisionRate = measureDecisionRate(fleet, {
  warmupPasses: 2,
  timedPasses: 5,
  progress: (message) => log(`  ${message}`),
});
log('pure decisions, fresh copies of the inputs every pass, parsed from jsonb text as a worker loads them from Postgres');
const freshObjects: DecisionRate = measureDecisionRate(fleet, {
  warmupPasses: 1,
  timedPasses: 5,
  copy: copyAsLoaded,
  progress: (message) => log(`  ${message}`),
});
log('pure decisions, structuredClone copies every pass (objects V8 lays out otherwise than a worker sees them)');
const clonedObjects: DecisionRate = measureDecisionRate(fleet, {
  warmupPasses: 1,
  timedPasses: 5,
  copy: (input) => structuredClone(input),
  progress: (message) => log(`  ${message}`),
});
log('pure decisions per scenario (fresh copies as loaded)');
const byScenario = decisionRateByScenario(fleet, 3);
log(`the fleet's decisions: sha256 ${decisionsDigest(fleet)} (the same in every build that decides alike)`);

const config = loadSettings(readEngineBenchSettings);
/**
 * One worker through every kind of job, then release jobs with two workers, and again with the rollouts spread over
 * several audit chains.
 */
const JOB_RUNS: { workers: number; organizations: number; kinds: JobKind[] }[] = [
  { workers: 1, organizations: 1, kinds: ['release', 'step', 'unchanged'] },
  { workers: 2, organizations: 1, kinds: ['release'] },
  { workers: 2, organizations: SPREAD_ORGANIZATIONS, kinds: ['release'] },
];
/** What every measurement of jobs shares: the worker's concurrency and node arguments, the jobs timed and warmed up with. */
const jobOptions = {
  concurrency: config.workerConcurrency,
  rollouts: config.jobRollouts,
  warmupRollouts: config.warmupRollouts,
  timeoutMs: 600_000,
  workerNodeArguments: config.workerNodeArguments,
  progress: (message: string) => log(`  ${message}`),
};
const { updates, jobRates, queueOnly } = await withScratchDatabase(config.databaseUrl, 'engine', async (databaseUrl) => {
  log('simple updates: 8 clients on a 10,000-row table for 5 s');
  const updates: UpdateRate = await measureSimpleUpdateRate(databaseUrl, { clients: 8, rows: 10_000, seconds: 5 });
  log(`  ${rate(updates.transactionsPerSecond)}`);
  const database = createDatabaseClient(databaseUrl, 4);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  // The scratch database is dropped with its connections; one still closing at that moment reports it here.
  pool.on('error', (error) => log(`polling connection closed: ${error.message}`));
  const redis = createRedisConnection(config.redis);
  const environment = { databaseUrl, redisTarget: config.redis, database, pool, redis };
  try {
    const jobRates: JobRate[] = [];
    for (const [index, run] of JOB_RUNS.entries()) {
      log(`reconcile jobs through BullMQ and Postgres: ${run.workers} worker(s), ${run.organizations} organization(s)`);
      const measuredKinds = await measureReconcileJobRate(environment, { label: `run-${index}`, ...run, ...jobOptions });
      for (const measured of measuredKinds) {
        log(
          `  ${measured.kind}: ${rate(measured.jobsPerSecond)} (${measured.jobs} jobs in ${measured.seconds.toFixed(1)} s, ${cpuPerJob(measured)}, ${measured.failedJobs} failed)`,
        );
      }
      jobRates.push(...measuredKinds);
    }
    log('reconcile jobs through BullMQ alone: a process that takes them as a worker does and does nothing with them');
    const queueOnly = await measureQueueOnlyRate(environment, { label: 'queue-only', ...jobOptions });
    log(`  queue only: ${rate(queueOnly.jobsPerSecond)} (${cpuPerJob(queueOnly)})`);
    return { updates, jobRates, queueOnly };
  } finally {
    await Promise.allSettled([database.$disconnect(), pool.end(), redis.quit()]);
  }
});

const [oneWorker, oneWorkerStep, oneWorkerUnchanged, twoWorkers, twoWorkersSpread] = jobRates as [
  JobRate,
  JobRate,
  JobRate,
  JobRate,
  JobRate,
];
const speedup = twoWorkers.jobsPerSecond / oneWorker.jobsPerSecond;
const jobCpuGoal = updates.machineCpuMsPerTransaction * GOALS.jobCpuPerUpdateCpu;
const jobCpuVerdict = (run: JobRate): string =>
  verdict(
    run.machineCpuMsPerJob <= jobCpuGoal,
    `machine CPU per job ≤ ${GOALS.jobCpuPerUpdateCpu} × a simple update's = ${jobCpuGoal.toFixed(2)} ms`,
  );
const timesUpdate = (ms: number): string => `${(ms / updates.machineCpuMsPerTransaction).toFixed(1)} × a simple update`;
const fleetSize = FLEET_SIZE.toLocaleString('en');
const KIND_LABELS: Record<JobRate['kind'], string> = { release: 'release', step: 'step', unchanged: 'nothing new', 'queue-only': 'no-op' };
const jobsLabel = (run: JobRate): string =>
  `${KIND_LABELS[run.kind]} jobs, ${run.workers} worker${run.workers > 1 ? 's' : ''} × concurrency ${run.concurrency}${run.organizations > 0 ? `, ${run.organizations} org${run.organizations > 1 ? 's' : ''}` : ''} (${run.jobs} jobs)`;
const row = (label: string, value: number, note = ''): string => `  ${label.padEnd(66)}${rate(value).padStart(10)}  ${note}`;
/**
 * What the machine allows at the one-worker run's cost per job: Postgres, Redis and the workers share its cores, so
 * no number of workers can take jobs faster than the cores divided by the machine CPU a job costs.
 */
const capacityNote = (run: JobRate): string => {
  const cores = availableParallelism();
  const ceiling = (cores * 1000) / run.machineCpuMsPerJob;
  return (
    `  machine: one worker keeps ${((run.jobsPerSecond * run.machineCpuMsPerJob) / 1000).toFixed(2)} of ${cores} cores busy; at ${run.machineCpuMsPerJob.toFixed(2)} ms of machine CPU per job ` +
    `no number of workers passes ${rate(ceiling)} (${(ceiling / run.jobsPerSecond).toFixed(2)} × one worker)`
  );
};
const pureNote = (measured: DecisionRate): string => {
  const met = (value: number): string => (value >= GOALS.decisionsPerSecond ? 'meets' : 'MISSES');
  return `${rate(measured.decisionsPerCpuSecond)} per CPU second; ${met(measured.decisionsPerSecond)} the goal of ≥ ${rate(GOALS.decisionsPerSecond)} by the wall clock, ${met(measured.decisionsPerCpuSecond)} it per CPU second`;
};
process.stdout.write(
  [
    '',
    `bench:engine (${availableParallelism()} cores; load average ${loadAtStart} at the start, ${load()} at the end)`,
    row(`pure reconcile, ${fleetSize} rollouts, same input objects each pass`, sameObjects.decisionsPerSecond, pureNote(sameObjects)),
    row(`pure reconcile, ${fleetSize} rollouts, fresh copies as loaded each pass`, freshObjects.decisionsPerSecond, pureNote(freshObjects)),
    row(
      `pure reconcile, ${fleetSize} rollouts, structuredClone copies each pass`,
      clonedObjects.decisionsPerSecond,
      `${rate(clonedObjects.decisionsPerCpuSecond)} per CPU second (for comparison only: no worker sees such objects)`,
    ),
    row(
      'Postgres simple updates (8 clients, autocommit, 10,000 rows)',
      updates.transactionsPerSecond,
      `machine CPU per transaction ${updates.machineCpuMsPerTransaction.toFixed(2)} ms`,
    ),
    ...[oneWorker, oneWorkerStep, oneWorkerUnchanged].map((run) =>
      row(jobsLabel(run), run.jobsPerSecond, `${cpuPerJob(run)}; ${jobCpuVerdict(run)}`),
    ),
    row(
      jobsLabel(twoWorkers),
      twoWorkers.jobsPerSecond,
      `${cpuPerJob(twoWorkers)}; ${speedup.toFixed(2)} × one worker; ${jobCpuVerdict(twoWorkers)}`,
    ),
    row(
      jobsLabel(twoWorkersSpread),
      twoWorkersSpread.jobsPerSecond,
      `${cpuPerJob(twoWorkersSpread)}; ${(twoWorkersSpread.jobsPerSecond / oneWorker.jobsPerSecond).toFixed(2)} × one worker (an audit chain per organization)`,
    ),
    row(
      jobsLabel(queueOnly),
      queueOnly.jobsPerSecond,
      `${cpuPerJob(queueOnly)}: BullMQ alone, ${timesUpdate(queueOnly.machineCpuMsPerJob)}`,
    ),
    `  above BullMQ alone, machine CPU per job: ${[oneWorker, oneWorkerStep, oneWorkerUnchanged]
      .map(
        (run) =>
          `${KIND_LABELS[run.kind]} ${(run.machineCpuMsPerJob - queueOnly.machineCpuMsPerJob).toFixed(2)} ms (${timesUpdate(run.machineCpuMsPerJob - queueOnly.machineCpuMsPerJob)})`,
      )
      .join(', ')}`,
    capacityNote(oneWorker),
    `  pure decisions per CPU second by scenario (fresh copies as loaded): ${[...byScenario].map(([scenario, value]) => `${scenario} ${rate(value)}`).join(', ')}`,
    '',
  ].join('\n'),
);

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { parentPidOf } from './process-cpu.js';

/** Percentile of already sorted samples, by the nearest-rank method. */
export function percentile(sortedSamples: readonly number[], fraction: number): number {
  if (sortedSamples.length === 0) return Number.NaN;
  const rank = Math.min(sortedSamples.length - 1, Math.max(0, Math.ceil(fraction * sortedSamples.length) - 1));
  return sortedSamples[rank] as number;
}

export interface LatencySummary {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

export async function measureLatency(
  samples: number,
  run: (index: number) => Promise<void>,
  progress?: (done: number) => void,
): Promise<LatencySummary> {
  const durations: number[] = [];
  for (let index = 0; index < samples; index += 1) {
    const started = performance.now();
    await run(index);
    durations.push(performance.now() - started);
    if (progress && (index + 1) % Math.max(1, Math.floor(samples / 10)) === 0) progress(index + 1);
  }
  durations.sort((a, b) => a - b);
  return { samples, p50: percentile(durations, 0.5), p99: percentile(durations, 0.99), max: durations.at(-1) ?? Number.NaN };
}

/** Sends a GraphQL request to the API with a bearer token; GraphQL errors are thrown. */
export async function graphqlRequest<T>(apiUrl: string, token: string, query: string, variables: object = {}): Promise<T> {
  const response = await fetch(`${apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

export const formatMs = (value: number): string => `${value.toFixed(1)} ms`;

/** The postmaster of the Postgres server behind `pool`: the parent of every backend, live or ended. */
export async function postmasterPid(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const backend = rows[0]?.pid;
  if (backend === undefined) throw new Error('pg_backend_pid() answered no row');
  return parentPidOf(backend);
}

/** A fresh database for one benchmark run, migrated like production, dropped afterwards. */
export async function withScratchDatabase<T>(baseUrl: string, name: string, work: (url: string) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: Object.assign(new URL(baseUrl), { pathname: '/postgres' }).toString() });
  await admin.connect();
  const database = `flotilla_bench_${name}_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${database}"`);
  const url = Object.assign(new URL(baseUrl), { pathname: `/${database}` }).toString();
  try {
    const root = fileURLToPath(new URL('../../../../', import.meta.url));
    const migrate = spawn(process.execPath, [`${root}node_modules/prisma/build/index.js`, 'migrate', 'deploy'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url },
      stdio: 'ignore',
    });
    const [code] = (await once(migrate, 'exit')) as [number];
    if (code !== 0) throw new Error(`migrations failed with exit code ${code}`);
    return await work(url);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  }
}

/**
 * The `node` arguments a benchmark starts the control plane's processes with: `--cpu-prof` into BENCH_CPU_PROFILE_DIR
 * when set, then BENCH_NODE_ARGUMENTS split on spaces (V8 flags Node refuses in NODE_OPTIONS, such as
 * `--single-threaded-gc`).
 */
export function controlPlaneNodeArguments(environment: NodeJS.ProcessEnv): string[] {
  const profileDirectory = environment.BENCH_CPU_PROFILE_DIR;
  return [
    ...(profileDirectory ? ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`] : []),
    ...(environment.BENCH_NODE_ARGUMENTS ?? '').split(' ').filter((argument) => argument !== ''),
  ];
}

/** Pino's level of warnings: lines below it of a process watched for its start-up message are left out. */
const WARN_LEVEL = 40;

/**
 * Whether the process has logged `message` yet. Its other lines go on to this process's standard error when they
 * warn or worse, and are dropped otherwise.
 */
function watchStartedMessage(child: ChildProcess, message: string): () => boolean {
  let seen = false;
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  lines.on('line', (line) => {
    let entry: { msg?: unknown; level?: unknown };
    try {
      entry = JSON.parse(line) as { msg?: unknown; level?: unknown };
    } catch {
      process.stderr.write(`${line}\n`);
      return;
    }
    if (entry.msg === message) seen = true;
    else if (typeof entry.level === 'number' && entry.level >= WARN_LEVEL) process.stderr.write(`${line}\n`);
  });
  return () => seen;
}

/**
 * Starts a compiled entry point (a path from the repository's root) as its own process and waits until `ready` says so. `nodeArguments`
 * go before the entry, for flags Node refuses in NODE_OPTIONS such as `--cpu-prof`. With `startedMessage`, the
 * process logs at `info` and is ready only once it has also logged that message (a worker's first sweep is over).
 */
export async function startProcess(
  entry: string,
  environment: Record<string, string>,
  ready: () => Promise<boolean>,
  nodeArguments: readonly string[] = [],
  startedMessage?: string,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeArguments, fileURLToPath(new URL(`../../../../${entry}`, import.meta.url))], {
    // Benchmarks run several APIs and workers side by side: each serves its health and metrics on free ports unless told them.
    env: {
      ...process.env,
      LOG_LEVEL: startedMessage === undefined ? 'warn' : 'info',
      WORKER_HEALTH_PORT: '0',
      METRICS_PORT: '0',
      ...environment,
    },
    stdio: ['ignore', startedMessage === undefined ? 'inherit' : 'pipe', 'inherit'],
  });
  const started = startedMessage === undefined ? () => true : watchStartedMessage(child, startedMessage);
  // A minute: a process started with --cpu-prof on a loaded machine takes far longer than its usual second or two.
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (started() && (await ready().catch(() => false))) return child;
    if (child.exitCode !== null) throw new Error(`${entry} exited with code ${child.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill();
  throw new Error(`${entry} did not become ready`);
}

/** Asks a process started by `startProcess` to stop, and kills it if it has not exited after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

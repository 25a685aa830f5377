import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface NodeProcessOptions {
  /** Options of node itself, before the entry point (`--expose-gc`, `--import`). */
  nodeArguments?: readonly string[];
  /** Opens an IPC channel to the process (`child.send`, `process.on('message')`). */
  ipc?: boolean;
}

/** The variables that name a Redis; a process told one of them must not inherit the others from the test's shell. */
const REDIS_VARIABLES = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_SENTINEL_NAME', 'REDIS_SENTINEL_PASSWORD', 'REDIS_PASSWORD'];

/** The test's own environment, without the Redis it names when `environment` names one of its own. */
function inheritedEnvironment(environment: Record<string, string>): NodeJS.ProcessEnv {
  if (!REDIS_VARIABLES.some((name) => name in environment)) return process.env;
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !REDIS_VARIABLES.includes(name)));
}

/** A compiled entry point of the project, run as its own process like in production. */
export function startNodeProcess(
  entry: string,
  environment: Record<string, string>,
  args: readonly string[] = [],
  options: NodeProcessOptions = {},
): ChildProcess {
  const path = `${root}${entry}`;
  if (!existsSync(path)) throw new Error(`${entry} is not built: run npm run build (npm test does it first)`);
  const child = spawn(process.execPath, [...(options.nodeArguments ?? []), path, ...args], {
    // Tests run several APIs and workers side by side: each serves its health and metrics on free ports unless told them.
    env: {
      ...inheritedEnvironment(environment),
      LOG_LEVEL: process.env.TEST_PROCESS_LOG_LEVEL ?? 'warn',
      WORKER_HEALTH_PORT: '0',
      METRICS_PORT: '0',
      ...environment,
    },
    stdio: ['ignore', 'inherit', 'inherit', ...(options.ipc ? (['ipc'] as const) : [])],
  });
  return child;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** How `child` exited, waiting at most `timeoutMs`; undefined while it still runs. */
export async function exitOf(child: ChildProcess, timeoutMs: number): Promise<ProcessExit | undefined> {
  if (child.exitCode === null && child.signalCode === null) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise((resolve) => child.once('exit', resolve)),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }
  return child.exitCode === null && child.signalCode === null ? undefined : { code: child.exitCode, signal: child.signalCode };
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Polls until `check` returns a value, failing with the last state after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A port nobody listens on right now, for a process that must be told its port up front. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port was assigned');
  return address.port;
}

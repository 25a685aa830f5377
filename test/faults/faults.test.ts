import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportAbuse } from '../support/abuse-report.js';
import { E2eSystem } from '../support/e2e-system.js';
import { releaseThroughFault } from '../support/fault-release.js';
import { PrivatePostgres, PrivateRedis } from '../support/private-services.js';
import { eventually } from '../support/processes.js';

// Faults are injected into a system of its own, on a Postgres and a Redis of its own, so that restarting and
// killing them touches nothing else. Each case is one release of one canary, hit by one fault mid-way, that must
// finish Healthy with no one stepping in, every step of it recorded exactly once.

const REDIS_OUTAGE_MS = 30_000;
const STEPS = [
  { setWeight: 20 },
  { pause: { duration: '1s' } },
  { setWeight: 40 },
  { pause: { duration: '1s' } },
  { setWeight: 60 },
  { setWeight: 80 },
];

let postgres: PrivatePostgres | undefined;
let redis: PrivateRedis | undefined;
let system: E2eSystem;
const tally = { faults: 0, releases: 0, lostSteps: 0, doubledSteps: 0 };
const apiMemory: { before?: number; after?: number } = {};

beforeAll(async () => {
  [postgres, redis] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start()]);
  system = await E2eSystem.start({ workers: 2, databaseUrl: postgres.url, redis: { url: redis.url }, podReadyDelayMs: 100 });
}, 90_000);

afterAll(async () => {
  await system?.stop();
  await Promise.all([postgres?.stop(), redis?.stop()]);
  reportAbuse({
    kind: 'faults',
    faults: tally.faults,
    releasesFinished: tally.releases,
    lostSteps: tally.lostSteps,
    doubledSteps: tally.doubledSteps,
  });
  if (apiMemory.before !== undefined && apiMemory.after !== undefined) {
    reportAbuse({
      kind: 'memory',
      measure: 'API resident memory across the Postgres and Redis outages',
      beforeBytes: apiMemory.before,
      afterBytes: apiMemory.after,
    });
  }
});

/** The resident set of a process from /proc, in bytes. */
function residentBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const kilobytes = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kilobytes === undefined ? undefined : Number(kilobytes) * 1024;
}

/** One release hit by `fault` mid-way (see `releaseThroughFault`), tallied, each step expected exactly once, in order. */
async function releaseThrough(name: string, fault: () => Promise<void>): Promise<void> {
  const recorded = await releaseThroughFault(system, name, STEPS, async () => {
    await fault();
    tally.faults += 1;
  });
  tally.releases += 1;
  const expected = STEPS.map((_step, index) => index);
  tally.lostSteps += expected.filter((index) => !recorded.includes(index)).length;
  tally.doubledSteps += recorded.length - new Set(recorded).size;
  expect(recorded).toEqual(expected);
}

async function everyWorkerReady(): Promise<void> {
  for (const worker of system.runningWorkers) {
    await eventually(
      async () => (await fetch(`${worker.healthUrl}/readyz`)).status === 200,
      20_000,
      `worker ${worker.process.pid} to be ready`,
    );
  }
}

describe(
  'every process rides out the loss of what it depends on, and the release finishes with no one stepping in',
  { timeout: 120_000 },
  () => {
    it('finishes when Postgres restarts mid-release, and both workers survive the restart', async () => {
      apiMemory.before = residentBytes(system.apiProcessId);
      const workersBefore = system.runningWorkers.map((worker) => worker.process.pid);
      await releaseThrough('postgres-restart', () => postgres!.restart());
      expect(system.runningWorkers.map((worker) => worker.process.pid)).toEqual(workersBefore);
      await everyWorkerReady();
      const [worker] = system.runningWorkers;
      expect(await (await fetch(`${worker?.metricsUrl}/metrics`)).text()).toContain('flotilla_worker_process_resident_memory_bytes');
    });

    it('finishes when Redis is killed for 30 s and comes back empty', async () => {
      await releaseThrough('redis-outage', async () => {
        await redis!.kill();
        const outageEnds = Date.now() + REDIS_OUTAGE_MS;
        const [worker] = system.runningWorkers;
        const unready = await eventually(
          async () => {
            const response = await fetch(`${worker?.healthUrl}/readyz`);
            return response.status === 503 ? ((await response.json()) as Record<string, string>) : undefined;
          },
          10_000,
          'a worker to report Redis unavailable',
        );
        expect(unready).toMatchObject({ status: 'unavailable', postgres: 'ok', sql: 'ok' });
        expect(unready.redis).not.toBe('ok');
        await new Promise((resolve) => setTimeout(resolve, outageEnds - Date.now()));
        await redis!.startServer();
      });
      expect(system.workerCount).toBe(2);
      await everyWorkerReady();
      expect((await fetch(`${system.apiUrl}/readyz`)).status).toBe(200);
      apiMemory.after = residentBytes(system.apiProcessId);
    });

    it('finishes when the API is killed with SIGKILL and started again', async () => {
      await releaseThrough('api-kill', async () => {
        await system.killApi();
        await system.startApi();
      });
    });

    it('finishes when a worker is killed with SIGKILL and started again', async () => {
      await releaseThrough('worker-kill', async () => {
        await system.killWorker();
        await system.startWorker();
      });
    });

    it('finishes when the agent is killed with SIGKILL and started again', async () => {
      await releaseThrough('agent-kill', async () => {
        await system.killAgent('staging');
        system.startAgent('staging');
      });
    });
  },
);

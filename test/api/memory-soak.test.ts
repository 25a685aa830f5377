import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createDatabaseClient, type DatabaseClient } from '../../libs/stores/src/database/database.js';
import { reportAbuse } from '../support/abuse-report.js';
import { createOrganizationWithAdmin, startApiProcess } from '../support/api-process.js';
import { graphql, graphqlData } from '../support/graphql-client.js';
import { stopProcess } from '../support/processes.js';

const GC_PRELOAD = fileURLToPath(new URL('../support/gc-on-message.mjs', import.meta.url));
/** How long the API is left idle after the load, as the requirement states, before its memory is judged. */
const IDLE_AFTER_LOAD_MS = 30_000;
const ALLOWED_GROWTH = 1.25;
const MEBIBYTE = 1024 * 1024;

let api: { child: ChildProcess; url: string };
let database: DatabaseClient;
let admin = '';

/** The process's resident set, from the kernel's own account of it. */
async function residentBytes(child: ChildProcess): Promise<number> {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
  const kibibytes = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (!kibibytes) throw new Error(`no VmRSS in /proc/${child.pid}/status`);
  return Number(kibibytes) * 1024;
}

/** A full garbage collection in the API, through the test-only preload; answers the API's memory usage after it. */
async function collectGarbage(child: ChildProcess): Promise<NodeJS.MemoryUsage> {
  const done = new Promise<NodeJS.MemoryUsage>((resolve) => {
    const listener = (message: unknown): void => {
      if (typeof message !== 'object' || message === null || !('collected' in message)) return;
      child.off('message', listener);
      resolve(message.collected as NodeJS.MemoryUsage);
    };
    child.on('message', listener);
  });
  child.send('gc');
  return done;
}

const send = (query: string, variables: Record<string, unknown> = {}, token = admin) => graphql(api.url, token, query, variables);

/** Posts a body as it is, for bodies no GraphQL client would build. */
async function sendRaw(body: string): Promise<number> {
  const response = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

const aliases = (count: number, field: string): string => Array.from({ length: count }, (_, index) => `a${index}: ${field}`).join(' ');
const nestedFragments = (depth: number): string => `${'... on Session { '.repeat(depth)}role${' }'.repeat(depth)}`;

/**
 * Several hundred requests of every hostile kind the API refuses, each query text distinct so that nothing is
 * answered from a cache of a previous one, sent a few at a time.
 */
function hostileRequests(): Array<() => Promise<unknown>> {
  const requests: Array<() => Promise<unknown>> = [];
  for (let round = 0; round < 25; round += 1) {
    const tag = `r${round}`;
    requests.push(
      // Thousands of aliases, and root fields, in one operation.
      () => send(`query ${tag} { ${aliases(800, 'clusters { name }')} }`),
      () => send(`query ${tag} { clusters { ${aliases(1600, 'name')} } }`),
      // A maximal document: just under the token limit of repeated fields.
      () => send(`query ${tag} { me { ${'organization '.repeat(4980)} } }`),
      // Nesting far past the depth limit.
      () => send(`query ${tag} { me { ${nestedFragments(990)} } }`),
      // Long strings, literal and as variables, up to what the request size allows.
      () => send(`query ${tag} { rollout(cluster: "${'x'.repeat(500_000)}", namespace: "a", name: "b") { id } }`),
      () => send(`query ${tag}($name: String!) { cluster(name: $name) { name } }`, { name: 'y'.repeat(500_000) }),
      // Lists far over their bound.
      () =>
        send(`query ${tag}($labels: [String!]) { rollouts(filter: { labels: $labels }) { nodes { id } } }`, {
          labels: Array.from({ length: 30_000 }, (_, index) => `k${index}`),
        }),
      // Bad dates, NUL characters and lone surrogates.
      () =>
        send(`query ${tag}($from: DateTime) { auditEvents(filter: { from: $from }) { nodes { id } } }`, {
          from: `2025-02-30T00:00:00Z${'0'.repeat(50_000)}`,
        }),
      () => send(`query ${tag}($name: String!) { cluster(name: $name) { name } }`, { name: `a\u0000${'\uD800'.repeat(50_000)}` }),
      // Over the price of an operation, and over the size of a request.
      () => send(`query ${tag} { ${aliases(40, 'rollouts(page: { first: 100 }) { nodes { id } }')} }`),
      () => sendRaw(JSON.stringify({ query: `query ${tag} { me { role } }`, padding: 'z'.repeat(2 * MEBIBYTE) })),
    );
  }
  return requests;
}

async function runConcurrently(requests: Array<() => Promise<unknown>>, concurrency: number, sample: () => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < requests.length) {
      const request = requests[next];
      next += 1;
      await request?.();
      await sample();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

beforeAll(async () => {
  const redisPrefix = `soak-${randomUUID().slice(0, 8)}`;
  const environment = { DATABASE_URL: inject('databaseUrl'), REDIS_URL: inject('redisUrl'), REDIS_PREFIX: redisPrefix };
  api = await startApiProcess(environment, { nodeArguments: ['--expose-gc', '--import', GC_PRELOAD], ipc: true });
  database = createDatabaseClient(inject('databaseUrl'), 2);
  admin = await createOrganizationWithAdmin(database, { url: inject('redisUrl') }, redisPrefix, `soak-${randomUUID().slice(0, 8)}`);
});

afterAll(async () => {
  await stopProcess(api.child);
  await database.$disconnect();
});

it('gives back, once idle, the memory a few hundred hostile requests took', async () => {
  for (let round = 0; round < 20; round += 1) {
    await graphqlData(api.url, admin, '{ me { role organization } clusters { name } rollouts { nodes { id } } }');
  }
  // The baseline is a warm process: every kind of refusal has run once, so what its code loads and compiles on first
  // use is in the baseline too, and what the load adds is what it left behind.
  const requests = hostileRequests();
  await runConcurrently(
    requests.filter((_request, index) => index % 10 === 0),
    4,
    () => Promise.resolve(),
  );
  const baselineHeap = (await collectGarbage(api.child)).heapUsed;
  const baseline = await residentBytes(api.child);

  let peak = baseline;
  await runConcurrently(requests, 4, async () => {
    peak = Math.max(peak, await residentBytes(api.child));
  });

  await collectGarbage(api.child);
  await new Promise((resolve) => setTimeout(resolve, IDLE_AFTER_LOAD_MS));
  const afterHeap = (await collectGarbage(api.child)).heapUsed;
  const after = await residentBytes(api.child);

  reportAbuse({
    kind: 'memory',
    measure: `API resident memory across ${requests.length} hostile requests and 30 s idle (peak ${Math.round(peak / MEBIBYTE)} MiB)`,
    beforeBytes: baseline,
    afterBytes: after,
  });
  reportAbuse({ kind: 'memory', measure: 'API heap in use across the same', beforeBytes: baselineHeap, afterBytes: afterHeap });
  expect((await fetch(`${api.url}/healthz`)).ok).toBe(true);
  expect(after).toBeLessThanOrEqual(baseline * ALLOWED_GROWTH);
  // The heap's own account, steadier than the resident set, tells the same at a finer grain.
  expect(afterHeap).toBeLessThanOrEqual(baselineHeap * ALLOWED_GROWTH);
}, 120_000);

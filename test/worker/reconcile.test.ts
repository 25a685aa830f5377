import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConvergingAgent } from '../support/converging-agent.js';
import { graphqlData } from '../support/graphql-client.js';
import { canaryRollout, toYaml } from '../support/manifests.js';
import { eventually, startNodeProcess, stopProcess } from '../support/processes.js';
import { startTestApi, type TestApi, type TestOrganization } from '../support/test-api.js';

let api: TestApi;
const workers: ChildProcess[] = [];
const agents: ConvergingAgent[] = [];

const WORKER_ENVIRONMENT = { SWEEP_INTERVAL_MS: '500', JOB_LOCK_MS: '2000', WORKER_CONCURRENCY: '4', AGENT_SILENCE_LIMIT_MS: '60000' };

beforeAll(async () => {
  api = await startTestApi();
});
afterEach(async () => {
  for (const agent of agents.splice(0)) agent.disconnect();
  await Promise.all(workers.splice(0).map((worker) => stopProcess(worker)));
});
afterAll(() => api.close());

function startWorker(): ChildProcess {
  const worker = startNodeProcess('apps/worker/dist/main.js', {
    ...api.environment,
    ...WORKER_ENVIRONMENT,
    LOG_LEVEL: process.env.WORKER_LOG_LEVEL ?? 'warn',
  });
  workers.push(worker);
  return worker;
}

async function connectedCluster(): Promise<TestOrganization> {
  const org = await api.organization({ cluster: 'staging' });
  const agent = new ConvergingAgent(api.url, org.agentTokens.staging as string);
  agents.push(agent);
  await agent.connect();
  await eventually(
    async () => (await api.database.cluster.findFirst({ where: { organizationId: org.id, connectionState: 'Connected' } })) ?? undefined,
    10_000,
    'the agent to connect',
  );
  return org;
}

/** The canary of the getting-started guide with a short timed pause, so that the test runs in seconds. */
function quickCanary(name: string, image: string) {
  const rollout = canaryRollout(name, image);
  rollout.spec.strategy.canary.steps = [
    { setWeight: 20 },
    { pause: {} },
    { setWeight: 40 },
    { pause: { duration: '2s' } },
    { setWeight: 60 },
    { setWeight: 80 },
  ];
  return rollout;
}

const ref = (name: string) => ({ cluster: 'staging', namespace: 'shop', name });

async function apply(org: TestOrganization, yaml: string): Promise<void> {
  await graphqlData(
    api.url,
    org.tokens.deployer,
    'mutation($yaml: String!) { applyManifests(cluster: "staging", namespace: "shop", yaml: $yaml) { name } }',
    { yaml },
  );
}

async function operate(org: TestOrganization, mutation: string, name: string): Promise<void> {
  await graphqlData(api.url, org.tokens.deployer, `mutation($r: RolloutRef!) { ${mutation} }`, { r: ref(name) });
}

async function rolloutState(org: TestOrganization, name: string) {
  return api.database.rollout.findFirstOrThrow({ where: { organizationId: org.id, name } });
}

async function waitForPhase(
  org: TestOrganization,
  name: string,
  phase: string,
  extra: (row: Awaited<ReturnType<typeof rolloutState>>) => boolean = () => true,
  timeoutMs = 20_000,
) {
  let last = '';
  return eventually(
    async () => {
      const row = await rolloutState(org, name);
      last = `${row.phase} "${row.message}" step ${(row.status as { currentStepIndex?: number } | null)?.currentStepIndex} generation ${row.observedGeneration}/${row.generation}`;
      return row.phase === phase && extra(row) ? row : undefined;
    },
    timeoutMs,
    `${name} to be ${phase}`,
  ).catch((error: Error) => {
    throw new Error(`${error.message} (${name} is ${last})`);
  });
}

const replicasByRole = (row: { desiredState: unknown; status: unknown }) => {
  const desired = row.desiredState as { replicaSets: { podTemplateHash: string; replicas: number }[] };
  const status = row.status as { stableRS: string; currentPodHash: string };
  const of = (hash: string) => desired.replicaSets.find((replicaSet) => replicaSet.podTemplateHash === hash)?.replicas;
  return { stable: of(status.stableRS), canary: of(status.currentPodHash) };
};

async function auditActions(org: TestOrganization): Promise<{ action: string; after: unknown }[]> {
  return api.database.auditEvent.findMany({
    where: { organizationId: org.id, actor: 'engine' },
    orderBy: { sequence: 'asc' },
    select: { action: true, after: true },
  });
}

describe('reconcile jobs on BullMQ carry rollouts through the engine', () => {
  it('releases a canary step by step with two workers, each transition applied exactly once', async () => {
    startWorker();
    startWorker();
    const org = await connectedCluster();
    await apply(org, toYaml(quickCanary('checkout', 'shop/checkout:1')));
    await waitForPhase(org, 'checkout', 'Healthy');

    await graphqlData(
      api.url,
      org.tokens.deployer,
      'mutation($r: RolloutRef!) { setImage(rollout: $r, container: "checkout", image: "shop/checkout:2") { id } }',
      { r: ref('checkout') },
    );
    const paused = await waitForPhase(
      org,
      'checkout',
      'Paused',
      (row) => (row.status as { currentStepIndex?: number }).currentStepIndex === 1,
    );
    expect(replicasByRole(paused)).toEqual({ stable: 4, canary: 1 });
    const view = await graphqlData<{
      rollout: { replicaSets: { role: string; revision: number; images: string[]; desiredReplicas: number; readyReplicas: number }[] };
    }>(
      api.url,
      org.tokens.viewer,
      '{ rollout(cluster: "staging", namespace: "shop", name: "checkout") { replicaSets { role revision images desiredReplicas readyReplicas } } }',
    );
    expect(view.rollout.replicaSets).toEqual([
      { role: 'canary', revision: 2, images: ['shop/checkout:2'], desiredReplicas: 1, readyReplicas: 1 },
      { role: 'stable', revision: 1, images: ['shop/checkout:1'], desiredReplicas: 4, readyReplicas: 4 },
    ]);

    await operate(org, 'promote(rollout: $r) { id }', 'checkout');
    const healthy = await waitForPhase(
      org,
      'checkout',
      'Healthy',
      (row) => row.observedGeneration === row.generation && (row.status as { currentStepIndex?: number }).currentStepIndex === 6,
    );
    expect(replicasByRole(healthy)).toEqual({ stable: 5, canary: 5 });

    const revisions = await api.database.rolloutRevision.findMany({ where: { rolloutId: healthy.id }, orderBy: { revision: 'asc' } });
    expect(revisions.map(({ revision, images, outcome, startedBy }) => ({ revision, images, outcome, startedBy }))).toEqual([
      { revision: 1, images: ['shop/checkout:1'], outcome: 'Healthy', startedBy: 'token:deployer' },
      { revision: 2, images: ['shop/checkout:2'], outcome: 'Healthy', startedBy: 'token:deployer' },
    ]);
    const audit = await auditActions(org);
    const count = (action: string, match: (after: Record<string, unknown>) => boolean = () => true) =>
      audit.filter((entry) => entry.action === action && match(entry.after as Record<string, unknown>)).length;
    expect(count('rollout.revision_started', (after) => after.revision === 2)).toBe(1);
    for (const stepIndex of [0, 1, 2, 3, 4, 5]) expect(count('rollout.step_completed', (after) => after.stepIndex === stepIndex)).toBe(1);
    expect(count('rollout.operation_applied')).toBe(2);
    expect(count('rollout.completed', (after) => after.revision === 2)).toBe(1);
    const operations = await api.database.rolloutOperation.findMany({ where: { rolloutId: healthy.id } });
    expect(operations.map((operation) => operation.state)).toEqual(['Applied', 'Applied']);
    const verdict = await graphqlData<{ verifyAuditChain: { valid: boolean } }>(
      api.url,
      org.tokens.viewer,
      '{ verifyAuditChain { valid } }',
    );
    expect(verdict.verifyAuditChain.valid).toBe(true);
  });

  it('aborts to stable, holds Degraded, and rolls back fast when the stable image is applied again', async () => {
    startWorker();
    const org = await connectedCluster();
    await apply(org, toYaml(quickCanary('cart', 'shop/cart:1')));
    await waitForPhase(org, 'cart', 'Healthy');
    await apply(org, toYaml(quickCanary('cart', 'shop/cart:2')));
    await waitForPhase(org, 'cart', 'Paused');

    await operate(org, 'abort(rollout: $r) { id }', 'cart');
    const aborted = await waitForPhase(org, 'cart', 'Degraded');
    expect(replicasByRole(aborted)).toEqual({ stable: 5, canary: 0 });
    expect(aborted.message).toContain('aborted');

    await apply(org, toYaml(quickCanary('cart', 'shop/cart:1')));
    const rolledBack = await waitForPhase(org, 'cart', 'Healthy', (row) => row.observedGeneration === row.generation);
    expect((rolledBack.status as { currentStepIndex?: number }).currentStepIndex).toBe(6);
    const audit = await auditActions(org);
    expect(
      audit.filter((entry) => entry.action === 'rollout.step_completed' && (entry.after as { stepIndex: number }).stepIndex > 1),
    ).toEqual([]);
  });

  it('holds a rollout while its cluster is disconnected and goes on when the agent is back', async () => {
    startWorker();
    const org = await connectedCluster();
    await apply(org, toYaml(quickCanary('search', 'shop/search:1')));
    await waitForPhase(org, 'search', 'Healthy');
    const agent = agents.at(-1) as ConvergingAgent;
    agent.disconnect();
    await eventually(
      async () =>
        (await api.database.cluster.findFirst({ where: { organizationId: org.id, connectionState: 'Disconnected' } })) ?? undefined,
      10_000,
      'the disconnection',
    );

    await apply(org, toYaml(quickCanary('search', 'shop/search:2')));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const held = await rolloutState(org, 'search');
    expect(held.observedGeneration).toBeLessThan(held.generation);

    await agent.connect();
    await waitForPhase(org, 'search', 'Paused', (row) => row.observedGeneration === row.generation);
  });

  it('finishes when a worker is killed mid-rollout and when Redis loses every job', async () => {
    const doomed = startWorker();
    startWorker();
    const org = await connectedCluster();
    await apply(org, toYaml(quickCanary('payments', 'shop/payments:1')));
    await waitForPhase(org, 'payments', 'Healthy');
    await apply(org, toYaml(quickCanary('payments', 'shop/payments:2')));
    await waitForPhase(org, 'payments', 'Paused');
    await operate(org, 'promote(rollout: $r) { id }', 'payments');
    await stopProcess(doomed, 'SIGKILL');

    // Step 3 is the 2 s pause: Redis then holds the timer that ends it.
    await eventually(
      async () => ((await rolloutState(org, 'payments')).status as { currentStepIndex?: number }).currentStepIndex === 3 || undefined,
      20_000,
      'payments at the timed pause',
    );
    const redis = new Redis(api.environment.REDIS_URL as string);
    const keys = await redis.keys(`${api.environment.REDIS_PREFIX}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();

    const healthy = await waitForPhase(
      org,
      'payments',
      'Healthy',
      (row) => (row.status as { currentStepIndex?: number }).currentStepIndex === 6,
    );
    const audit = await auditActions(org);
    for (const stepIndex of [0, 1, 2, 3, 4, 5]) {
      expect(
        audit.filter(
          (entry) => entry.action === 'rollout.step_completed' && (entry.after as { stepIndex: number }).stepIndex === stepIndex && healthy,
        ),
      ).toHaveLength(1);
    }
  });
});

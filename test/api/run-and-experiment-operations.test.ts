import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { recordMeasurement } from '../../libs/analysis/src/assessment.js';
import { newMetricResult } from '../../libs/analysis/src/assessment.js';
import type { Prisma } from '../../libs/stores/src/generated/prisma/client.js';
import { runStateColumn } from '../../libs/stores/src/analysis-runs/run-state.js';
import { ReconcileQueue } from '../../libs/queues/src/reconcile-queue.js';
import { runPhaseJobId, versionJobId } from '../../libs/queues/src/trigger-queue.js';
import { graphql, graphqlData } from '../support/graphql-client.js';
import { startTestApi, type TestApi, type TestOrganization } from '../support/test-api.js';

let api: TestApi;
let acme: TestOrganization;
let globex: TestOrganization;

const json = (value: unknown): Prisma.InputJsonValue => value as Prisma.InputJsonValue;
const startedAt = new Date(Date.now() - 60_000);
const smoke = { name: 'smoke', provider: { job: { spec: { template: { spec: { containers: [{ name: 'check', image: 'busybox' }] } } } } } };

const TERMINATE = `mutation($name: String!, $reason: String) {
  terminateAnalysisRun(cluster: "staging", namespace: "shop", name: $name, reason: $reason) { name phase message finishedAt }
}`;

async function seedRun(org: TestOrganization, name: string, fields: Partial<Prisma.AnalysisRunUncheckedCreateInput>): Promise<string> {
  const cluster = await api.database.cluster.findFirstOrThrow({ where: { organizationId: org.id, name: 'staging' } });
  const run = await api.database.analysisRun.create({
    data: {
      organizationId: org.id,
      clusterId: cluster.id,
      namespace: 'shop',
      name,
      kind: 'background',
      spec: json({ analysis: { templates: [{ templateName: 'smoke' }] }, stablePodTemplateHash: null }),
      ...fields,
    },
  });
  return run.id;
}

const ROLLOUT_VERSION = 3;

/** A rollout row of the organization's `staging` cluster, at ROLLOUT_VERSION, for runs and experiments to belong to. */
async function seedRollout(org: TestOrganization, name: string): Promise<string> {
  const cluster = await api.database.cluster.findFirstOrThrow({ where: { organizationId: org.id, name: 'staging' } });
  const spec = { replicas: 1, selector: { matchLabels: { app: name } }, template: {}, strategy: { canary: {} } };
  const rollout = await api.database.rollout.create({
    data: { organizationId: org.id, clusterId: cluster.id, namespace: 'shop', name, spec: json(spec), version: ROLLOUT_VERSION },
  });
  return rollout.id;
}

/** Runs `work` with the API's reconcile queue, emptied afterwards. */
async function withReconcileQueue(work: (queue: ReconcileQueue) => Promise<void>): Promise<void> {
  const redis = new Redis(inject('redisUrl'));
  const queue = new ReconcileQueue(redis, api.environment.REDIS_PREFIX as string);
  try {
    await work(queue);
  } finally {
    await queue.queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();
  }
}

const experimentSpec = {
  templates: [
    {
      name: 'canary',
      selector: { matchLabels: { app: 'checkout' } },
      template: { metadata: { labels: { app: 'checkout' } }, spec: { containers: [{ name: 'checkout', image: 'shop/checkout:2' }] } },
    },
  ],
};

async function seedExperiment(
  org: TestOrganization,
  name: string,
  phase: 'Running' | 'Successful' | 'Failed',
  rolloutId: string | null = null,
): Promise<void> {
  const cluster = await api.database.cluster.findFirstOrThrow({ where: { organizationId: org.id, name: 'staging' } });
  const status = { phase, message: '', availableAt: undefined, finishedAt: undefined, templateStatuses: [], analysisRuns: [] };
  await api.database.experiment.create({
    data: {
      organizationId: org.id,
      clusterId: cluster.id,
      namespace: 'shop',
      name,
      spec: json(experimentSpec),
      phase,
      status: json(status),
      rolloutId,
    },
  });
}

const TERMINATE_EXPERIMENT = `mutation($name: String!, $reason: String) {
  terminateExperiment(cluster: "staging", namespace: "shop", name: $name, reason: $reason) { name phase }
}`;

beforeAll(async () => {
  api = await startTestApi();
  acme = await api.organization({ cluster: 'staging' });
  globex = await api.organization({ cluster: 'staging' });
  const inFlight = recordMeasurement(newMetricResult('smoke'), { phase: 'Running', startedAt }, 10);
  await seedRun(acme, 'measuring', {
    phase: 'Running',
    startedAt,
    spec: json({
      analysis: { templates: [{ templateName: 'smoke' }] },
      stablePodTemplateHash: null,
      resolved: {
        templates: [{ name: 'smoke', clusterScope: false, version: 1 }],
        spec: { metrics: [smoke], args: [], dryRun: [], measurementRetention: [] },
        measuredBy: { smoke: 'agent' },
      },
    }),
    metricResults: json(runStateColumn.encode({ results: [inFlight], nextAt: { smoke: new Date(Date.now() + 60_000).toISOString() } })),
    nextMeasurementAt: new Date(Date.now() + 60_000),
  });
  await seedRun(acme, 'not-started', {});
  await seedRun(acme, 'failed', { phase: 'Failed', message: 'Metric "smoke" assessed Failed', finishedAt: startedAt });
  await seedRun(globex, 'theirs', { phase: 'Running', startedAt });
  await seedExperiment(acme, 'comparing', 'Running');
  await seedExperiment(acme, 'compared', 'Successful');
  await seedExperiment(globex, 'their-experiment', 'Running');
  await seedExperiment(acme, 'regressed', 'Failed');
});

afterAll(() => api.close());

describe('terminateAnalysisRun', () => {
  it('ends the measurement in flight and settles the run as upstream settles a terminated run, audited with the reason', async () => {
    const { terminateAnalysisRun: run } = await graphqlData<{
      terminateAnalysisRun: { phase: string; message: string; finishedAt: string };
    }>(api.url, acme.tokens.deployer, TERMINATE, { name: 'measuring', reason: 'enough data' });
    expect(run.phase).toBe('Inconclusive');
    expect(run.message).toContain('Metric Terminated');
    expect(run.finishedAt).not.toBeNull();
    const stored = await api.database.analysisRun.findFirstOrThrow({ where: { organizationId: acme.id, name: 'measuring' } });
    expect(stored.nextMeasurementAt).toBeNull();
    const state = runStateColumn.decode(stored.metricResults);
    expect(state.results[0]?.measurements.at(-1)).toMatchObject({ phase: 'Inconclusive', message: 'Metric Terminated' });
    expect(state.nextAt).toEqual({ smoke: null });

    const audit = await graphqlData<{ auditEvents: { nodes: { action: string; targetName: string; reason: string; after: unknown }[] } }>(
      api.url,
      acme.tokens.viewer,
      '{ auditEvents(filter: { action: "analysisRun.terminate" }) { nodes { action targetName reason after } } }',
    );
    expect(audit.auditEvents.nodes).toEqual([
      {
        action: 'analysisRun.terminate',
        targetName: 'staging/shop/measuring',
        reason: 'enough data',
        after: { phase: 'Inconclusive', message: run.message },
      },
    ]);
  });

  it('ends a run that has not started Successful, "Run Terminated"', async () => {
    const data = await graphqlData<{ terminateAnalysisRun: { phase: string; message: string } }>(api.url, acme.tokens.deployer, TERMINATE, {
      name: 'not-started',
    });
    expect(data.terminateAnalysisRun).toMatchObject({ phase: 'Successful', message: 'Run Terminated' });
  });

  it('refuses a run that has ended, changing nothing', async () => {
    const response = await graphql(api.url, acme.tokens.deployer, TERMINATE, { name: 'failed' });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'analysis_run/operation_refused' });
    expect(response.errors?.[0]?.message).toBe('terminate refused: the analysis run already ended Failed');
    const stored = await api.database.analysisRun.findFirstOrThrow({ where: { organizationId: acme.id, name: 'failed' } });
    expect(stored).toMatchObject({ phase: 'Failed', message: 'Metric "smoke" assessed Failed' });
  });

  it("asks for its rollout's reconcile even while a reconcile of the rollout's version is queued or under way", async () => {
    const rolloutId = await seedRollout(acme, 'owner');
    const runId = await seedRun(acme, 'owned', { rolloutId, phase: 'Running', startedAt });
    await withReconcileQueue(async (queue) => {
      // The job of a reconcile that read the run before it ended: another for the same version would be turned away.
      await queue.request(rolloutId, ROLLOUT_VERSION);
      await graphqlData(api.url, acme.tokens.deployer, TERMINATE, { name: 'owned' });
      const stored = await api.database.analysisRun.findUniqueOrThrow({ where: { id: runId } });
      expect(await queue.queue.getJob(runPhaseJobId(rolloutId, ROLLOUT_VERSION, runId, stored.phase))).toBeDefined();
    });
  });

  it("answers not found for another organization's run, and needs the deployer role", async () => {
    const [foreign, asViewer] = await Promise.all([
      graphql(api.url, acme.tokens.deployer, TERMINATE, { name: 'theirs' }),
      graphql(api.url, globex.tokens.viewer, TERMINATE, { name: 'theirs' }),
    ]);
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'analysis_run/not_found' });
    expect(asViewer.errors?.[0]?.extensions).toMatchObject({ code: 'auth/forbidden' });
    const theirs = await api.database.analysisRun.findFirstOrThrow({ where: { organizationId: globex.id, name: 'theirs' } });
    expect(theirs.phase).toBe('Running');
  });
});

describe('terminateExperiment', () => {
  it('sets spec.terminate at a new version and generation for the engine to carry out, audited with the reason', async () => {
    const before = await api.database.experiment.findFirstOrThrow({ where: { organizationId: acme.id, name: 'comparing' } });
    const data = await graphqlData<{ terminateExperiment: { name: string; phase: string } }>(
      api.url,
      acme.tokens.deployer,
      TERMINATE_EXPERIMENT,
      {
        name: 'comparing',
        reason: 'the canary is clearly better',
      },
    );
    expect(data.terminateExperiment).toEqual({ name: 'comparing', phase: 'Running' });
    const after = await api.database.experiment.findFirstOrThrow({ where: { organizationId: acme.id, name: 'comparing' } });
    expect(after.spec).toEqual({ ...experimentSpec, terminate: true });
    expect(after).toMatchObject({ version: before.version + 1, generation: before.generation + 1 });
    const audit = await graphqlData<{ auditEvents: { nodes: { targetName: string; reason: string; after: unknown }[] } }>(
      api.url,
      acme.tokens.viewer,
      '{ auditEvents(filter: { action: "experiment.terminate" }) { nodes { targetName reason after } } }',
    );
    expect(audit.auditEvents.nodes).toEqual([
      { targetName: 'staging/shop/comparing', reason: 'the canary is clearly better', after: { terminate: true, generation: 2 } },
    ]);
  });

  it("of a rollout's experiment moves the rollout's version on and asks for its reconcile at the new one", async () => {
    const rolloutId = await seedRollout(acme, 'experimenting');
    await seedExperiment(acme, 'rollout-experiment', 'Running', rolloutId);
    await withReconcileQueue(async (queue) => {
      await graphqlData(api.url, acme.tokens.deployer, TERMINATE_EXPERIMENT, { name: 'rollout-experiment' });
      const rollout = await api.database.rollout.findUniqueOrThrow({ where: { id: rolloutId } });
      // A reconcile that read the experiment before the change then writes nothing, and is run again.
      expect(rollout.version).toBe(ROLLOUT_VERSION + 1);
      expect(await queue.queue.getJob(versionJobId(rolloutId, rollout.version))).toBeDefined();
    });
  });

  it.each([
    { name: 'comparing', message: 'terminate refused: the experiment is terminating already' },
    { name: 'compared', message: 'terminate refused: the experiment already ended Successful' },
  ])('refuses $name: $message', async ({ name, message }) => {
    const before = await api.database.experiment.findFirstOrThrow({ where: { organizationId: acme.id, name } });
    const response = await graphql(api.url, acme.tokens.deployer, TERMINATE_EXPERIMENT, { name });
    expect(response.errors?.[0]).toMatchObject({ message, extensions: { code: 'experiment/operation_refused' } });
    const after = await api.database.experiment.findFirstOrThrow({ where: { organizationId: acme.id, name } });
    expect(after.version).toBe(before.version);
  });

  it("answers not found for another organization's experiment, and needs the deployer role", async () => {
    const [foreign, asViewer] = await Promise.all([
      graphql(api.url, acme.tokens.deployer, TERMINATE_EXPERIMENT, { name: 'their-experiment' }),
      graphql(api.url, globex.tokens.viewer, TERMINATE_EXPERIMENT, { name: 'their-experiment' }),
    ]);
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'experiment/not_found' });
    expect(asViewer.errors?.[0]?.extensions).toMatchObject({ code: 'auth/forbidden' });
    const theirs = await api.database.experiment.findFirstOrThrow({ where: { organizationId: globex.id, name: 'their-experiment' } });
    expect(theirs.spec).toEqual(experimentSpec);
  });
});

describe('retryExperiment', () => {
  const RETRY = `mutation($name: String!) { retryExperiment(cluster: "staging", namespace: "shop", name: $name) { name phase } }`;

  it('clears the status of a failed experiment so that it starts over, audited', async () => {
    const before = await api.database.experiment.findFirstOrThrow({ where: { organizationId: acme.id, name: 'regressed' } });
    const data = await graphqlData<{ retryExperiment: { phase: string } }>(api.url, acme.tokens.deployer, RETRY, { name: 'regressed' });
    expect(data.retryExperiment.phase).toBe('Pending');
    const after = await api.database.experiment.findFirstOrThrow({ where: { organizationId: acme.id, name: 'regressed' } });
    expect(after).toMatchObject({
      phase: 'Pending',
      message: '',
      status: null,
      releasedAt: null,
      nextReconcileAt: null,
      version: before.version + 1,
    });
    const audit = await graphqlData<{ auditEvents: { nodes: { targetName: string }[] } }>(
      api.url,
      acme.tokens.viewer,
      '{ auditEvents(filter: { action: "experiment.retry" }) { nodes { targetName } } }',
    );
    expect(audit.auditEvents.nodes).toEqual([{ targetName: 'staging/shop/regressed' }]);
  });

  it('refuses an experiment that succeeded without being terminated', async () => {
    const response = await graphql(api.url, acme.tokens.deployer, RETRY, { name: 'compared' });
    expect(response.errors?.[0]).toMatchObject({
      message: 'retry refused: the experiment is Successful: only one that failed or was terminated can be retried',
      extensions: { code: 'experiment/operation_refused' },
    });
  });
});

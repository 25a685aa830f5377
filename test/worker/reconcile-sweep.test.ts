import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabaseClient, type DatabaseClient } from '../../libs/stores/src/database/database.js';
import { AuditStore } from '../../libs/stores/src/audit/audit-store.js';
import { ClusterStore } from '../../libs/stores/src/clusters/cluster-store.js';
import { ExperimentStore } from '../../libs/stores/src/experiments/experiment-store.js';
import { FleetReleaseStore } from '../../libs/stores/src/fleet/fleet-release-store.js';
import { RolloutStore } from '../../libs/stores/src/rollouts/rollout-store.js';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import { ReconcileQueue } from '../../libs/queues/src/reconcile-queue.js';
import { FleetReconcileQueue } from '../../libs/queues/src/fleet-reconcile-queue.js';
import { ReconcileSweep } from '../../apps/worker/src/reconcile/reconcile-sweep.js';
import { EventBus } from '../../libs/events/src/event-bus.js';
import { ConvergingAgent } from '../support/converging-agent.js';
import { graphqlData } from '../support/graphql-client.js';
import { eventually } from '../support/processes.js';
import { startTestApi, type TestApi } from '../support/test-api.js';

const HORIZON_MS = 20_000;
/** The worker's default. */
const AGENT_SILENCE_LIMIT_MS = 20_000;

let database: DatabaseClient;
let redis: Redis;
let queue: ReconcileQueue;
let fleetQueue: FleetReconcileQueue;
let sweep: ReconcileSweep;

beforeAll(() => {
  database = createDatabaseClient(inject('databaseUrl'), 2);
  redis = new Redis(inject('redisUrl'));
  queue = new ReconcileQueue(redis, `test-sweep-${process.pid}`, HORIZON_MS);
  fleetQueue = new FleetReconcileQueue(redis, `test-sweep-${process.pid}`, HORIZON_MS);
  // The sweep writes no audit events: nothing is published.
  const audit = new AuditStore(database, { publish: () => Promise.resolve() });
  const rollouts = new RolloutStore(database);
  sweep = new ReconcileSweep(
    database,
    rollouts,
    new ExperimentStore(database, audit),
    new ClusterStore(database),
    queue,
    createLogger('test', 'warn'),
    AGENT_SILENCE_LIMIT_MS,
    { releases: new FleetReleaseStore(database, rollouts, audit), queue: fleetQueue },
    { publish: () => Promise.resolve() },
  );
});
afterAll(async () => {
  for (const each of [queue, fleetQueue]) {
    await each.queue.obliterate({ force: true });
    await each.close();
  }
  await Promise.allSettled([database.$disconnect(), redis.quit()]);
});

/** A settled rollout of a connected cluster that waits for `wakeAt` (a scale-down delay, say). */
async function settledRolloutWaitingFor(wakeAt: Date): Promise<string> {
  const label = `sweep-${process.pid}-${wakeAt.getTime()}`;
  const organization = await database.organization.create({ data: { name: label } });
  const cluster = await database.cluster.create({
    data: {
      organizationId: organization.id,
      name: 'staging',
      agentTokenHash: label,
      connectionState: 'Connected',
      lastHeartbeatAt: new Date(),
    },
  });
  const spec = {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: { spec: { containers: [{ name: 'web', image: 'web:1' }] } },
    strategy: { canary: {} },
  };
  const rollout = await database.rollout.create({
    data: {
      organizationId: organization.id,
      clusterId: cluster.id,
      namespace: 'shop',
      name: 'web',
      spec,
      phase: 'Healthy',
      generation: 1,
      observedGeneration: 1,
      nextReconcileAt: wakeAt,
    },
  });
  return rollout.id;
}

const wakeUpJob = (rolloutId: string, at: Date) => queue.queue.getJob(`${rolloutId}.t${at.getTime()}`);

describe('wake-ups beyond the horizon', () => {
  it('are left out of Redis until the sweep finds them within the horizon, then queued for their exact time', async () => {
    const now = new Date();
    const at = new Date(now.getTime() + HORIZON_MS + 15_000);
    const rolloutId = await settledRolloutWaitingFor(at);

    await queue.wakeAt(rolloutId, at, now);
    expect(await wakeUpJob(rolloutId, at)).toBeUndefined();
    await sweep.sweep(now);
    expect(await wakeUpJob(rolloutId, at)).toBeUndefined();

    const later = new Date(now.getTime() + 20_000);
    // Another sweeper may hold the sweep's lock for a moment: sweep again until this one ran.
    const job = await eventually(
      async () => {
        await sweep.sweep(later);
        return (await wakeUpJob(rolloutId, at)) ?? undefined;
      },
      10_000,
      'the wake-up queued by the sweep',
    );
    expect(job.data).toEqual({ rolloutId });
    expect(job.delay).toBe(at.getTime() - later.getTime());
  });

  it('are queued at once when within the horizon', async () => {
    const now = new Date();
    const at = new Date(now.getTime() + HORIZON_MS - 1_000);
    const rolloutId = await settledRolloutWaitingFor(at);
    await queue.wakeAt(rolloutId, at, now);
    expect((await wakeUpJob(rolloutId, at))?.delay).toBe(at.getTime() - now.getTime());
  });
});

describe('desired states an agent has not applied', () => {
  let api: TestApi;
  let agent: ConvergingAgent | undefined;
  let publisher: Redis;
  beforeAll(async () => {
    api = await startTestApi();
    publisher = new Redis(inject('redisUrl'));
  });
  afterEach(() => agent?.disconnect());
  afterAll(async () => {
    await publisher.quit();
    await api.close();
  });

  /** A sweep publishing on the API's bus, as the workers beside that API do. */
  function sweepPublishingToApi(): ReconcileSweep {
    const logger = createLogger('test', 'warn');
    const events = new EventBus(publisher, publisher, logger, api.environment.REDIS_PREFIX as string);
    const rollouts = new RolloutStore(database);
    const audit = new AuditStore(database, events);
    return new ReconcileSweep(
      database,
      rollouts,
      new ExperimentStore(database, audit),
      new ClusterStore(database),
      queue,
      logger,
      AGENT_SILENCE_LIMIT_MS,
      { releases: new FleetReleaseStore(database, rollouts, audit), queue: fleetQueue },
      events,
    );
  }

  const desiredState = (replicas: number) => ({
    replicaSets: [{ podTemplateHash: 'abc123', replicas, labels: { app: 'web' }, annotations: {}, template: { spec: { containers: [] } } }],
    services: {},
  });

  /** A settled rollout of the cluster at version 1 of its desired state. */
  const settledRollout = (organizationId: string, clusterId: string, name: string) =>
    database.rollout.create({
      data: {
        organizationId,
        clusterId,
        namespace: 'shop',
        name,
        spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [] } }, strategy: { canary: {} } },
        phase: 'Healthy',
        generation: 1,
        observedGeneration: 1,
        desiredState: desiredState(1),
        desiredVersion: 1,
      },
    });

  it('are sent again once they lagged for a sweep interval, so that an agent converges although the publish after the commit was lost', async () => {
    // Given an agent holding version 1 of a rollout's desired state, which it reported applied
    const org = await api.organization({ cluster: 'staging' });
    const cluster = await database.cluster.findFirstOrThrow({ where: { organizationId: org.id } });
    const rollout = await settledRollout(org.id, cluster.id, 'web');
    agent = new ConvergingAgent(api.url, org.agentTokens.staging as string);
    await agent.connect();
    const applied = async () => (await database.rollout.findUniqueOrThrow({ where: { id: rollout.id } })).appliedDesiredVersion;
    await eventually(async () => (await applied()) === 1 || undefined, 5_000, 'version 1 to be applied');

    // When version 2 is committed and its desiredStateChanged never published (its worker was killed in between)
    await database.rollout.update({ where: { id: rollout.id }, data: { desiredState: desiredState(3), desiredVersion: 2 } });
    const sweep = sweepPublishingToApi();

    // Then the sweeps find it lagging and, from the second sighting on, publish it again: the gateway holding the
    // agent's connection sends it and the agent applies it. (Another sweeper may hold the sweep's lock for a moment.)
    await eventually(
      async () => {
        await sweep.sweep();
        return agent?.desired.get('shop/web')?.desiredVersion === 2 || undefined;
      },
      10_000,
      'the agent to hold version 2',
    );
    expect(agent.desired.get('shop/web')?.state.replicaSets[0]?.replicas).toBe(3);
    await eventually(async () => (await applied()) === 2 || undefined, 5_000, 'version 2 to be applied');
  });

  it("of a standalone experiment are sent again too, so that an agent that lost the experiment's message converges", async () => {
    // Given an agent holding version 1 of a standalone experiment's desired state, which it reported applied
    const org = await api.organization({ cluster: 'staging' });
    const cluster = await database.cluster.findFirstOrThrow({ where: { organizationId: org.id } });
    const desiredState = (replicas: number) => ({
      replicaSets: [
        {
          name: 'ab-baseline',
          podTemplateHash: 'b4se1ine',
          replicas,
          labels: { app: 'ab', 'flotilla.io/experiment': 'ab', 'flotilla.io/experiment-template': 'baseline' },
          annotations: {},
          template: { spec: { containers: [] } },
        },
      ],
      services: {},
      experimentServices: [],
    });
    const experiment = await database.experiment.create({
      data: {
        organizationId: org.id,
        clusterId: cluster.id,
        namespace: 'shop',
        name: 'ab',
        spec: {
          templates: [{ name: 'baseline', replicas: 1, selector: { matchLabels: { app: 'ab' } }, template: { spec: { containers: [] } } }],
        },
        phase: 'Running',
        desiredState: desiredState(1),
        desiredVersion: 1,
      },
    });
    agent = new ConvergingAgent(api.url, org.agentTokens.staging as string);
    await agent.connect();
    const applied = async () => (await database.experiment.findUniqueOrThrow({ where: { id: experiment.id } })).appliedDesiredVersion;
    await eventually(async () => (await applied()) === 1 || undefined, 5_000, 'version 1 to be recorded as applied');

    // When version 2 is committed and published, and the agent loses the message
    agent.loseNext('desired');
    await database.experiment.update({ where: { id: experiment.id }, data: { desiredState: desiredState(2), desiredVersion: 2 } });
    const events = new EventBus(publisher, publisher, createLogger('test', 'warn'), api.environment.REDIS_PREFIX as string);
    const key = { namespace: 'shop', name: 'ab', kind: 'Experiment' as const };
    await events.publish('desiredStateChanged', { organizationId: org.id, payload: { clusterId: cluster.id, id: experiment.id, key } });
    await eventually(() => agent?.lost.length === 1 || undefined, 5_000, 'the agent to lose version 2');
    expect(agent.desired.get('shop/ab')?.desiredVersion).toBe(1);

    // Then the sweeps find it lagging and send it again, and the agent's report of it is recorded
    const sweep = sweepPublishingToApi();
    await eventually(
      async () => {
        await sweep.sweep();
        return agent?.desired.get('shop/ab')?.desiredVersion === 2 || undefined;
      },
      10_000,
      'the agent to hold version 2',
    );
    expect(agent.desired.get('shop/ab')?.rollout).toEqual(key);
    expect(agent.desired.get('shop/ab')?.state.replicaSets[0]?.replicas).toBe(2);
    await eventually(async () => (await applied()) === 2 || undefined, 5_000, 'version 2 to be recorded as applied');
  });

  it('of a deleted rollout are sent again until the agent confirms the removal, or its next snapshot leaves the rollout out', async () => {
    // Given an agent holding two rollouts
    const org = await api.organization({ cluster: 'staging' });
    const cluster = await database.cluster.findFirstOrThrow({ where: { organizationId: org.id } });
    await settledRollout(org.id, cluster.id, 'web');
    await settledRollout(org.id, cluster.id, 'api');
    agent = new ConvergingAgent(api.url, org.agentTokens.staging as string);
    await agent.connect();
    await eventually(() => agent?.desired.size === 2 || undefined, 5_000, 'the agent to hold both rollouts');
    const deleteRollout = (name: string) =>
      graphqlData(api.url, org.tokens.admin, 'mutation($rollout: RolloutRef!) { deleteRollout(rollout: $rollout) { name } }', {
        rollout: { cluster: 'staging', namespace: 'shop', name },
      });
    const deletionsPending = () => database.rolloutDeletion.count({ where: { clusterId: cluster.id } });

    // When web is deleted while the agent is away
    agent.disconnect();
    await deleteRollout('web');
    expect(await deletionsPending()).toBe(1);

    // Then its reconnection's snapshot removes web, and the deletion is no longer pending
    await agent.connect();
    await eventually(
      async () => (agent?.desired.has('shop/web') === false && (await deletionsPending()) === 0) || undefined,
      5_000,
      'web removed',
    );
    expect(agent.desired.has('shop/api')).toBe(true);

    // When api is deleted and the agent loses the deleted message
    agent.loseNext('deleted');
    await deleteRollout('api');
    await eventually(() => agent?.lost.length === 1 || undefined, 5_000, 'the agent to lose the deletion');
    expect(agent.desired.has('shop/api')).toBe(true);

    // Then the sweeps send it again, the agent removes api and confirms, and nothing is sent any more
    const sweep = sweepPublishingToApi();
    await eventually(
      async () => {
        await sweep.sweep();
        return agent?.desired.has('shop/api') === false || undefined;
      },
      10_000,
      'the agent to remove api',
    );
    await eventually(async () => (await deletionsPending()) === 0 || undefined, 5_000, 'the removal to be recorded');
  });
});

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ExperimentReconciler } from '../../apps/worker/src/experiments/experiment-reconciler.js';
import { EventBus } from '../../libs/events/src/event-bus.js';
import { AnalysisQueue } from '../../libs/queues/src/analysis-queue.js';
import { ReconcileQueue } from '../../libs/queues/src/reconcile-queue.js';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import { AuditStore } from '../../libs/stores/src/audit/audit-store.js';
import { ExperimentStore } from '../../libs/stores/src/experiments/experiment-store.js';
import type { DesiredRolloutState } from '../../libs/protocol/src/index.js';
import { graphqlData } from '../support/graphql-client.js';
import { startTestApi, type TestApi, type TestOrganization } from '../support/test-api.js';

let api: TestApi;
let org: TestOrganization;
let redis: Redis;
let reconciler: ExperimentReconciler;

const template = (name: string, image: string) => ({
  name,
  selector: { matchLabels: { app: 'checkout', role: name } },
  template: { metadata: { labels: { app: 'checkout', role: name } }, spec: { containers: [{ name: 'checkout', image }] } },
});

beforeAll(async () => {
  api = await startTestApi();
  org = await api.organization({ cluster: 'staging' });
  await api.database.cluster.updateMany({ where: { organizationId: org.id }, data: { connectionState: 'Connected' } });
  redis = new Redis(inject('redisUrl'));
  const prefix = api.environment.REDIS_PREFIX as string;
  const logger = createLogger('test', 'warn');
  const events = new EventBus(redis, redis, logger, prefix);
  reconciler = new ExperimentReconciler(
    new ExperimentStore(api.database, new AuditStore(api.database, events)),
    events,
    new ReconcileQueue(redis, prefix),
    new AnalysisQueue(redis, prefix),
    logger,
  );
});

afterAll(async () => {
  await redis.quit();
  await api.close();
});

describe('a terminated standalone experiment', () => {
  it('is carried out by its next reconcile: Successful, and a new desired state without its templates for the agent', async () => {
    const cluster = await api.database.cluster.findFirstOrThrow({ where: { organizationId: org.id, name: 'staging' } });
    const created = await api.database.experiment.create({
      data: {
        organizationId: org.id,
        clusterId: cluster.id,
        namespace: 'shop',
        name: 'side-by-side',
        spec: { scaleDownDelaySeconds: 0, templates: [template('baseline', 'shop/checkout:1'), template('canary', 'shop/checkout:2')] },
      },
    });
    expect(await reconciler.reconcile(created.id)).toEqual({ result: 'written' });
    const running = await api.database.experiment.findUniqueOrThrow({ where: { id: created.id } });
    expect((running.desiredState as unknown as DesiredRolloutState).replicaSets.map((replicaSet) => replicaSet.replicas)).toEqual([1, 1]);

    await graphqlData(
      api.url,
      org.tokens.deployer,
      'mutation { terminateExperiment(cluster: "staging", namespace: "shop", name: "side-by-side") { name } }',
    );
    expect(await reconciler.reconcile(created.id)).toEqual({ result: 'written' });
    const terminated = await api.database.experiment.findUniqueOrThrow({ where: { id: created.id } });
    expect(terminated.phase).toBe('Successful');
    // Nothing of it ran in the cluster yet, so its ReplicaSets go at once rather than scaling to zero first.
    expect((terminated.desiredState as unknown as DesiredRolloutState).replicaSets).toEqual([]);
    expect(terminated.desiredVersion).toBe(running.desiredVersion + 1);
  });
});

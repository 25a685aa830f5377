import {
  createLogger,
  createRedisConnection,
  loadSettings,
  port,
  readControlPlaneSettings,
  redisTargetEnvironment,
} from '@flotilla/service-runtime';
import { ApiTokenStore, AuditStore, createDatabaseClient, OrganizationStore, systemScope } from '@flotilla/stores';
import { EventBus } from '@flotilla/events';
import { formatMs, graphqlRequest, measureLatency, startProcess, withScratchDatabase } from './bench-support.js';

/**
 * API latency against the real database: the first page (100) of `rollouts` with 10,000 rollouts stored,
 * and `applyManifests` of a one-Rollout document. The API runs as its own process; requests go over HTTP.
 */
const STORED_ROLLOUTS = 10_000;
const SAMPLES = 300;
const GOALS = { listP99: 50, applyP99: 100 };

const log = (message: string): void => void process.stderr.write(`[bench:api] ${message}\n`);

function rolloutSpec(name: string, image: string): object {
  return {
    replicas: 5,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
    strategy: {
      canary: {
        steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 40 }, { pause: { duration: '10s' } }, { setWeight: 60 }, { setWeight: 80 }],
      },
    },
  };
}

const rolloutYaml = (name: string, image: string): string => `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: ${name}
spec: ${JSON.stringify(rolloutSpec(name, image))}
`;

async function post(url: string, token: string, query: string, variables: object): Promise<void> {
  await graphqlRequest(url, token, query, variables);
}

const baseConfig = loadSettings((environment, problems) => ({
  ...readControlPlaneSettings(environment, problems),
  port: port(environment, 'BENCH_PORT', 3901, problems),
}));
await withScratchDatabase(baseConfig.databaseUrl, 'api', async (databaseUrl) => {
  const logger = createLogger('bench', 'warn');
  const database = createDatabaseClient(databaseUrl, 4);
  const publisher = createRedisConnection(baseConfig.redis);
  const subscriber = createRedisConnection(baseConfig.redis);
  const audit = new AuditStore(database, new EventBus(publisher, subscriber, logger, baseConfig.redisPrefix));
  const organizations = new OrganizationStore(database, audit, new ApiTokenStore(database, audit));
  const { organization, secret } = await organizations.create(systemScope('bench'), 'bench', { name: 'bench', role: 'admin' });
  const cluster = await database.cluster.create({
    data: { organizationId: organization.id, name: 'bench', agentTokenHash: 'bench-unused' },
  });

  log(`storing ${STORED_ROLLOUTS} rollouts`);
  for (let offset = 0; offset < STORED_ROLLOUTS; offset += 1000) {
    await database.rollout.createMany({
      data: Array.from({ length: 1000 }, (_, index) => {
        const name = `app-${String(offset + index).padStart(5, '0')}`;
        return {
          organizationId: organization.id,
          clusterId: cluster.id,
          namespace: `team-${(offset + index) % 40}`,
          name,
          labels: { app: name },
          spec: rolloutSpec(name, 'demo:1'),
          phase: 'Healthy',
        };
      }),
    });
  }
  await database.$executeRawUnsafe('ANALYZE');

  const api = await startProcess(
    'apps/api/dist/main.js',
    { DATABASE_URL: databaseUrl, ...redisTargetEnvironment(baseConfig.redis), PORT: String(baseConfig.port) },
    async () => (await fetch(`http://127.0.0.1:${baseConfig.port}/readyz`)).ok,
  );
  const url = `http://127.0.0.1:${baseConfig.port}`;
  try {
    const listQuery =
      'query { rollouts(page: { first: 100 }) { nodes { id cluster namespace name phase generation images stepCount } pageInfo { endCursor hasNextPage } } }';
    for (let warm = 0; warm < 20; warm += 1) await post(url, secret, listQuery, {});
    log(`listing the first page of 100, ${SAMPLES} times`);
    const list = await measureLatency(
      SAMPLES,
      () => post(url, secret, listQuery, {}),
      (done) => log(`  ${done}/${SAMPLES}`),
    );

    const applyMutation =
      'mutation($yaml: String!) { applyManifests(cluster: "bench", namespace: "apply", yaml: $yaml) { action generation } }';
    for (let warm = 0; warm < 20; warm += 1) await post(url, secret, applyMutation, { yaml: rolloutYaml(`warm-${warm}`, 'demo:1') });
    log(`applying a one-Rollout document, ${SAMPLES} times (half new rollouts, half spec changes)`);
    const apply = await measureLatency(
      SAMPLES,
      (index) => post(url, secret, applyMutation, { yaml: rolloutYaml(`bench-${Math.floor(index / 2)}`, `demo:${index}`) }),
      (done) => log(`  ${done}/${SAMPLES}`),
    );

    const verdict = (p99: number, goal: number): string =>
      p99 < goal ? `meets the goal of p99 < ${goal} ms` : `MISSES the goal of p99 < ${goal} ms`;
    process.stdout.write(
      [
        '',
        `bench:api (${STORED_ROLLOUTS} rollouts stored, ${SAMPLES} samples each, API in its own process over HTTP)`,
        `  rollouts first page (100)       p50 ${formatMs(list.p50)}  p99 ${formatMs(list.p99)}  max ${formatMs(list.max)}  ${verdict(list.p99, GOALS.listP99)}`,
        `  applyManifests (one Rollout)    p50 ${formatMs(apply.p50)}  p99 ${formatMs(apply.p99)}  max ${formatMs(apply.max)}  ${verdict(apply.p99, GOALS.applyP99)}`,
        '',
      ].join('\n'),
    );
  } finally {
    api.kill('SIGTERM');
    await Promise.allSettled([database.$disconnect(), publisher.quit(), subscriber.quit()]);
  }
});

import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { E2eSystem } from '../support/e2e-system.js';
import { E2eNamespace } from '../support/e2e-rollouts.js';
import { eventually } from '../support/processes.js';
import type { SimulatedObject } from '../support/simulator-client.js';

/**
 * A wave's pooled analysis across four clusters, each process real: the simulator, the API, a worker and an agent
 * per cluster. Each cluster's agent reads its own token from a Secret in its cluster (secrets stay there), and the
 * metric endpoint served here answers each token with that cluster's error counts: so the clusters measure the same
 * URL and each sees its own value, which the pooled measurement lists.
 */
const CLUSTERS = { 'ap-1': { env: 'prod' }, 'eu-1': { env: 'prod' }, 'sa-1': { env: 'prod' }, 'us-1': { env: 'prod' } } as const;
type Cluster = keyof typeof CLUSTERS;
const ALL = Object.keys(CLUSTERS) as Cluster[];
// Short enough that the silent cluster's scenario ends soon, long enough for every answer on a busy machine.
const MEASUREMENT_TIMEOUT_SECONDS = 10;
const SCENARIO_TIMEOUT_MS = 240_000;

interface ReleaseView {
  number: number;
  phase: string;
  message: string;
  waves: { name: string; phase: string; gates: { gate: string; state: string; message: string }[] }[];
  analysisRuns: {
    name: string;
    phase: string;
    message: string;
    cluster: string | null;
    clusters: string[];
    measurements: {
      metricName: string;
      index: number;
      cluster: string | null;
      phase: string;
      value: string | null;
      message: string | null;
    }[];
  }[];
}
const RELEASE_FIELDS = `number phase message waves { name phase gates { gate state message } }
  analysisRuns { name phase message cluster clusters measurements { metricName index cluster phase value message } }`;

let system: E2eSystem;
let metrics: Server;
let metricsUrl = '';
/** Each token's errors and requests, by the token its cluster's Secret holds. */
const counts = new Map<string, { errors: number; requests: number }>();

beforeAll(async () => {
  metrics = createServer((request, response) => {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const measured = counts.get(token);
    if (!measured) {
      response.writeHead(401).end();
      return;
    }
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(measured));
  });
  await new Promise<void>((resolve) => metrics.listen(0, '127.0.0.1', resolve));
  metricsUrl = `http://127.0.0.1:${(metrics.address() as AddressInfo).port}`;
  system = await E2eSystem.start({
    clusters: CLUSTERS,
    podReadyDelayMs: 200,
    workerEnvironment: { MEASUREMENT_TIMEOUT_SECONDS: String(MEASUREMENT_TIMEOUT_SECONDS) },
  });
}, 90_000);

afterAll(async () => {
  await system?.stop();
  await new Promise<void>((resolve) => metrics.close(() => resolve()));
});

/** An application in every cluster, its own token per cluster, a ClusterAnalysisTemplate of `condition` and a FleetRollout of one pooled wave. */
async function pooledApp(prefix: string, condition: string, errorsAndRequests: Record<Cluster, [number, number]>) {
  const name = `${prefix}-${randomUUID().slice(0, 6)}`;
  const spaces = await Promise.all(ALL.map((cluster) => E2eNamespace.named(system, cluster, name)));
  await Promise.all(
    spaces.map(async (space, position) => {
      const cluster = ALL[position] as Cluster;
      const token = `${name}-${cluster}-token`;
      const [errors, requests] = errorsAndRequests[cluster];
      counts.set(token, { errors, requests });
      await space.seed({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'metrics-token' },
        type: 'Opaque',
        data: { token: Buffer.from(token).toString('base64') },
      } as unknown as SimulatedObject);
      await space.applyManifests(
        stringify({
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          metadata: { name },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: `shop/${name}:1` }] } },
            strategy: { canary: { steps: [{ setWeight: 100 }] } },
          },
        }),
      );
      await space.waitForPhase(name, 'Healthy');
    }),
  );
  const template = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ClusterAnalysisTemplate',
    metadata: { name: `${name}-errors` },
    spec: {
      args: [{ name: 'api-token', valueFrom: { secretKeyRef: { name: 'metrics-token', key: 'token' } } }],
      metrics: [
        {
          name: 'error-rate',
          initialDelay: '2s',
          count: 1,
          consecutiveErrorLimit: 0,
          successCondition: condition,
          provider: {
            web: { url: `${metricsUrl}/errors`, headers: [{ key: 'Authorization', value: 'Bearer {{args.api-token}}' }], jsonPath: '{$}' },
          },
        },
      ],
    },
  };
  const fleetRollout = {
    apiVersion: 'flotilla.io/v1alpha1',
    kind: 'FleetRollout',
    metadata: { name },
    spec: {
      rollout: { namespace: name, name },
      failurePolicy: 'halt',
      waves: [
        { name: 'first-production', analysis: { templates: [{ templateName: `${name}-errors`, clusterScope: true }], pooled: true } },
      ],
    },
  };
  // Admin: a ClusterAnalysisTemplate is applied through any cluster and namespace and kept for the organization; the
  // FleetRollout, without either. The template first: the FleetRollout's pooled analysis must name one that exists.
  await system.graphql(
    system.tokens.admin,
    'mutation($c: String!, $n: String!, $yaml: String!) { applyManifests(cluster: $c, namespace: $n, yaml: $yaml) { name } }',
    { c: ALL[0], n: name, yaml: stringify(template) },
  );
  await system.graphql(system.tokens.admin, 'mutation($yaml: String!) { applyManifests(yaml: $yaml) { name } }', {
    yaml: stringify(fleetRollout),
  });
  const release = async (): Promise<void> => {
    await system.graphql(
      system.tokens.deployer,
      'mutation($f: String!, $image: String!) { releaseFleet(fleetRollout: $f, image: $image, container: "app", reason: "pooled analysis") { number } }',
      { f: name, image: `shop/${name}:2` },
    );
  };
  const current = async (): Promise<ReleaseView> => {
    const data = await system.graphql<{ fleetRelease: ReleaseView | null }>(
      system.tokens.deployer,
      `query($f: String!) { fleetRelease(fleetRollout: $f) { ${RELEASE_FIELDS} } }`,
      { f: name },
    );
    if (!data.fleetRelease) throw new Error(`${name} has no release`);
    return data.fleetRelease;
  };
  const waitFor = async (what: string, condition: (view: ReleaseView) => boolean): Promise<ReleaseView> => {
    let last: ReleaseView | undefined;
    try {
      return await eventually(
        async () => {
          last = await current();
          return condition(last) ? last : undefined;
        },
        180_000,
        what,
      );
    } catch (error) {
      throw new Error(`${what}: the release stands at ${JSON.stringify(last)}`, { cause: error });
    }
  };
  return { name, release, waitFor };
}

const pooledRunOf = (view: ReleaseView) => view.analysisRuns.find((run) => run.cluster === null);
const gate = (view: ReleaseView, name: string) => view.waves[0]?.gates.find((each) => each.gate === name);

describe('a wave with pooled analysis across four clusters', () => {
  it(
    "halts the release when the fleet is over its error budget, although each cluster's own sample would pass",
    async () => {
      const app = await pooledApp('over-budget', 'sum(map(result, {#.value.errors})) < 10', {
        'ap-1': [4, 100],
        'eu-1': [4, 100],
        'sa-1': [4, 100],
        'us-1': [4, 100],
      });
      await app.release();
      const halted = await app.waitFor('the release halted by its pooled analysis', (view) => view.phase === 'Halted');
      expect(halted.message).toContain('failed: pooled analysis Failed');
      expect(gate(halted, 'healthy')?.state).toBe('Passed');
      expect(gate(halted, 'analysis')?.state).toBe('Failed');
      const run = pooledRunOf(halted);
      expect(run).toMatchObject({ phase: 'Failed', clusters: ALL });
      const pooled = run?.measurements.find((measurement) => measurement.cluster === null);
      expect(pooled?.phase).toBe('Failed');
      expect(JSON.parse(pooled?.value ?? 'null')).toEqual(ALL.map((cluster) => ({ cluster, value: { errors: 4, requests: 100 } })));
      expect(run?.measurements.filter((measurement) => measurement.cluster !== null).map((measurement) => measurement.cluster)).toEqual(
        ALL,
      );
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'passes the wave when the fleet is under 1 %, although one cluster alone is over it',
    async () => {
      const app = await pooledApp('under-one-percent', 'sum(map(result, {#.value.errors})) / sum(map(result, {#.value.requests})) < 0.01', {
        'ap-1': [3, 100],
        'eu-1': [0, 10_000],
        'sa-1': [1, 5_000],
        'us-1': [0, 1_000],
      });
      await app.release();
      const succeeded = await app.waitFor('the release to succeed', (view) => view.phase === 'Succeeded');
      expect(gate(succeeded, 'analysis')?.state).toBe('Passed');
      expect(pooledRunOf(succeeded)?.phase).toBe('Successful');
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'makes the pooled measurement an Error when a cluster does not answer, and halts the release',
    async () => {
      const app = await pooledApp('silent-cluster', 'all(result, {#.value.errors < 10})', {
        'ap-1': [0, 100],
        'eu-1': [0, 100],
        'sa-1': [0, 100],
        'us-1': [0, 100],
      });
      await app.release();
      // The run exists once every member is released; sa-1's agent goes away before the first moment (2 s later).
      await app.waitFor('the pooled run to be made', (view) => pooledRunOf(view) !== undefined);
      await system.killAgent('sa-1');
      const halted = await app.waitFor('the release halted by the missing answer', (view) => view.phase === 'Halted');
      expect(halted.message).toContain('pooled analysis Error');
      const pooled = pooledRunOf(halted)?.measurements.find((measurement) => measurement.cluster === null);
      expect(pooled).toMatchObject({
        phase: 'Error',
        message: `sa-1: no answer from the cluster's agent within ${MEASUREMENT_TIMEOUT_SECONDS} s`,
      });
    },
    SCENARIO_TIMEOUT_MS,
  );
});

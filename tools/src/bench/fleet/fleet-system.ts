import type { ChildProcess } from 'node:child_process';
import { QueueEvents } from 'bullmq';
import { ANALYSIS_QUEUE_NAME, isWakeUpJobId, RECONCILE_QUEUE_NAME, ReconcileQueue } from '@flotilla/queues';
import { createRedisConnection, redisTargetEnvironment, type RedisTarget } from '@flotilla/service-runtime';
import type { Redis } from 'ioredis';
import { graphqlRequest, startProcess, stopProcess } from '../control-plane/bench-support.js';
import { analysisTemplateManifest, FLEET_NAMESPACE, rolloutManifest, type FleetRollout } from './fleet-plan.js';
import type { SimulatedCluster } from './fleet-sim-ipc.js';

export interface ControlPlaneProcesses {
  apis: { url: string; process: ChildProcess }[];
  workers: ChildProcess[];
}

export interface ControlPlaneOptions {
  databaseUrl: string;
  redisTarget: RedisTarget;
  redisPrefix: string;
  replicas: number;
  firstPort: number;
  redis: Redis;
  /** Extra `node` arguments of the API and worker processes, such as `--cpu-prof`. */
  nodeArguments?: readonly string[];
}

/** `replicas` API processes (on consecutive ports) and as many workers, on one database and Redis prefix. */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlaneProcesses> {
  const shared = { DATABASE_URL: options.databaseUrl, ...redisTargetEnvironment(options.redisTarget), REDIS_PREFIX: options.redisPrefix };
  const started: ControlPlaneProcesses = { apis: [], workers: [] };
  const queue = new ReconcileQueue(options.redis, options.redisPrefix);
  try {
    for (let index = 0; index < options.replicas; index++) {
      const url = `http://127.0.0.1:${options.firstPort + index}`;
      const api = await startProcess(
        'apps/api/dist/main.js',
        { ...shared, PORT: String(options.firstPort + index) },
        async () => (await fetch(`${url}/readyz`)).ok,
        options.nodeArguments,
      );
      started.apis.push({ url, process: api });
    }
    for (let count = 1; count <= options.replicas; count++)
      started.workers.push(
        await startProcess(
          'apps/worker/dist/main.js',
          shared,
          async () => (await queue.queue.getWorkersCount()) >= count,
          options.nodeArguments,
        ),
      );
    return started;
  } catch (error) {
    await stopControlPlane(started);
    throw error;
  } finally {
    await queue.close();
  }
}

export async function stopControlPlane(processes: ControlPlaneProcesses): Promise<void> {
  await Promise.all([...processes.apis.map((api) => stopProcess(api.process)), ...processes.workers.map((worker) => stopProcess(worker))]);
}

const APPLY_BATCH = 100;
const yamlOf = (documents: readonly object[]): string => documents.map((document) => JSON.stringify(document)).join('\n---\n');

/**
 * Registers each cluster through the API, as a user would, and answers its agent token with the API its virtual
 * agent connects to (the clusters are split evenly over the APIs).
 */
export async function registerClusters(
  apiUrls: readonly string[],
  adminToken: string,
  names: readonly string[],
): Promise<SimulatedCluster[]> {
  const clusters: SimulatedCluster[] = [];
  for (const [index, name] of names.entries()) {
    const registered = await graphqlRequest<{ registerCluster: { agentToken: string } }>(
      apiUrls[0] as string,
      adminToken,
      'mutation($name: String!) { registerCluster(name: $name) { agentToken } }',
      { name },
    );
    clusters.push({ name, apiUrl: apiUrls[index % apiUrls.length] as string, token: registered.registerCluster.agentToken });
  }
  return clusters;
}

/** Applies the analysis template and every rollout of the layout at image version 0, cluster by cluster. */
export async function applyFleet(apiUrl: string, adminToken: string, layout: readonly FleetRollout[]): Promise<void> {
  const byCluster = new Map<string, FleetRollout[]>();
  for (const rollout of layout) byCluster.set(rollout.cluster, [...(byCluster.get(rollout.cluster) ?? []), rollout]);
  const apply = (cluster: string, documents: readonly object[]): Promise<unknown> =>
    graphqlRequest(
      apiUrl,
      adminToken,
      'mutation($cluster: String!, $ns: String!, $yaml: String!) { applyManifests(cluster: $cluster, namespace: $ns, yaml: $yaml) { action } }',
      { cluster, ns: FLEET_NAMESPACE, yaml: yamlOf(documents) },
    );
  for (const [cluster, rollouts] of byCluster) {
    await apply(cluster, [analysisTemplateManifest()]);
    for (let offset = 0; offset < rollouts.length; offset += APPLY_BATCH)
      await apply(
        cluster,
        rollouts.slice(offset, offset + APPLY_BATCH).map((rollout) => rolloutManifest(rollout, 0)),
      );
  }
}

/**
 * Counts the jobs the workers finish and fail, from the queues' event streams; the reconcile jobs also by what they
 * answered (`written`, `unchanged`, `held`, `gone`) and whether they were wake-ups.
 */
export class JobCounter {
  completedReconciles = 0;
  completedWakeUps = 0;
  readonly reconcileOutcomes = new Map<string, number>();
  failedJobs = 0;
  private readonly streams: QueueEvents[];
  private readonly connections: Redis[] = [];

  constructor(target: RedisTarget, prefix: string) {
    const connection = (): Redis => {
      const opened = createRedisConnection(target, { forWorkers: true });
      this.connections.push(opened);
      return opened;
    };
    const reconcile = new QueueEvents(RECONCILE_QUEUE_NAME, { connection: connection(), prefix });
    const analysis = new QueueEvents(ANALYSIS_QUEUE_NAME, { connection: connection(), prefix });
    reconcile.on('completed', ({ jobId, returnvalue }) => {
      this.completedReconciles += 1;
      if (isWakeUpJobId(jobId)) this.completedWakeUps += 1;
      const outcome = String(returnvalue);
      this.reconcileOutcomes.set(outcome, (this.reconcileOutcomes.get(outcome) ?? 0) + 1);
    });
    for (const stream of [reconcile, analysis]) stream.on('failed', () => (this.failedJobs += 1));
    this.streams = [reconcile, analysis];
  }

  async ready(): Promise<void> {
    await Promise.all(this.streams.map((stream) => stream.waitUntilReady()));
  }

  async close(): Promise<void> {
    await Promise.all(this.streams.map((stream) => stream.close()));
    for (const connection of this.connections) connection.disconnect();
  }
}

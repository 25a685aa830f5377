import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { redisTargetEnvironment, type RedisTarget } from '../../libs/service-runtime/src/config/redis-target.js';
import { createRedisConnection } from '../../libs/service-runtime/src/redis.js';
import { createDatabaseClient, type DatabaseClient } from '../../libs/stores/src/database/database.js';
import { alive, createOrganizationWithAdmin, startApiProcess } from './api-process.js';
import { graphqlData } from './graphql-client.js';
import { eventually, exitOf, freePort, startNodeProcess, stopProcess, type ProcessExit } from './processes.js';
import { SimulatedClusterClient } from './simulator-client.js';
import type { E2eFront } from './haproxy.js';

/** The clusters a system has unless told otherwise, by name, with their labels. */
export const E2E_CLUSTERS: Readonly<Record<string, Record<string, string>>> = { staging: {}, production: {} };
export type E2eCluster = string;

export interface E2eOptions {
  /** Worker processes started with the system. */
  workers?: number;
  /** API processes (replicas) started with the system; 1 unless told. */
  apis?: number;
  /** What clients and agents reach the APIs through (a load balancer), started once the APIs are ready. */
  front?: (apiUrls: readonly string[], directory: string) => Promise<E2eFront>;
  /** Time from a pod's creation to Ready in the simulator. */
  podReadyDelayMs?: number;
  /** The Postgres and Redis the processes use; this run's shared database and Redis unless told. */
  databaseUrl?: string;
  redis?: RedisTarget;
  /** Settings added to (or overriding) the API's, every worker's and every agent's environment. */
  apiEnvironment?: Record<string, string>;
  workerEnvironment?: Record<string, string>;
  agentEnvironment?: Record<string, string>;
  /** The simulated clusters, by name, with the labels they are registered with; `E2E_CLUSTERS` unless told. */
  clusters?: Readonly<Record<string, Record<string, string>>>;
}

/** A running worker process and the addresses of its health and metrics endpoints. */
export interface E2eWorker {
  process: ChildProcess;
  healthUrl: string;
  metricsUrl: string;
}

/** Short enough for tests to see a crash or a lost job within seconds, long enough for a loaded 2-core machine. */
const WORKER_ENVIRONMENT = { SWEEP_INTERVAL_MS: '500', JOB_LOCK_MS: '2000', WORKER_CONCURRENCY: '4', AGENT_SILENCE_LIMIT_MS: '15000' };
const AGENT_ENVIRONMENT = {
  FLOTILLA_OBSERVE_DEBOUNCE_MS: '50',
  FLOTILLA_RECONNECT_BASE_MS: '100',
  FLOTILLA_RECONNECT_MAX_SECONDS: '1',
  FLOTILLA_UNAUTHENTICATED_RETRY_SECONDS: '1',
};

const processLogLevel = (name: string): string => process.env[`E2E_${name}_LOG_LEVEL`] ?? process.env.TEST_PROCESS_LOG_LEVEL ?? 'warn';

/**
 * The whole system as separate processes talking over real sockets: the Kubernetes simulator with its clusters
 * (`staging` and `production` unless told), the API, workers, and one agent per cluster; an organization with an
 * admin and a deployer token, every cluster registered with its labels. Whatever was started is stopped by `stop()`, also after a failed start.
 */
export class E2eSystem {
  readonly redisPrefix = `e2e-${randomUUID().slice(0, 8)}`;
  /** The name of the organization the system's tokens belong to. */
  readonly organizationName = `e2e-${randomUUID().slice(0, 8)}`;
  private readonly clusterClients = new Map<E2eCluster, SimulatedClusterClient>();
  readonly tokens = { admin: '', deployer: '' };
  database!: DatabaseClient;
  private directory = '';
  private simulator: ChildProcess | undefined;
  /** Each API replica's process (undefined while it is down) and its own addresses. */
  private readonly apis: { child: ChildProcess | undefined; url: string; metricsUrl: string }[] = [];
  private front: E2eFront | undefined;
  private readonly workers = new Set<E2eWorker>();
  private readonly agents = new Map<E2eCluster, ChildProcess>();
  private readonly agentTokens = new Map<E2eCluster, string>();
  private readonly kubeconfigs = new Map<E2eCluster, string>();

  private constructor(private readonly options: E2eOptions) {}

  /** The names of the system's clusters. */
  get clusterNames(): E2eCluster[] {
    return Object.keys(this.options.clusters ?? E2E_CLUSTERS);
  }

  /** The health endpoints (`/healthz`, `/readyz`) of the workers running. */
  get workerHealthUrls(): string[] {
    return [...this.workers].map((worker) => worker.healthUrl);
  }

  /** The metrics endpoints (`/metrics`) of the workers running. */
  get workerMetricsUrls(): string[] {
    return [...this.workers].map((worker) => worker.metricsUrl);
  }

  /** The Kubernetes API of one of the system's clusters. */
  cluster(name: E2eCluster): SimulatedClusterClient {
    const client = this.clusterClients.get(name);
    if (!client) throw new Error(`the system has no cluster ${name}; it has ${this.clusterNames.join(', ')}`);
    return client;
  }

  get databaseUrl(): string {
    return this.options.databaseUrl ?? inject('databaseUrl');
  }

  get redis(): RedisTarget {
    return this.options.redis ?? { url: inject('redisUrl') };
  }

  private get environment(): Record<string, string> {
    return { DATABASE_URL: this.databaseUrl, ...redisTargetEnvironment(this.redis), REDIS_PREFIX: this.redisPrefix };
  }

  static async start(options: E2eOptions = {}): Promise<E2eSystem> {
    const system = new E2eSystem(options);
    try {
      await system.startAll(options);
      return system;
    } catch (error) {
      await system.stop();
      throw error;
    }
  }

  /** Where clients and agents reach the control plane: the front when there is one, else the first API. */
  get apiUrl(): string {
    return this.front?.url ?? this.apis[0]?.url ?? '';
  }

  /** Each API replica's own address, bypassing the front. */
  get apiUrls(): string[] {
    return this.apis.map((api) => api.url);
  }

  /** Each API replica's metrics endpoint (`/metrics`), by index. */
  get apiMetricsUrls(): string[] {
    return this.apis.map((api) => api.metricsUrl);
  }

  private async startAll(options: E2eOptions): Promise<void> {
    this.directory = await mkdtemp(join(tmpdir(), 'flotilla-e2e-'));
    this.database = createDatabaseClient(this.databaseUrl, 4);
    const replicas = Array.from({ length: options.apis ?? 1 }, (_, index) => index);
    await Promise.all([this.startSimulator(options.podReadyDelayMs ?? 300), ...replicas.map((index) => this.startApi(index))]);
    if (options.front) this.front = await options.front(this.apiUrls, this.directory);
    await this.createOrganization();
    for (let index = 0; index < (options.workers ?? 1); index += 1) await this.startWorker();
    const labelsOf = options.clusters ?? E2E_CLUSTERS;
    for (const cluster of this.clusterNames) {
      const registered = await this.graphql<{ registerCluster: { agentToken: string } }>(
        this.tokens.admin,
        'mutation($name: String!, $labels: JSON) { registerCluster(name: $name, labels: $labels) { agentToken } }',
        { name: cluster, labels: labelsOf[cluster] },
      );
      this.agentTokens.set(cluster, registered.registerCluster.agentToken);
      this.startAgent(cluster);
    }
    // Agents start cold (a Node process each, with the Kubernetes client to load): on a busy machine that takes a while.
    for (const cluster of this.clusterNames) await this.waitForConnectionState(cluster, 'Connected', 60_000);
  }

  private async startSimulator(podReadyDelayMs: number): Promise<void> {
    const kubeconfigDirectory = join(this.directory, 'kube');
    const simulator = startNodeProcess('libs/kube-sim/dist/main.js', {}, [
      '--port',
      '0',
      '--clusters',
      this.clusterNames.join(','),
      '--kubeconfig-dir',
      kubeconfigDirectory,
      '--pod-ready-delay-ms',
      String(podReadyDelayMs),
      '--log-level',
      processLogLevel('SIMULATOR'),
    ]);
    this.simulator = simulator;
    for (const cluster of this.clusterNames) {
      const path = join(kubeconfigDirectory, `${cluster}.yaml`);
      const text = await eventually(
        async () => {
          alive(simulator, 'the Kubernetes simulator');
          return (await readFile(path, 'utf8').catch(() => '')) || undefined;
        },
        15_000,
        `the simulator's kubeconfig ${path}`,
      );
      this.kubeconfigs.set(cluster, path);
      this.clusterClients.set(cluster, SimulatedClusterClient.fromKubeconfig(text));
    }
  }

  /** Starts API replica `index`, on the ports it had before when it is started again, so that agents find it where they left it. */
  async startApi(index = 0): Promise<void> {
    const known = this.apis[index];
    const api = await startApiProcess(
      { ...this.environment, AGENT_HEARTBEAT_SECONDS: '1', LOG_LEVEL: processLogLevel('API'), ...this.options.apiEnvironment },
      known ? { port: Number(new URL(known.url).port), metricsPort: Number(new URL(known.metricsUrl).port) } : {},
    );
    this.apis[index] = { child: api.child, url: api.url, metricsUrl: api.metricsUrl };
  }

  private async createOrganization(): Promise<void> {
    this.tokens.admin = await createOrganizationWithAdmin(this.database, this.redis, this.redisPrefix, this.organizationName);
    const deployer = await this.graphql<{ createApiToken: { secret: string } }>(
      this.tokens.admin,
      'mutation { createApiToken(name: "deployer", role: deployer) { secret } }',
    );
    this.tokens.deployer = deployer.createApiToken.secret;
  }

  async startWorker(): Promise<E2eWorker> {
    const [healthPort, metricsPort] = [await freePort(), await freePort()];
    const child = startNodeProcess('apps/worker/dist/main.js', {
      ...this.environment,
      ...WORKER_ENVIRONMENT,
      WORKER_HEALTH_PORT: String(healthPort),
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: processLogLevel('WORKER'),
      ...this.options.workerEnvironment,
    });
    const worker = { process: child, healthUrl: `http://127.0.0.1:${healthPort}`, metricsUrl: `http://127.0.0.1:${metricsPort}` };
    this.workers.add(worker);
    child.once('exit', () => this.workers.delete(worker));
    return worker;
  }

  /** `kill -9` of one running worker: no goodbye to anyone, its jobs locked until their lock expires. */
  async killWorker(): Promise<void> {
    const [worker] = this.workers;
    if (!worker) throw new Error('no worker is running');
    await stopProcess(worker.process, 'SIGKILL');
  }

  get workerCount(): number {
    return this.workers.size;
  }

  /** The workers running now, oldest first. */
  get runningWorkers(): readonly E2eWorker[] {
    return [...this.workers];
  }

  /** `kill -9` of API replica `index`: every agent, subscription and request on it loses its connection at once. */
  async killApi(index = 0): Promise<void> {
    const api = this.apis[index];
    if (api?.child) await stopProcess(api.child, 'SIGKILL');
    if (api) api.child = undefined;
  }

  /**
   * Sends API replica `index` `signal` and waits at most `timeoutMs` for it to exit: how it exited, or undefined
   * while it still runs.
   */
  async signalApi(signal: NodeJS.Signals, timeoutMs: number, index = 0): Promise<ProcessExit | undefined> {
    const api = this.apis[index]?.child;
    if (!api) throw new Error(`API replica ${index} is not running`);
    api.kill(signal);
    return exitOf(api, timeoutMs);
  }

  get apiProcessId(): number | undefined {
    return this.apis[0]?.child?.pid;
  }

  startAgent(cluster: E2eCluster): void {
    const agent = startNodeProcess('apps/agent/dist/main.js', {
      ...AGENT_ENVIRONMENT,
      FLOTILLA_URL: this.apiUrl,
      FLOTILLA_AGENT_TOKEN: this.agentTokens.get(cluster) ?? '',
      KUBECONFIG: this.kubeconfigs.get(cluster) ?? '',
      LOG_LEVEL: processLogLevel('AGENT'),
      ...this.options.agentEnvironment,
    });
    this.agents.set(cluster, agent);
  }

  /** `kill -9` of a cluster's agent: its socket closes without a goodbye. */
  async killAgent(cluster: E2eCluster): Promise<void> {
    const agent = this.agents.get(cluster);
    if (agent) await stopProcess(agent, 'SIGKILL');
    this.agents.delete(cluster);
  }

  async connectionState(cluster: E2eCluster): Promise<string> {
    const data = await this.graphql<{ cluster: { connectionState: string } }>(
      this.tokens.deployer,
      'query($name: String!) { cluster(name: $name) { connectionState } }',
      { name: cluster },
    );
    return data.cluster.connectionState;
  }

  async waitForConnectionState(cluster: E2eCluster, state: 'Connected' | 'Disconnected', timeoutMs = 15_000): Promise<void> {
    await eventually(async () => (await this.connectionState(cluster)) === state, timeoutMs, `cluster ${cluster} to be ${state}`);
  }

  /**
   * Deletes every Redis key of this system. Never FLUSHALL: other test files run their systems against the
   * same Redis at the same time, each under its own prefix.
   */
  async deleteRedisKeys(): Promise<number> {
    const redis = createRedisConnection(this.redis);
    try {
      let deleted = 0;
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.redisPrefix}:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) deleted += await redis.del(...keys);
      } while (cursor !== '0');
      return deleted;
    } finally {
      await redis.quit();
    }
  }

  graphql<D>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<D> {
    return graphqlData<D>(this.apiUrl, token, query, variables);
  }

  async stop(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((agent) => stopProcess(agent)));
    await Promise.all([...this.workers].map((worker) => stopProcess(worker.process)));
    await this.front?.stop();
    const children = [...this.apis.map((api) => api.child), this.simulator];
    await Promise.all(children.flatMap((child) => (child ? [stopProcess(child)] : [])));
    await this.deleteRedisKeys().catch(() => 0);
    await this.database?.$disconnect();
    if (this.directory) await rm(this.directory, { recursive: true, force: true });
  }
}

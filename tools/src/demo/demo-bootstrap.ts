import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { readKubeconfig } from '@flotilla/kube-sim';
import { Agent, fetch, type Response } from 'undici';
import { parseAllDocuments, stringify } from 'yaml';
import {
  loadSettings,
  port,
  readControlPlaneSettings,
  type ControlPlaneSettings,
  type SettingsReader,
  createLogger,
  createRedisConnection,
} from '@flotilla/service-runtime';
import {
  ApiTokenStore,
  AuditStore,
  ClusterStore,
  createDatabaseClient,
  organizationScope,
  OrganizationStore,
  systemScope,
} from '@flotilla/stores';
import { EventBus } from '@flotilla/events';
import { DEMO_CLUSTERS, DEMO_DIRECTORY, DEMO_FLEET_FILES, type DemoApplication, type DemoCluster } from './demo-layout.js';

/**
 * Prepares the local demo against a running API and Kubernetes simulator, and is safe to run any number of times:
 * - an organization `demo` with an admin token in `$FLOTILLA_HOME/token` (kept while it still works), and the API's
 *   address in `$FLOTILLA_HOME/server`: the CLI sends that token to this address only;
 * - the clusters of `DEMO_CLUSTERS`, registered once with their labels (set again when they differ), their agent
 *   tokens in `$FLOTILLA_HOME/agents/<cluster>.token` (rotated through the API when the file is missing or stale);
 * - for each application of a cluster, the team's own objects of `deploy/demo/<folder>/cluster.yaml` (namespace,
 *   Services, Ingress) created in the simulated cluster, whose kubeconfig is `$FLOTILLA_HOME/kube/<cluster>.yaml`,
 *   and the Rollouts of `deploy/demo/<folder>/rollouts.yaml` applied through GraphQL when Flotilla does not have them
 *   yet, so that an image changed during the demo survives a restart;
 * - the FleetRollouts of `DEMO_FLEET_FILES`, applied through GraphQL on every start (an unchanged spec stays as it is).
 */
const DEMO_ORGANIZATION = 'demo';

interface DemoSettings extends ControlPlaneSettings {
  /** Where the CLI's token and server files go. */
  home: string;
  apiUrl: string;
}

const readDemoSettings: SettingsReader<DemoSettings> = (environment, problems) => {
  const apiPort = port(environment, 'PORT', 3000, problems);
  return {
    ...readControlPlaneSettings(environment, problems),
    home: resolve(environment.FLOTILLA_HOME || '.flotilla'),
    apiUrl: (environment.FLOTILLA_URL || `http://127.0.0.1:${apiPort}`).replace(/\/+$/, ''),
  };
};

const config = loadSettings(readDemoSettings);
const home = config.home;
const tokenFile = join(home, 'token');
const serverFile = join(home, 'server');

const apiUrl = config.apiUrl;
const logger = createLogger('demo-bootstrap', config.logLevel);
const database = createDatabaseClient(config.databaseUrl, 2);
const publisher = createRedisConnection(config.redis);
const subscriber = createRedisConnection(config.redis);
const audit = new AuditStore(database, new EventBus(publisher, subscriber, logger, config.redisPrefix));
const tokens = new ApiTokenStore(database, audit);
const organizations = new OrganizationStore(database, audit, tokens);
const clusters = new ClusterStore(database);
const OPERATOR = systemScope('demo-bootstrap');

type Outcome = 'kept' | 'new';

interface KubeDocument {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  [field: string]: unknown;
}

class DemoBootstrapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoBootstrapError';
  }
}

async function writeSecret(path: string, secret: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${secret}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
}

const readSecret = async (path: string): Promise<string> => (await readFile(path, 'utf8').catch(() => '')).trim();

/** The secret of the token file, while it is a token of the demo organization that is not revoked. */
async function existingToken(organizationId: string): Promise<string | undefined> {
  const secret = await readSecret(tokenFile);
  if (!secret) return undefined;
  const token = await tokens.findBySecret(OPERATOR, secret);
  return token && !token.revokedAt && token.organizationId === organizationId ? secret : undefined;
}

async function demoToken(): Promise<{ secret: string; organizationId: string; outcome: Outcome }> {
  const organization = await organizations.findByName(OPERATOR, DEMO_ORGANIZATION);
  const kept = organization ? await existingToken(organization.id) : undefined;
  if (kept && organization) return { secret: kept, organizationId: organization.id, outcome: 'kept' };
  const adminToken = { name: 'demo-admin', role: 'admin' as const };
  const issued = organization
    ? { ...(await organizations.issueOperatorToken(organizationScope(organization.id), adminToken)), organization }
    : await organizations.create(OPERATOR, DEMO_ORGANIZATION, adminToken);
  await writeSecret(tokenFile, issued.secret);
  return { secret: issued.secret, organizationId: issued.organization.id, outcome: 'new' };
}

async function graphql<D>(token: string, query: string, variables: Record<string, unknown>): Promise<D> {
  const response = await fetch(`${apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: D; errors?: { message: string }[] };
  if (body.errors || !body.data)
    throw new DemoBootstrapError(`GraphQL at ${apiUrl} answered: ${JSON.stringify(body.errors ?? response.status)}`);
  return body.data;
}

const sameLabels = (left: Readonly<Record<string, string>>, right: Readonly<Record<string, string>>): boolean =>
  Object.keys(left).length === Object.keys(right).length && Object.entries(left).every(([key, value]) => right[key] === value);

/**
 * Registers the cluster once with its labels, and sets them again when they differ (a demo started before they
 * were given); gives it a new agent token when the one on disk is missing or no longer valid.
 */
async function agentToken(
  adminSecret: string,
  organizationId: string,
  cluster: DemoCluster,
): Promise<{ path: string; outcome: Outcome | 'rotated'; labelsUpdated: boolean }> {
  const { name, labels } = cluster;
  const path = join(home, 'agents', `${name}.token`);
  const registered = await clusters.findByName(organizationScope(organizationId), name);
  const labelsUpdated = registered !== null && !sameLabels(registered.labels, labels);
  const labelsMutation = 'mutation($name: String!, $labels: JSON!) { updateClusterLabels(cluster: $name, labels: $labels) { name } }';
  if (labelsUpdated) await graphql(adminSecret, labelsMutation, { name, labels });
  const secret = await readSecret(path);
  if (registered && secret && (await clusters.findByAgentToken(OPERATOR, secret))?.id === registered.id)
    return { path, outcome: 'kept', labelsUpdated };
  const call = registered
    ? {
        mutation: 'rotateClusterAgentToken',
        text: 'mutation($name: String!) { rotateClusterAgentToken(name: $name) { agentToken } }',
        variables: { name },
      }
    : {
        mutation: 'registerCluster',
        text: 'mutation($name: String!, $labels: JSON) { registerCluster(name: $name, labels: $labels) { agentToken } }',
        variables: { name, labels },
      };
  const data = await graphql<Record<string, { agentToken: string }>>(adminSecret, call.text, call.variables);
  const issued = data[call.mutation]?.agentToken;
  if (!issued) throw new DemoBootstrapError(`${call.mutation} returned no agent token for ${name}`);
  await writeSecret(path, issued);
  return { path, outcome: registered ? 'rotated' : 'new', labelsUpdated };
}

async function readDocuments(path: string): Promise<KubeDocument[]> {
  return parseAllDocuments(await readFile(path, 'utf8'))
    .map((document) => document.toJS() as KubeDocument | null)
    .filter((document): document is KubeDocument => document !== null);
}

/** One simulated cluster reached with its kubeconfig, as a client of the Kubernetes API. */
class SimulatedCluster {
  private readonly dispatcher: Agent | undefined;

  constructor(
    private readonly server: string,
    private readonly token: string,
    /** PEM of the certificate authority an https server's certificate is checked against. */
    certificateAuthority: string | undefined,
  ) {
    this.dispatcher = certificateAuthority === undefined ? undefined : new Agent({ connect: { ca: certificateAuthority } });
  }

  static async fromKubeconfig(path: string): Promise<SimulatedCluster> {
    const access = readKubeconfig(await readFile(path, 'utf8'));
    if (!access) throw new DemoBootstrapError(`${path} names no server or token; is the Kubernetes simulator running?`);
    return new SimulatedCluster(access.server, access.token, access.certificateAuthority);
  }

  /** Creates the object, or replaces the one of that name, like `kubectl apply` of a whole object. */
  async apply(document: KubeDocument, defaultNamespace: string): Promise<void> {
    const collection = await this.collectionPath(document, defaultNamespace);
    const created = await this.request('POST', collection, document);
    if (created.status !== 409) return this.check(created, `create ${document.kind} ${document.metadata.name}`);
    const path = `${collection}/${document.metadata.name}`;
    const current = (await (await this.request('GET', path)).json()) as KubeDocument;
    const replaced = await this.request('PUT', path, {
      ...document,
      metadata: { ...document.metadata, resourceVersion: current.metadata.resourceVersion },
    });
    return this.check(replaced, `replace ${document.kind} ${document.metadata.name}`);
  }

  /** Where objects of the document's kind live, found through API discovery as kubectl does. */
  private async collectionPath(document: KubeDocument, defaultNamespace: string): Promise<string> {
    const groupVersion = document.apiVersion.includes('/') ? `/apis/${document.apiVersion}` : `/api/${document.apiVersion}`;
    const discovery = await this.request('GET', groupVersion);
    await this.check(discovery, `discover ${document.apiVersion}`);
    const { resources } = (await discovery.json()) as { resources: { name: string; kind: string; namespaced: boolean }[] };
    const resource = resources.find((candidate) => candidate.kind === document.kind && !candidate.name.includes('/'));
    if (!resource) throw new DemoBootstrapError(`the cluster serves no ${document.kind} in ${document.apiVersion}`);
    return resource.namespaced
      ? `${groupVersion}/namespaces/${document.metadata.namespace ?? defaultNamespace}/${resource.name}`
      : `${groupVersion}/${resource.name}`;
  }

  private request(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.server}${path}`, {
      method,
      dispatcher: this.dispatcher,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  private async check(response: Response, what: string): Promise<void> {
    if (!response.ok) throw new DemoBootstrapError(`could not ${what}: ${response.status} ${await response.text()}`);
  }
}

/** Applies the application's Rollouts Flotilla does not have yet in the cluster, with every other document of the file. */
async function applyRollouts(adminSecret: string, cluster: string, application: DemoApplication): Promise<string[]> {
  const { namespace } = application;
  const documents = await readDocuments(join(DEMO_DIRECTORY, application.folder, 'rollouts.yaml'));
  const existing = await graphql<{ rollouts: { nodes: { name: string }[] } }>(
    adminSecret,
    'query($filter: RolloutFilter) { rollouts(filter: $filter, page: { first: 500 }) { nodes { name } } }',
    { filter: { cluster, namespace } },
  );
  const known = new Set(existing.rollouts.nodes.map((rollout) => rollout.name));
  const wanted = documents.filter((document) => document.kind !== 'Rollout' || !known.has(document.metadata.name));
  if (!wanted.some((document) => document.kind === 'Rollout')) return [];
  const applied = await graphql<{ applyManifests: { kind: string; name: string }[] }>(
    adminSecret,
    'mutation($cluster: String!, $namespace: String!, $yaml: String!) { applyManifests(cluster: $cluster, namespace: $namespace, yaml: $yaml) { kind name } }',
    { cluster, namespace, yaml: wanted.map((document) => stringify(document)).join('---\n') },
  );
  return applied.applyManifests.filter((document) => document.kind === 'Rollout').map((document) => `${namespace}/${document.name}`);
}

/** Applies the FleetRollouts as the files state them (organization-scoped: no cluster, no namespace; admin role). */
async function applyFleetRollouts(adminSecret: string): Promise<string[]> {
  const yaml = (await Promise.all(DEMO_FLEET_FILES.map((file) => readFile(join(DEMO_DIRECTORY, file), 'utf8')))).join('\n---\n');
  const applied = await graphql<{ applyManifests: { kind: string; name: string; action: string }[] }>(
    adminSecret,
    'mutation($yaml: String!) { applyManifests(yaml: $yaml) { kind name action } }',
    { yaml },
  );
  return applied.applyManifests.map((document) => `${document.kind} ${document.name} ${document.action.toLowerCase()}`);
}

const describeLabels = (labels: Readonly<Record<string, string>>): string =>
  Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');

try {
  const { secret, organizationId, outcome } = await demoToken();
  await writeFile(serverFile, `${apiUrl}\n`);
  logger.info({ tokenFile, outcome }, outcome === 'new' ? 'demo organization token issued' : 'demo organization token kept');
  const lines = [`Demo admin token (${outcome}), in ${tokenFile}`];
  for (const cluster of DEMO_CLUSTERS) {
    const agent = await agentToken(secret, organizationId, cluster);
    const simulated = await SimulatedCluster.fromKubeconfig(join(home, 'kube', `${cluster.name}.yaml`));
    const applied: string[] = [];
    for (const application of cluster.applications) {
      const teamObjects = await readDocuments(join(DEMO_DIRECTORY, application.folder, 'cluster.yaml'));
      for (const document of teamObjects) await simulated.apply(document, application.namespace);
      applied.push(...(await applyRollouts(secret, cluster.name, application)));
    }
    lines.push(
      `Cluster ${cluster.name} (${describeLabels(cluster.labels)}${agent.labelsUpdated ? ', labels updated' : ''}): ` +
        `agent token ${agent.outcome} (${agent.path}); ` +
        `team objects seeded; ${applied.length > 0 ? `applied Rollout ${applied.join(', ')}` : 'Rollouts kept as they are'}`,
    );
  }
  lines.push(...(await applyFleetRollouts(secret)));
  process.stdout.write(`${lines.join('\n')}\n`);
} catch (error) {
  logger.fatal({ err: error }, 'demo bootstrap failed');
  process.exitCode = 1;
} finally {
  await Promise.allSettled([database.$disconnect(), publisher.quit(), subscriber.quit()]);
}

import { existsSync } from 'node:fs';
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
 *   Services, Ingress) created in the simulated cluster, whose kubeconfig is `$FLOTILLA_HOME/kube/<cluster>.yaml`;
 *   the AnalysisTemplates of `analysis.yaml` applied through GraphQL on every start, asking the simulator's
 *   Prometheus at `DEMO_METRICS_PORT`; the Rollouts of `rollouts.yaml` and the Experiments of `experiments.yaml`
 *   applied when Flotilla does not have them yet, so that an image changed during the demo survives a restart and a
 *   completed Experiment stays history;
 * - the FleetRollouts of `DEMO_FLEET_FILES`, applied through GraphQL on every start (an unchanged spec stays as it is).
 */
const DEMO_ORGANIZATION = 'demo';

interface DemoSettings extends ControlPlaneSettings {
  /** Where the CLI's token and server files go. */
  home: string;
  apiUrl: string;
  /** The Prometheus query API the simulator serves over its pods, which the demo's AnalysisTemplates ask. */
  prometheusUrl: string;
}

const readDemoSettings: SettingsReader<DemoSettings> = (environment, problems) => {
  const apiPort = port(environment, 'PORT', 3000, problems);
  return {
    ...readControlPlaneSettings(environment, problems),
    home: resolve(environment.FLOTILLA_HOME || '.flotilla'),
    apiUrl: (environment.FLOTILLA_URL || `http://127.0.0.1:${apiPort}`).replace(/\/+$/, ''),
    prometheusUrl: `http://127.0.0.1:${port(environment, 'DEMO_METRICS_PORT', 3002, problems)}`,
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

interface AppliedDocument {
  kind: string;
  name: string;
  action: string;
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

/** Applies documents in the cluster and namespace through GraphQL; answers what was applied and how. */
async function applyInNamespace(
  adminSecret: string,
  cluster: string,
  namespace: string,
  documents: readonly KubeDocument[],
): Promise<AppliedDocument[]> {
  const applied = await graphql<{ applyManifests: AppliedDocument[] }>(
    adminSecret,
    'mutation($cluster: String!, $namespace: String!, $yaml: String!) { applyManifests(cluster: $cluster, namespace: $namespace, yaml: $yaml) { kind name action } }',
    { cluster, namespace, yaml: documents.map((document) => stringify(document)).join('---\n') },
  );
  return applied.applyManifests;
}

/** The documents of one file of the application's folder; none when the folder has no such file. */
async function readApplicationFile(application: DemoApplication, file: string): Promise<KubeDocument[]> {
  const path = join(DEMO_DIRECTORY, application.folder, file);
  return existsSync(path) ? readDocuments(path) : [];
}

/** An AnalysisTemplate asking the demo's Prometheus (its `prometheus` argument) where this demo serves it. */
function withDemoPrometheus(document: KubeDocument): KubeDocument {
  const spec = document['spec'] as { args?: { name: string; value?: string }[] } | undefined;
  if (document.kind !== 'AnalysisTemplate' || !spec?.args?.some((argument) => argument.name === 'prometheus')) return document;
  const args = spec.args.map((argument) => (argument.name === 'prometheus' ? { ...argument, value: config.prometheusUrl } : argument));
  return { ...document, spec: { ...spec, args } };
}

/** Applies the application's AnalysisTemplates (`analysis.yaml`) on every start: an unchanged one stays as it is. */
async function applyAnalysisTemplates(adminSecret: string, cluster: string, application: DemoApplication): Promise<string[]> {
  const documents = (await readApplicationFile(application, 'analysis.yaml')).map(withDemoPrometheus);
  if (documents.length === 0) return [];
  const applied = await applyInNamespace(adminSecret, cluster, application.namespace, documents);
  return applied.map((document) => `${document.name} ${document.action.toLowerCase()}`);
}

/** A kind applied only when Flotilla does not have an object of that name yet: from which file, listed by which query. */
interface AppliedOnce {
  kind: 'Rollout' | 'Experiment';
  file: string;
  query: string;
}

const APPLIED_ONCE: readonly AppliedOnce[] = [
  {
    kind: 'Rollout',
    file: 'rollouts.yaml',
    query: 'query($filter: RolloutFilter) { found: rollouts(filter: $filter, page: { first: 500 }) { nodes { name } } }',
  },
  {
    kind: 'Experiment',
    file: 'experiments.yaml',
    query: 'query($filter: ExperimentFilter) { found: experiments(filter: $filter, page: { first: 500 }) { nodes { name } } }',
  },
];

/**
 * Applies the objects of the file Flotilla does not have yet in the cluster, with every other document of the file:
 * an image changed during the demo survives a restart, and a completed Experiment is not applied again.
 */
async function applyMissing(adminSecret: string, cluster: string, application: DemoApplication, once: AppliedOnce): Promise<string[]> {
  const { namespace } = application;
  const documents = await readApplicationFile(application, once.file);
  if (documents.length === 0) return [];
  const existing = await graphql<{ found: { nodes: { name: string }[] } }>(adminSecret, once.query, { filter: { cluster, namespace } });
  const known = new Set(existing.found.nodes.map((object) => object.name));
  const wanted = documents.filter((document) => document.kind !== once.kind || !known.has(document.metadata.name));
  if (!wanted.some((document) => document.kind === once.kind)) return [];
  const applied = await applyInNamespace(adminSecret, cluster, namespace, wanted);
  return applied.filter((document) => document.kind === once.kind).map((document) => `${once.kind} ${namespace}/${document.name}`);
}

/** Applies the FleetRollouts as the files state them (organization-scoped: no cluster, no namespace; admin role). */
async function applyFleetRollouts(adminSecret: string): Promise<string[]> {
  const yaml = (await Promise.all(DEMO_FLEET_FILES.map((file) => readFile(join(DEMO_DIRECTORY, file), 'utf8')))).join('\n---\n');
  const applied = await graphql<{ applyManifests: AppliedDocument[] }>(
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
    const templates: string[] = [];
    for (const application of cluster.applications) {
      const teamObjects = await readApplicationFile(application, 'cluster.yaml');
      for (const document of teamObjects) await simulated.apply(document, application.namespace);
      templates.push(...(await applyAnalysisTemplates(secret, cluster.name, application)));
      for (const once of APPLIED_ONCE) applied.push(...(await applyMissing(secret, cluster.name, application, once)));
    }
    lines.push(
      `Cluster ${cluster.name} (${describeLabels(cluster.labels)}${agent.labelsUpdated ? ', labels updated' : ''}): ` +
        `agent token ${agent.outcome} (${agent.path}); team objects seeded; ` +
        (templates.length > 0 ? `AnalysisTemplate ${templates.join(', ')}; ` : '') +
        (applied.length > 0 ? `applied ${applied.join(', ')}` : 'Rollouts kept as they are'),
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

import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { internalError, KubeApiError, pathNotFound, unauthorized } from './api-errors.js';
import { defaultImageBehaviour, type ImageBehaviour } from './controllers/image-behaviour.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, SERVER_VERSION } from './discovery.js';
import { parseFieldSelector } from './field-selector.js';
import { sendError, sendJson } from './http-io.js';
import type { KubeObject } from './kube-object.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { parseLabelSelector } from './label-selector.js';
import { checkSelectableFields } from './object-filter.js';
import { presentObject } from './presented-object.js';
import { parseApiPath } from './request-route.js';
import { handleResourceRequest } from './resource-handler.js';
import { findResourceTypeByKind, RESOURCE_TYPES, type ResourceType } from './resource-catalogue.js';
import { selfSignedCertificate } from './self-signed-certificate.js';
import { SimulatedCluster } from './simulated-cluster.js';

export interface KubeSimOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  clusters: readonly string[];
  /** Time from a pod's creation to its containers running (and Ready, for images that run). */
  podReadyDelayMs?: number;
  /** Time between restarts of a crash-looping container. */
  crashLoopIntervalMs?: number;
  bookmarkIntervalMs?: number;
  /** Changes kept per cluster for watches to resume from; older resourceVersions get 410 Expired. */
  watchHistoryLimit?: number;
  imageBehaviour?: (image: string) => ImageBehaviour;
  /** Seeds generated names and uids, so runs repeat. */
  seed?: string;
  /**
   * Serve https with a certificate made at start, which the kubeconfigs trust. kubectl needs it: it sends no
   * credentials to a plain-http server. Off by default, so that tests can reach the simulator with plain requests.
   */
  tls?: boolean;
  /** The names the https certificate is made for; by default the listening host, loopback addresses and `localhost`. */
  certificateNames?: readonly string[];
  /** Defaults to a silent logger. */
  logger?: Logger;
}

/** Names an object for direct access; without `apiVersion` the first resource of that kind is meant. */
export interface ObjectReference {
  apiVersion?: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface ListQuery {
  apiVersion?: string;
  kind: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export class UnknownClusterError extends Error {
  constructor(readonly cluster: string) {
    super(`the simulator hosts no cluster named "${cluster}"`);
    this.name = 'UnknownClusterError';
  }
}

export class UnknownKindError extends Error {
  constructor(
    readonly kind: string,
    readonly apiVersion: string | undefined,
  ) {
    super(`the simulator serves no kind ${kind}${apiVersion === undefined ? '' : ` in ${apiVersion}`}`);
    this.name = 'UnknownKindError';
  }
}

const CLUSTER_PATH = /^\/clusters\/([^/]+)(\/.*)?$/;

/** A running Kubernetes API simulator hosting one or more clusters, each under `/clusters/{name}`. */
export class KubeSim {
  private readonly clusters = new Map<string, SimulatedCluster>();

  constructor(
    private readonly server: Server,
    private readonly options: Required<Omit<KubeSimOptions, 'host' | 'port' | 'clusters' | 'tls' | 'certificateNames'>>,
    /** The certificate (PEM) it serves https with, for clients to trust; undefined over plain http. */
    readonly certificate?: string,
  ) {}

  get url(): string {
    const address = this.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `${this.certificate === undefined ? 'http' : 'https'}://${host}:${address.port}`;
  }

  get clusterNames(): string[] {
    return [...this.clusters.keys()];
  }

  clusterUrl(name: string): string {
    this.cluster(name);
    return `${this.url}/clusters/${encodeURIComponent(name)}`;
  }

  kubeconfig(name: string): string {
    return kubeconfigYaml(name, this.clusterUrl(name), this.cluster(name).token, this.certificate);
  }

  async writeKubeconfig(name: string, path: string): Promise<void> {
    await writeFile(path, this.kubeconfig(name), { mode: 0o600 });
  }

  addCluster(name: string): void {
    if (this.clusters.has(name)) return;
    this.clusters.set(
      name,
      new SimulatedCluster(name, {
        seed: this.options.seed,
        watchHistoryLimit: this.options.watchHistoryLimit,
        podReadyDelayMs: this.options.podReadyDelayMs,
        crashLoopIntervalMs: this.options.crashLoopIntervalMs,
        imageBehaviour: this.options.imageBehaviour,
        logger: this.options.logger,
        now: Date.now,
      }),
    );
  }

  /** Replaces the bearer token a cluster accepts; the kubeconfig written from now on carries the new one. */
  rotateToken(cluster: string): string {
    return this.cluster(cluster).rotateToken();
  }

  /** Ends every watch open on a cluster, as an API server restart would. */
  dropWatches(cluster: string): void {
    this.cluster(cluster).dropWatches();
  }

  /**
   * An object of a cluster, read without HTTP; a copy the caller may change. `T` is the caller's view of it
   * (e.g. a client library's `V1Pod`); timestamps stay RFC 3339 strings.
   */
  get<T = KubeObject>(cluster: string, reference: ObjectReference): T | undefined {
    const resource = this.resourceOf(reference.kind, reference.apiVersion);
    const object = this.cluster(cluster).store.get(resource, reference.namespace, reference.name);
    return object && (structuredClone(presentObject(object, reference.apiVersion ?? object.apiVersion)) as T);
  }

  /** Objects of a cluster matching the query, read without HTTP. */
  list<T = KubeObject>(cluster: string, query: ListQuery): T[] {
    const resource = this.resourceOf(query.kind, query.apiVersion);
    const fields = parseFieldSelector(query.fieldSelector ?? '');
    checkSelectableFields(resource, fields);
    const filter = {
      ...(query.namespace === undefined ? {} : { namespace: query.namespace }),
      labels: parseLabelSelector(query.labelSelector ?? ''),
      fields,
    };
    return this.cluster(cluster)
      .store.list(resource, filter)
      .map((object) => structuredClone(presentObject(object, query.apiVersion ?? object.apiVersion)) as T);
  }

  /** Creates the object, or replaces it when it exists (for seeding clusters in tests and demos). */
  apply<T extends KubeObject = KubeObject>(cluster: string, object: KubeObject): T {
    const resource = this.resourceOf(object.kind, object.apiVersion);
    const store = this.cluster(cluster).store;
    const namespace = resource.namespaced ? (object.metadata.namespace ?? 'default') : undefined;
    const name = object.metadata.name;
    const exists = name !== undefined && store.get(resource, namespace, name) !== undefined;
    const stored = exists ? store.update(resource, namespace, name, object) : store.create(resource, namespace, object);
    return structuredClone(stored) as unknown as T;
  }

  async stop(): Promise<void> {
    this.clusters.forEach((cluster) => cluster.stop());
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private cluster(name: string): SimulatedCluster {
    const cluster = this.clusters.get(name);
    if (!cluster) throw new UnknownClusterError(name);
    return cluster;
  }

  private resourceOf(kind: string, apiVersion: string | undefined): ResourceType {
    const resource =
      apiVersion === undefined ? RESOURCE_TYPES.find((type) => type.kind === kind) : findResourceTypeByKind(apiVersion, kind);
    if (!resource) throw new UnknownKindError(kind, apiVersion);
    return resource;
  }

  /** Serves one HTTP request. */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://kube-sim');
    const match = CLUSTER_PATH.exec(url.pathname);
    const cluster = match ? this.clusters.get(decodeURIComponent(match[1] as string)) : undefined;
    if (!cluster) throw pathNotFound(url.pathname);
    const route = parseApiPath(match?.[2] ?? '/');
    if (route.kind === 'health') {
      response.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      return;
    }
    if (request.headers.authorization !== `Bearer ${cluster.token}`) throw unauthorized();
    switch (route.kind) {
      case 'version':
        return sendJson(response, 200, SERVER_VERSION);
      case 'core-versions':
        return sendJson(response, 200, apiVersions(request.headers.host ?? url.host));
      case 'openapi-index':
        // No schemas are published: clients then validate nothing locally and rely on the server.
        return sendJson(response, 200, { paths: {} });
      case 'openapi-v2':
        // kubectl asks for the protobuf form; an empty message is a valid, empty OpenAPI v2 document.
        response
          .writeHead(200, { 'Content-Type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', 'Content-Length': 0 })
          .end();
        return;
      case 'group-list':
        return sendJson(response, 200, apiGroupList());
      case 'group': {
        const group = apiGroup(route.group);
        if (!group) throw pathNotFound(url.pathname);
        return sendJson(response, 200, group);
      }
      case 'resource-list': {
        const list = apiResourceList(route.group, route.version);
        if (!list) throw pathNotFound(url.pathname);
        return sendJson(response, 200, list);
      }
      case 'resource':
        return handleResourceRequest(
          cluster.store,
          {
            route,
            method: request.method ?? 'GET',
            query: url.searchParams,
            contentType: (request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '',
            incoming: request,
            response,
          },
          { bookmarkIntervalMs: this.options.bookmarkIntervalMs, maxBufferedBytes: 64 * 1024 * 1024, open: cluster.openWatches },
        );
      case 'unknown':
        throw pathNotFound(url.pathname);
    }
  }
}

/**
 * Starts the simulator and its clusters on `host:port` (port 0 picks a free one).
 * @example const sim = await startKubeSim({ clusters: ['staging'], podReadyDelayMs: 50 });
 *   new KubeConfig().loadFromString(sim.kubeconfig('staging')); … await sim.stop();
 */
export async function startKubeSim(options: KubeSimOptions): Promise<KubeSim> {
  const podReadyDelayMs = options.podReadyDelayMs ?? 1000;
  const logger = options.logger ?? pino({ level: 'silent' });
  // kube-apiserver keeps idle connections 90 s (Node's default of 5 s would close them under clients that pool them).
  const keepAliveTimeout = 90_000;
  const host = options.host ?? '127.0.0.1';
  const tls = options.tls === true ? selfSignedCertificate(options.certificateNames ?? [host, '127.0.0.1', '::1', 'localhost']) : undefined;
  const server =
    tls === undefined
      ? createServer({ keepAliveTimeout })
      : createHttpsServer({ keepAliveTimeout, cert: tls.certificate, key: tls.privateKey });
  const sim = new KubeSim(
    server,
    {
      podReadyDelayMs,
      crashLoopIntervalMs: options.crashLoopIntervalMs ?? Math.max(podReadyDelayMs, 100),
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 30_000,
      watchHistoryLimit: options.watchHistoryLimit ?? 10_000,
      imageBehaviour: options.imageBehaviour ?? defaultImageBehaviour,
      seed: options.seed ?? 'kube-sim',
      logger,
    },
    tls?.certificate,
  );
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const startedAt = Date.now();
    sim.handle(request, response).then(
      () => logger.debug({ method: request.method, url: request.url, status: response.statusCode, ms: Date.now() - startedAt }, 'request'),
      (error: unknown) => {
        const apiError = error instanceof KubeApiError ? error : internalError(error instanceof Error ? error.message : String(error));
        if (!(error instanceof KubeApiError)) logger.error({ err: error, method: request.method, url: request.url }, 'request failed');
        if (response.headersSent) response.end();
        else sendError(response, apiError);
      },
    );
  });
  for (const name of options.clusters) sim.addCluster(name);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  return sim;
}

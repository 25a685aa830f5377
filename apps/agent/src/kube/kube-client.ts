import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { ConnectionPool } from './connection-pool.js';
import type { KubeObject } from './kube-object.js';
import { apiVersionOf, resourcePath, type Resource } from './resources.js';

/** A request the API server refused or that never reached it, with what was asked. */
export class KubeApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    /** HTTP status; 0 when no answer came. */
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(`${method} ${path}: ${status === 0 ? '' : `${status} `}${message}`);
    this.name = 'KubeApiError';
  }
}

export const isNotFound = (error: unknown): boolean => error instanceof KubeApiError && error.status === 404;
export const isConflict = (error: unknown): boolean => error instanceof KubeApiError && error.status === 409;
export const isAlreadyExists = (error: unknown): boolean =>
  error instanceof KubeApiError && error.status === 409 && error.reason === 'AlreadyExists';
export const isGone = (error: unknown): boolean => error instanceof KubeApiError && error.status === 410;

export interface ObjectList<T extends KubeObject> {
  items: T[];
  resourceVersion: string;
}

const REQUEST_TIMEOUT_MS = 30_000;
/** How long one resolution of the kubeconfig's credentials serves requests (see `KubeClient.connection`). */
const CREDENTIALS_REUSE_MS = 250;
/** Objects per page of a list: a large cluster is read in pages, not in one answer held whole in memory. */
export const LIST_PAGE_SIZE = 500;
/** The server ends a watch after about this long, so that a connection lost without a FIN is noticed. */
const WATCH_TIMEOUT_SECONDS = 290;

/** How requests reach the API server with the credentials of the moment. */
interface Connection {
  open: typeof httpsRequest;
  headers: OutgoingHttpHeaders;
  options: RequestOptions;
  /** The server URL's path (`https://host/clusters/x` → `/clusters/x`), put before every request path. */
  pathPrefix: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchHandle {
  abort(): void;
}

/**
 * JSON requests and watches to the API server of the agent's kubeconfig. Every request takes its credentials from
 * the kubeconfig as it is sent (exec plugins, auth providers, rotating token files); requests share kept-alive
 * connections, and watches use connections of their own so that they never hold a slot of the pool.
 */
export class KubeClient {
  private readonly pool = new ConnectionPool();
  private readonly watcher: Watch;
  private current: { connection: Promise<Connection>; until: number | undefined } | undefined;

  constructor(private readonly kubeConfig: KubeConfig) {
    this.watcher = new Watch(kubeConfig);
  }

  async get<T extends KubeObject>(target: Resource, namespace: string, name: string): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', resourcePath(target, namespace, name));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * Every object of a collection, read in pages of `LIST_PAGE_SIZE`; when the server forgets the continue token
   * mid-way (410), the list starts over once.
   */
  async list<T extends KubeObject>(target: Resource, labelSelector?: string, namespace?: string): Promise<ObjectList<T>> {
    try {
      return await this.listPages<T>(target, labelSelector, namespace);
    } catch (error) {
      if (!isGone(error)) throw error;
      return this.listPages<T>(target, labelSelector, namespace);
    }
  }

  create<T extends KubeObject>(target: Resource, namespace: string, object: T): Promise<T> {
    return this.request<T>('POST', resourcePath(target, namespace), { ...object, apiVersion: apiVersionOf(target), kind: target.kind });
  }

  /** RFC 7386 merge patch; a `metadata.resourceVersion` in the patch makes it conditional (409 when stale). */
  mergePatch<T extends KubeObject>(target: Resource, namespace: string, name: string, patch: object): Promise<T> {
    return this.request<T>('PATCH', resourcePath(target, namespace, name), patch, 'application/merge-patch+json');
  }

  /** Deletes the object; one already gone counts as deleted. */
  async delete(target: Resource, namespace: string, name: string, preconditions?: { uid?: string }): Promise<void> {
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', ...(preconditions ? { preconditions } : {}) };
    try {
      await this.request('DELETE', resourcePath(target, namespace, name), body);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async serverVersion(): Promise<string | undefined> {
    const version = await this.request<{ gitVersion?: string }>('GET', '/version');
    return version.gitVersion;
  }

  async request<T>(method: string, path: string, body?: object, contentType = 'application/json'): Promise<T> {
    const response = await this.send(method, path, body, contentType);
    const answer = await readJson(response).catch((error: unknown) => {
      throw new KubeApiError(method, path, 0, 'Unreachable', error instanceof Error ? error.message : String(error));
    });
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return answer as T;
    throw apiError(method, path, status, answer);
  }

  /**
   * Watches a collection from `query.resourceVersion` with the library's watch, calling `onEvent` for every event
   * and `onEnd` once when the stream ends: without an error when the server closed it, with a `KubeApiError` when
   * the server refused the watch (410 means the history is gone and the caller must list again).
   * @example const handle = await kube.watch('/api/v1/pods', { resourceVersion: '42', allowWatchBookmarks: 'true' }, onEvent, onEnd); handle.abort();
   */
  async watch<T>(
    path: string,
    query: Record<string, string>,
    onEvent: (type: WatchEventType, object: T) => void,
    onEnd: (error: unknown) => void,
  ): Promise<WatchHandle> {
    const controller = await this.watcher.watch(
      path,
      { ...query, timeoutSeconds: WATCH_TIMEOUT_SECONDS },
      (type: string, object: T) => onEvent(type as WatchEventType, object),
      (error: unknown) => onEnd(watchError(path, error)),
    );
    return { abort: () => controller.abort() };
  }

  close(): void {
    this.pool.close();
  }

  private async listPages<T extends KubeObject>(target: Resource, labelSelector?: string, namespace?: string): Promise<ObjectList<T>> {
    const items: T[] = [];
    let resourceVersion = '';
    let continueToken: string | undefined;
    do {
      const query = new URLSearchParams({ limit: String(LIST_PAGE_SIZE) });
      if (labelSelector !== undefined) query.set('labelSelector', labelSelector);
      if (continueToken !== undefined) query.set('continue', continueToken);
      const page = await this.request<{ items?: T[]; metadata?: { resourceVersion?: string; continue?: string } }>(
        'GET',
        `${resourcePath(target, namespace)}?${query.toString()}`,
      );
      items.push(...(page.items ?? []));
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      continueToken = page.metadata?.continue || undefined;
    } while (continueToken !== undefined);
    return { items, resourceVersion };
  }

  /**
   * Where and how requests go now: the credentials the kubeconfig gives (an exec plugin's token, a token file's
   * content, client certificates) with the pooled connections for them. Requests sent together share one resolution
   * (one plugin run, not one each), and a resolution serves for `CREDENTIALS_REUSE_MS`: the library's authenticators
   * keep their credentials until they expire, but building the request options is not free in a burst of thousands.
   */
  private connection(method: string, path: string): Promise<Connection> {
    const current = this.current;
    if (current !== undefined && (current.until === undefined || Date.now() < current.until)) return current.connection;
    const connection = this.resolveConnection(method, path);
    const entry: { connection: Promise<Connection>; until: number | undefined } = { connection, until: undefined };
    this.current = entry;
    connection.then(
      () => {
        entry.until = Date.now() + CREDENTIALS_REUSE_MS;
      },
      () => {
        if (this.current === entry) this.current = undefined;
      },
    );
    return connection;
  }

  private async resolveConnection(method: string, path: string): Promise<Connection> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (cluster === null) throw new KubeApiError(method, path, 0, 'Unconfigured', 'the kubeconfig has no current cluster');
    const credentials: RequestOptions = {};
    try {
      await this.kubeConfig.applyToHTTPSOptions(credentials);
    } catch (error) {
      throw new KubeApiError(
        method,
        path,
        0,
        'Unauthenticated',
        `cannot get credentials: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const { ca, cert, key, servername, rejectUnauthorized, auth } = credentials;
    const tls = { ca, cert, key, servername, rejectUnauthorized };
    const server = new URL(cluster.server);
    const secure = server.protocol === 'https:';
    return {
      open: secure ? httpsRequest : httpRequest,
      headers: { ...(credentials.headers as OutgoingHttpHeaders | undefined), Accept: 'application/json' },
      options: {
        ...(secure ? tls : {}),
        auth,
        protocol: server.protocol,
        hostname: server.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: server.port,
        agent: this.pool.agentFor(cluster, tls),
        timeout: REQUEST_TIMEOUT_MS,
      },
      pathPrefix: server.pathname.replace(/\/$/, ''),
    };
  }

  private async send(method: string, path: string, body: object | undefined, contentType: string): Promise<IncomingMessage> {
    const { open, headers: credentialHeaders, options, pathPrefix } = await this.connection(method, path);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: OutgoingHttpHeaders = { ...credentialHeaders };
    if (payload !== undefined) {
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    const target: RequestOptions = { ...options, path: `${pathPrefix}${path}`, method, headers };
    const attempt = (): Promise<IncomingMessage> =>
      new Promise<IncomingMessage>((resolve, reject) => {
        const outgoing = open(target, resolve);
        outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
        outgoing.on('error', (error: NodeJS.ErrnoException) => {
          // The server closed this idle kept-alive connection as the request left on it: it never read the request.
          if (outgoing.reusedSocket && error.code === 'ECONNRESET') resolve(attempt());
          else reject(new KubeApiError(method, path, 0, 'Unreachable', error.message));
        });
        outgoing.end(payload);
      });
    return attempt();
  }
}

/** The library's watch reports a refused watch as an Error with `statusCode`; it becomes a `KubeApiError`. */
function watchError(path: string, error: unknown): unknown {
  if (error === null || error === undefined) return undefined;
  if (!(error instanceof Error)) return error;
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number') return new KubeApiError('GET', path, status, status === 410 ? 'Expired' : 'Unknown', error.message);
  if (error.name === 'AbortError') return undefined;
  return new KubeApiError('GET', path, 0, 'WatchInterrupted', error.message);
}

async function readJson(response: IncomingMessage): Promise<unknown> {
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
    response.on('close', () => {
      if (!response.complete) reject(new Error('the connection closed before the whole answer arrived'));
    });
  });
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** An answer without a Status message, as text: a plain-text body as it is, any other JSON as JSON. */
function answerText(answer: unknown): string {
  if (answer === undefined || answer === null) return '';
  return typeof answer === 'string' ? answer : JSON.stringify(answer);
}

function apiError(method: string, path: string, status: number, answer: unknown): KubeApiError {
  const statusBody = typeof answer === 'object' && answer !== null ? (answer as { reason?: unknown; message?: unknown }) : {};
  const reason = typeof statusBody.reason === 'string' ? statusBody.reason : 'Unknown';
  const message = typeof statusBody.message === 'string' ? statusBody.message : answerText(answer);
  return new KubeApiError(method, path, status, reason, message);
}

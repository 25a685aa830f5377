import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { KubeCredentials } from './kube-credentials.js';
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

export interface ObjectList<T extends KubeObject> {
  items: T[];
  resourceVersion: string;
}

const REQUEST_TIMEOUT_MS = 30_000;
/** A token file is read again at most this often (projected service account tokens rotate, but not per request). */
const TOKEN_TTL_MS = 10_000;
/**
 * Concurrent requests per API server, one per rollout converging at once by default (`FLOTILLA_CONCURRENCY`); more
 * wait for a free connection instead of opening one each.
 */
const MAX_SOCKETS = 32;
/** The server ends a watch after about this long, so that a connection lost without a FIN is noticed. */
const WATCH_TIMEOUT_SECONDS = 290;

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchHandle {
  abort(): void;
}

/**
 * JSON requests to one API server. Connections are kept alive and pooled; watches use connections of their own so
 * that they never hold a slot of the pool.
 */
export class KubeHttp {
  private readonly agent: HttpAgent;
  private readonly watchAgent: HttpAgent;
  private token: { value: string | undefined; until: number } | undefined;
  /** Where requests go, taken apart once rather than per request. */
  private readonly server: { protocol: string; hostname: string; port: string; pathPrefix: string };

  constructor(private readonly credentials: KubeCredentials) {
    const { protocol, hostname, port, pathname } = credentials.server;
    this.server = { protocol, hostname: hostname.replace(/^\[(.*)\]$/, '$1'), port, pathPrefix: pathname.replace(/\/$/, '') };
    this.agent = this.createAgent(true);
    this.watchAgent = this.createAgent(false);
  }

  async get<T extends KubeObject>(target: Resource, namespace: string, name: string): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', resourcePath(target, namespace, name));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list<T extends KubeObject>(target: Resource, labelSelector?: string): Promise<ObjectList<T>> {
    const query = labelSelector === undefined ? '' : `?labelSelector=${encodeURIComponent(labelSelector)}`;
    const list = await this.request<{ items?: T[]; metadata?: { resourceVersion?: string } }>('GET', `${resourcePath(target)}${query}`);
    return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? '' };
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
    const response = await this.send(method, path, this.agent, REQUEST_TIMEOUT_MS, body, contentType);
    const answer = await readJson(response).catch((error: unknown) => {
      throw new KubeApiError(method, path, 0, 'Unreachable', error instanceof Error ? error.message : String(error));
    });
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return answer as T;
    throw apiError(method, path, status, answer);
  }

  /**
   * Watches a collection from `query.resourceVersion`, calling `onEvent` for every event line and `onEnd` once when
   * the stream ends (without an error when the server closed it). Rejects when the server refuses the watch; a
   * 410 there, or an ERROR event with code 410, means the history is gone and the caller must list again.
   * @example const handle = await http.watch('/api/v1/pods', { resourceVersion: '42', allowWatchBookmarks: 'true' }, onEvent, onEnd); handle.abort();
   */
  async watch<T>(
    path: string,
    query: Record<string, string>,
    onEvent: (type: WatchEventType, object: T) => void,
    onEnd: (error: unknown) => void,
  ): Promise<WatchHandle> {
    const search = new URLSearchParams({ ...query, watch: 'true', timeoutSeconds: String(WATCH_TIMEOUT_SECONDS) });
    const target = `${path}?${search.toString()}`;
    const response = await this.send('GET', target, this.watchAgent, (WATCH_TIMEOUT_SECONDS + 30) * 1000);
    const status = response.statusCode ?? 0;
    if (status !== 200) throw apiError('GET', target, status, await readJson(response).catch(() => undefined));
    let ended = false;
    const end = (error: unknown): void => {
      if (ended) return;
      ended = true;
      onEnd(error);
    };
    let pending = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
        if (line === '') continue;
        let event: { type: WatchEventType; object: T };
        try {
          event = JSON.parse(line) as { type: WatchEventType; object: T };
        } catch (error) {
          response.destroy(
            new KubeApiError(
              'GET',
              target,
              status,
              'InvalidWatchEvent',
              `not JSON: ${error instanceof Error ? error.message : String(error)}`,
            ),
          );
          return;
        }
        onEvent(event.type, event.object);
      }
    });
    response.on('end', () => end(undefined));
    response.on('error', (error) => end(error));
    response.on('close', () =>
      end(response.complete ? undefined : new KubeApiError('GET', target, status, 'WatchInterrupted', 'the watch connection closed')),
    );
    return { abort: () => response.destroy() };
  }

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }

  private async send(
    method: string,
    path: string,
    agent: HttpAgent,
    timeoutMs: number,
    body?: object,
    contentType = 'application/json',
  ): Promise<IncomingMessage> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: OutgoingHttpHeaders = { Accept: 'application/json' };
    const token = await this.bearerToken();
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    if (payload !== undefined) {
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    const { protocol, hostname, port, pathPrefix } = this.server;
    const open = protocol === 'https:' ? httpsRequest : httpRequest;
    const attempt = (): Promise<IncomingMessage> =>
      new Promise<IncomingMessage>((resolve, reject) => {
        const outgoing = open(
          { protocol, hostname, port, path: `${pathPrefix}${path}`, method, headers, agent, timeout: timeoutMs },
          resolve,
        );
        outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        outgoing.on('error', (error: NodeJS.ErrnoException) => {
          // The server closed this idle kept-alive connection as the request left on it: it never read the request.
          if (outgoing.reusedSocket && error.code === 'ECONNRESET') resolve(attempt());
          else reject(new KubeApiError(method, path, 0, 'Unreachable', error.message));
        });
        outgoing.end(payload);
      });
    return attempt();
  }

  private async bearerToken(): Promise<string | undefined> {
    const source = this.credentials.token;
    if (source.kind === 'none') return undefined;
    if (source.kind === 'value') return source.token;
    if (this.token !== undefined && Date.now() < this.token.until) return this.token.value;
    const value = (await readFile(source.path, 'utf8')).trim();
    this.token = { value, until: Date.now() + TOKEN_TTL_MS };
    return value;
  }

  private createAgent(keepAlive: boolean): HttpAgent {
    if (this.credentials.server.protocol !== 'https:') return new HttpAgent({ keepAlive, maxSockets: keepAlive ? MAX_SOCKETS : Infinity });
    const { ca, clientCertificate, clientKey, skipTlsVerify } = this.credentials;
    return new HttpsAgent({
      keepAlive,
      maxSockets: keepAlive ? MAX_SOCKETS : Infinity,
      ca,
      cert: clientCertificate,
      key: clientKey,
      rejectUnauthorized: !skipTlsVerify,
    });
  }
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

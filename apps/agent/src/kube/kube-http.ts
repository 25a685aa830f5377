import type { KubeConfig } from '@kubernetes/client-node';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
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
export const isAlreadyExists = (error: unknown): boolean => error instanceof KubeApiError && error.status === 409 && error.reason === 'AlreadyExists';

export interface ObjectList<T extends KubeObject> {
  items: T[];
  resourceVersion: string;
}

const REQUEST_TIMEOUT_MS = 30_000;
/** Credentials are asked of the client library at most this often (they may rotate, but not per request). */
const CREDENTIALS_TTL_MS = 10_000;
const TLS_FIELDS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

/**
 * JSON requests to the API server of the current kubeconfig context. Credentials come from the client library on
 * every request (in-cluster tokens are rotated); connections are kept alive across requests.
 */
export class KubeHttp {
  private readonly server: URL;
  private agent: HttpAgent | undefined;
  private credentials: { headers: OutgoingHttpHeaders; until: number } | undefined;

  constructor(private readonly config: KubeConfig) {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig names no current cluster');
    this.server = new URL(cluster.server);
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
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: OutgoingHttpHeaders = { ...(await this.authorizationHeaders()), Accept: 'application/json' };
    if (payload !== undefined) {
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    const url = new URL(`${this.server.pathname.replace(/\/$/, '')}${path}`, this.server);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<T>((resolve, reject) => {
      const outgoing = send(url, { method, headers, agent: this.agent, timeout: REQUEST_TIMEOUT_MS }, (response) => {
        readJson(response).then((answer) => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(answer as T);
          else reject(apiError(method, path, status, answer));
        }, reject);
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      outgoing.on('error', (error) => reject(new KubeApiError(method, path, 0, 'Unreachable', error.message)));
      outgoing.end(payload);
    });
  }

  private async authorizationHeaders(): Promise<OutgoingHttpHeaders> {
    if (this.credentials !== undefined && Date.now() < this.credentials.until) return this.credentials.headers;
    const options: RequestOptions = {};
    await this.config.applyToHTTPSOptions(options);
    this.agent ??= this.createAgent(options);
    const headers = { ...(options.headers as OutgoingHttpHeaders | undefined) };
    this.credentials = { headers, until: Date.now() + CREDENTIALS_TTL_MS };
    return headers;
  }

  close(): void {
    this.agent?.destroy();
  }

  private createAgent(options: RequestOptions): HttpAgent {
    if (this.server.protocol !== 'https:') return new HttpAgent({ keepAlive: true });
    const tls: Record<string, unknown> = {};
    for (const field of TLS_FIELDS) if (options[field] !== undefined) tls[field] = options[field];
    return new HttpsAgent({ keepAlive: true, ...tls });
  }
}

async function readJson(response: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function apiError(method: string, path: string, status: number, answer: unknown): KubeApiError {
  const statusBody = typeof answer === 'object' && answer !== null ? (answer as { reason?: unknown; message?: unknown }) : {};
  const reason = typeof statusBody.reason === 'string' ? statusBody.reason : 'Unknown';
  const message = typeof statusBody.message === 'string' ? statusBody.message : String(answer ?? '');
  return new KubeApiError(method, path, status, reason, message);
}

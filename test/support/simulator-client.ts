import { readKubeconfig } from '@flotilla/kube-sim';
import { Agent, fetch } from 'undici';

/** The few kinds the end-to-end tests create or read, with where the Kubernetes API serves them. */
const RESOURCES = {
  Namespace: { prefix: '/api/v1', plural: 'namespaces', namespaced: false },
  Service: { prefix: '/api/v1', plural: 'services', namespaced: true },
  Secret: { prefix: '/api/v1', plural: 'secrets', namespaced: true },
  Pod: { prefix: '/api/v1', plural: 'pods', namespaced: true },
  ReplicaSet: { prefix: '/apis/apps/v1', plural: 'replicasets', namespaced: true },
  Ingress: { prefix: '/apis/networking.k8s.io/v1', plural: 'ingresses', namespaced: true },
  VirtualService: { prefix: '/apis/networking.istio.io/v1beta1', plural: 'virtualservices', namespaced: true },
  DestinationRule: { prefix: '/apis/networking.istio.io/v1beta1', plural: 'destinationrules', namespaced: true },
} as const;

export type SimulatedKind = keyof typeof RESOURCES;

/** An object as the simulator serves it; a reader names the shape of the spec and status it reads. */
export interface SimulatedObject<Spec = unknown, Status = unknown> {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    creationTimestamp?: string;
  };
  spec?: Spec;
  status?: Status;
}

export class SimulatorRequestError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    body: string,
  ) {
    super(`${method} ${path} answered ${status}: ${body}`);
    this.name = 'SimulatorRequestError';
  }
}

/**
 * One cluster of the Kubernetes simulator, reached over its HTTP API like any client would, with the server
 * address, bearer token and certificate authority of the kubeconfig the simulator wrote for it.
 */
export class SimulatedClusterClient {
  private readonly dispatcher: Agent | undefined;

  constructor(
    readonly server: string,
    private readonly token: string,
    /** PEM of the certificate authority the server's certificate is checked against, for an https server. */
    certificateAuthority?: string,
  ) {
    this.dispatcher = certificateAuthority === undefined ? undefined : new Agent({ connect: { ca: certificateAuthority } });
  }

  static fromKubeconfig(text: string): SimulatedClusterClient {
    const access = readKubeconfig(text);
    if (!access) throw new Error('the kubeconfig names no server or token');
    return new SimulatedClusterClient(access.server, access.token, access.certificateAuthority);
  }

  /** Creates the object, or replaces it when it exists (the team's own objects, as `kubectl apply` would). */
  async apply(object: SimulatedObject): Promise<SimulatedObject> {
    const kind = object.kind as SimulatedKind;
    const namespace = object.metadata.namespace;
    const created = await this.request('POST', this.path(kind, namespace), object, [409]);
    if (created !== undefined) return created as SimulatedObject;
    const current = await this.get(kind, namespace, object.metadata.name);
    const replacement = { ...object, metadata: { ...object.metadata, resourceVersion: current?.metadata.resourceVersion } };
    return (await this.request('PUT', this.path(kind, namespace, object.metadata.name), replacement)) as SimulatedObject;
  }

  async get<Spec = unknown, Status = unknown>(
    kind: SimulatedKind,
    namespace: string | undefined,
    name: string,
  ): Promise<SimulatedObject<Spec, Status> | undefined> {
    return (await this.request('GET', this.path(kind, namespace, name), undefined, [404])) as SimulatedObject<Spec, Status> | undefined;
  }

  async list<Spec = unknown, Status = unknown>(
    kind: SimulatedKind,
    namespace: string,
    labelSelector?: string,
  ): Promise<SimulatedObject<Spec, Status>[]> {
    const query = labelSelector === undefined ? '' : `?labelSelector=${encodeURIComponent(labelSelector)}`;
    const list = (await this.request('GET', `${this.path(kind, namespace)}${query}`)) as { items: SimulatedObject<Spec, Status>[] };
    return list.items;
  }

  private path(kind: SimulatedKind, namespace: string | undefined, name?: string): string {
    const resource = RESOURCES[kind] as (typeof RESOURCES)[SimulatedKind] | undefined;
    if (!resource) throw new Error(`the simulator client knows no kind ${kind}; add it to RESOURCES`);
    const scope = resource.namespaced ? `/namespaces/${namespace ?? 'default'}` : '';
    return `${resource.prefix}${scope}/${resource.plural}${name === undefined ? '' : `/${name}`}`;
  }

  /** The answer's body, or undefined when the status is one of `tolerated`. */
  private async request(method: string, path: string, body?: unknown, tolerated: number[] = []): Promise<unknown> {
    const response = await fetch(`${this.server}${path}`, {
      method,
      dispatcher: this.dispatcher,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (tolerated.includes(response.status)) return undefined;
    const text = await response.text();
    if (!response.ok) throw new SimulatorRequestError(method, path, response.status, text);
    return JSON.parse(text) as unknown;
  }
}

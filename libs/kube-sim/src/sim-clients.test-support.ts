import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  NetworkingV1Api,
} from '@kubernetes/client-node';
import type { StatusBody } from './api-errors.js';
import type { KubeSim } from './kube-sim.js';

/** The official client's APIs for one cluster of a running simulator. */
export function clientsFor(sim: KubeSim, cluster: string) {
  const config = new KubeConfig();
  config.loadFromString(sim.kubeconfig(cluster));
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    batch: config.makeApiClient(BatchV1Api),
    networking: config.makeApiClient(NetworkingV1Api),
    coordination: config.makeApiClient(CoordinationV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
  };
}

export type SimClients = ReturnType<typeof clientsFor>;

/** The HTTP code and Status body of a request the server refused; fails when the request succeeded. */
export async function refusal(request: Promise<unknown>): Promise<{ code: number; status: StatusBody | undefined }> {
  try {
    await request;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body: unknown = typeof error.body === 'string' && error.body !== '' ? JSON.parse(error.body) : error.body;
    return { code: error.code, status: body as StatusBody | undefined };
  }
  throw new Error('the request succeeded but a refusal was expected');
}

/** Retries `probe` until it stops throwing, or rethrows its last error after `timeoutMs`. */
export async function eventually<T>(probe: () => T | Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

let namespaceCounter = 0;

/** Creates a fresh namespace so that tests sharing a simulator do not see each other's objects. */
export async function freshNamespace(clients: SimClients, prefix = 'test'): Promise<string> {
  namespaceCounter += 1;
  const name = `${prefix}-${namespaceCounter}`;
  await clients.core.createNamespace({ body: { metadata: { name } } });
  return name;
}

import { makeInformer, Watch, type KubernetesObject, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from './kube-sim.js';
import { clientsFor, eventually, freshNamespace, refusal, type SimClients } from './sim-clients.test-support.js';

interface Received {
  type: string;
  object: KubernetesObject & { code?: number; reason?: string };
}

/** Opens a watch with the official client and collects what it receives. */
async function collect(clients: SimClients, path: string, query: Record<string, string | boolean>) {
  const received: Received[] = [];
  let ended: unknown = 'open';
  const controller = await new Watch(clients.config).watch(
    path,
    query,
    (type, object: Received['object']) => received.push({ type, object }),
    (error: unknown) => {
      ended = error ?? null;
    },
  );
  return { received, ended: () => ended, stop: () => controller.abort() };
}

const summary = (received: readonly Received[]): string[] =>
  received.filter((event) => event.type !== 'BOOKMARK').map((event) => `${event.type} ${event.object.metadata?.name ?? ''}`);

describe('watch', () => {
  let sim: KubeSim;
  let clients: SimClients;
  beforeAll(async () => {
    sim = await startKubeSim({ clusters: ['a'], podReadyDelayMs: 20, bookmarkIntervalMs: 50 });
    clients = clientsFor(sim, 'a');
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('streams ADDED, MODIFIED and DELETED in resourceVersion order from a list', async () => {
    const namespace = await freshNamespace(clients, 'watch');
    await clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'before' } } });
    const listed = await clients.core.listNamespacedConfigMap({ namespace });
    const watch = await collect(clients, `/api/v1/namespaces/${namespace}/configmaps`, {
      resourceVersion: listed.metadata?.resourceVersion ?? '',
    });
    await clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'one' } } });
    await clients.core.replaceNamespacedConfigMap({ namespace, name: 'one', body: { metadata: { name: 'one' }, data: { a: '1' } } });
    await clients.core.deleteNamespacedConfigMap({ namespace, name: 'one' });
    await eventually(() => expect(summary(watch.received)).toEqual(['ADDED one', 'MODIFIED one', 'DELETED one']));
    const versions = watch.received.map((event) => Number(event.object.metadata?.resourceVersion));
    expect(versions).toEqual([...versions].sort((left, right) => left - right));
    watch.stop();
  });

  it('replays changes after a past resourceVersion, and starts with the current state without one', async () => {
    const namespace = await freshNamespace(clients, 'replay');
    const first = await clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'first' } } });
    await clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'second' } } });
    const replay = await collect(clients, `/api/v1/namespaces/${namespace}/configmaps`, {
      resourceVersion: first.metadata?.resourceVersion ?? '',
    });
    const fresh = await collect(clients, `/api/v1/namespaces/${namespace}/configmaps`, {});
    await eventually(() => {
      expect(summary(replay.received)).toEqual(['ADDED second']);
      expect(summary(fresh.received)).toEqual(['ADDED first', 'ADDED second']);
    });
    replay.stop();
    fresh.stop();
  });

  it('sends bookmarks carrying the current resourceVersion when allowed', async () => {
    const namespace = await freshNamespace(clients, 'bookmark');
    const watch = await collect(clients, `/api/v1/namespaces/${namespace}/configmaps`, { allowWatchBookmarks: true, resourceVersion: '1' });
    await clients.core.createNamespacedSecret({ namespace, body: { metadata: { name: 'elsewhere' } } });
    const latest = (await clients.core.listNamespacedSecret({ namespace })).metadata?.resourceVersion;
    await eventually(() => {
      const bookmarks = watch.received.filter((event) => event.type === 'BOOKMARK');
      expect(bookmarks.at(-1)?.object).toEqual({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: latest } });
    });
    watch.stop();
  });

  it('filters by selectors: objects leaving the selection are DELETED, entering it ADDED', async () => {
    const namespace = await freshNamespace(clients, 'selected');
    const watch = await collect(clients, `/api/v1/namespaces/${namespace}/configmaps`, {
      labelSelector: 'track=canary',
      resourceVersion: '0',
    });
    await clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'moving', labels: { track: 'stable' } } } });
    await clients.core.replaceNamespacedConfigMap({
      namespace,
      name: 'moving',
      body: { metadata: { name: 'moving', labels: { track: 'canary' } } },
    });
    await clients.core.replaceNamespacedConfigMap({
      namespace,
      name: 'moving',
      body: { metadata: { name: 'moving', labels: { track: 'canary' } }, data: { a: '1' } },
    });
    await clients.core.replaceNamespacedConfigMap({
      namespace,
      name: 'moving',
      body: { metadata: { name: 'moving', labels: { track: 'stable' } } },
    });
    await eventually(() => expect(summary(watch.received)).toEqual(['ADDED moving', 'MODIFIED moving', 'DELETED moving']));
    watch.stop();
  });

  it('serves Istio watches in the version asked for', async () => {
    const namespace = await freshNamespace(clients, 'istio');
    const watch = await collect(clients, `/apis/networking.istio.io/v1alpha3/namespaces/${namespace}/virtualservices`, {});
    await clients.custom.createNamespacedCustomObject({
      group: 'networking.istio.io',
      version: 'v1',
      namespace,
      plural: 'virtualservices',
      body: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'vs' }, spec: { hosts: ['a'] } },
    });
    await eventually(() =>
      expect(watch.received.map((event) => [event.type, event.object.apiVersion])).toEqual([['ADDED', 'networking.istio.io/v1alpha3']]),
    );
    watch.stop();
  });

  it('ends the stream after timeoutSeconds', async () => {
    const watch = await collect(clients, '/api/v1/namespaces/default/configmaps', { timeoutSeconds: '1' });
    await eventually(() => expect(watch.ended()).toBeNull(), 3000);
  });
});

describe('expired resourceVersions', () => {
  let sim: KubeSim;
  let clients: SimClients;
  beforeAll(async () => {
    sim = await startKubeSim({ clusters: ['a'], podReadyDelayMs: 20, watchHistoryLimit: 10 });
    clients = clientsFor(sim, 'a');
  });
  afterAll(async () => {
    await sim.stop();
  });

  const churn = async (namespace: string, writes: number): Promise<void> => {
    for (let index = 0; index < writes; index += 1)
      await clients.core.createNamespacedSecret({ namespace, body: { metadata: { generateName: 'churn-' } } });
  };

  it('answers a watch from a compacted resourceVersion with an ERROR event carrying 410 Expired', async () => {
    const namespace = await freshNamespace(clients, 'old');
    const old = (await clients.core.listNamespacedConfigMap({ namespace })).metadata?.resourceVersion ?? '';
    await churn(namespace, 15);
    const watch = await collect(clients, `/api/v1/namespaces/${namespace}/configmaps`, { resourceVersion: old });
    await eventually(() => {
      expect(watch.received).toEqual([
        { type: 'ERROR', object: expect.objectContaining({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 }) as unknown },
      ]);
      expect(watch.ended()).toBeNull();
    });
  });

  it('answers a list with a compacted continue token with 410 Expired', async () => {
    const namespace = await freshNamespace(clients, 'pages');
    for (const name of ['a', 'b', 'c']) await clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name } } });
    const first = await clients.core.listNamespacedConfigMap({ namespace, limit: 1 });
    await churn(namespace, 15);
    const { code, status } = await refusal(
      clients.core.listNamespacedConfigMap({ namespace, limit: 1, _continue: first.metadata?._continue }),
    );
    expect(code).toBe(410);
    expect(status).toMatchObject({ reason: 'Expired', code: 410 });
  });

  it('lets an informer recover by listing again after its watch resumes from a compacted resourceVersion', async () => {
    const namespace = await freshNamespace(clients, 'informer');
    await clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'initial' } } });
    let lists = 0;
    const informer = makeInformer<V1ConfigMap>(clients.config, `/api/v1/namespaces/${namespace}/configmaps`, () => {
      lists += 1;
      return clients.core.listNamespacedConfigMap({ namespace });
    });
    const added: string[] = [];
    informer.on('add', (object) => added.push(object.metadata?.name ?? ''));
    informer.on('error', () => undefined);
    await informer.start();
    await eventually(() => expect(added).toEqual(['initial']));

    await churn(namespace, 15);
    sim.dropWatches('a');
    await eventually(() => expect(lists).toBe(2));
    await clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'after-recovery' } } });
    await eventually(() =>
      expect(
        informer
          .list(namespace)
          .map((object) => object.metadata?.name)
          .sort(),
      ).toEqual(['after-recovery', 'initial']),
    );
    await informer.stop();
  });
});

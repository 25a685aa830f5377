import { PatchStrategy, setHeaderOptions, type CoreV1Event, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from './kube-sim.js';
import { clientsFor, eventually, freshNamespace, refusal, type SimClients } from './sim-clients.test-support.js';

let sim: KubeSim;
let clients: SimClients;

beforeAll(async () => {
  sim = await startKubeSim({ clusters: ['a', 'b'], podReadyDelayMs: 20 });
  clients = clientsFor(sim, 'a');
});
afterAll(async () => {
  await sim.stop();
});

const podSpec = { containers: [{ name: 'app', image: 'web:1' }] };
const replicaSetSpec = (replicas: number) => ({
  replicas,
  selector: { matchLabels: { app: 'web' } },
  template: { metadata: { labels: { app: 'web' } }, spec: podSpec },
});

interface KindCase {
  kind: string;
  body: (name: string) => KubernetesObject & Record<string, unknown>;
  /** The field changed by the replace step, and where to read it back. */
  change: (object: Record<string, unknown>) => void;
  read: (object: Record<string, unknown>) => unknown;
  expected: unknown;
  api: (clients: SimClients) => {
    create(namespace: string, body: object): Promise<unknown>;
    read(namespace: string, name: string): Promise<unknown>;
    replace(namespace: string, name: string, body: object): Promise<unknown>;
    list(namespace: string): Promise<{ items: unknown[] }>;
    remove(namespace: string, name: string): Promise<unknown>;
  };
}

const custom =
  (group: string, version: string, plural: string): KindCase['api'] =>
  ({ custom: api }) => ({
    create: (namespace, body) => api.createNamespacedCustomObject({ group, version, namespace, plural, body }),
    read: (namespace, name) => api.getNamespacedCustomObject({ group, version, namespace, plural, name }),
    replace: (namespace, name, body) => api.replaceNamespacedCustomObject({ group, version, namespace, plural, name, body }),
    list: (namespace) => api.listNamespacedCustomObject({ group, version, namespace, plural }) as Promise<{ items: unknown[] }>,
    remove: (namespace, name) => api.deleteNamespacedCustomObject({ group, version, namespace, plural, name }),
  });

const labelChange: Pick<KindCase, 'change' | 'read' | 'expected'> = {
  change: (object) => {
    (object['metadata'] as Record<string, unknown>)['labels'] = { changed: 'yes' };
  },
  read: (object) => (object['metadata'] as { labels?: Record<string, string> }).labels?.['changed'],
  expected: 'yes',
};

const customCases: KindCase[] = [
  ...['v1alpha3', 'v1beta1', 'v1'].map((version) => ({
    kind: `VirtualService ${version}`,
    group: 'networking.istio.io',
    version,
    plural: 'virtualservices',
    kindName: 'VirtualService',
    spec: { hosts: ['web'], http: [{ route: [{ destination: { host: 'web' }, weight: 100 }] }] },
  })),
  ...['v1alpha3', 'v1beta1', 'v1'].map((version) => ({
    kind: `DestinationRule ${version}`,
    group: 'networking.istio.io',
    version,
    plural: 'destinationrules',
    kindName: 'DestinationRule',
    spec: { host: 'web', subsets: [{ name: 'stable', labels: { app: 'web' } }] },
  })),
  ...['v1alpha1', 'v1alpha2', 'v1alpha3'].map((version) => ({
    kind: `TrafficSplit ${version}`,
    group: 'split.smi-spec.io',
    version,
    plural: 'trafficsplits',
    kindName: 'TrafficSplit',
    spec: { service: 'web', backends: [{ service: 'web-stable', weight: 100 }] },
  })),
  ...['v1', 'v1beta1'].map((version) => ({
    kind: `HTTPRoute ${version}`,
    group: 'gateway.networking.k8s.io',
    version,
    plural: 'httproutes',
    kindName: 'HTTPRoute',
    spec: { rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
  })),
].map(({ kind, group, version, plural, kindName, spec }) => ({
  kind,
  body: (name: string) => ({ apiVersion: `${group}/${version}`, kind: kindName, metadata: { name }, spec }),
  ...labelChange,
  api: custom(group, version, plural),
}));

const builtInCases: KindCase[] = [
  {
    kind: 'ConfigMap',
    body: (name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } }),
    change: (object) => {
      object['data'] = { a: '2' };
    },
    read: (object) => (object['data'] as Record<string, string>)['a'],
    expected: '2',
    api: ({ core }) => ({
      create: (namespace, body) => core.createNamespacedConfigMap({ namespace, body }),
      read: (namespace, name) => core.readNamespacedConfigMap({ namespace, name }),
      replace: (namespace, name, body) => core.replaceNamespacedConfigMap({ namespace, name, body }),
      list: (namespace) => core.listNamespacedConfigMap({ namespace }),
      remove: (namespace, name) => core.deleteNamespacedConfigMap({ namespace, name }),
    }),
  },
  {
    kind: 'Secret',
    body: (name) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: { token: 'abc' } }),
    ...labelChange,
    api: ({ core }) => ({
      create: (namespace, body) => core.createNamespacedSecret({ namespace, body }),
      read: (namespace, name) => core.readNamespacedSecret({ namespace, name }),
      replace: (namespace, name, body) => core.replaceNamespacedSecret({ namespace, name, body }),
      list: (namespace) => core.listNamespacedSecret({ namespace }),
      remove: (namespace, name) => core.deleteNamespacedSecret({ namespace, name }),
    }),
  },
  {
    kind: 'Service',
    body: (name) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } }),
    change: (object) => {
      (object['spec'] as Record<string, unknown>)['ports'] = [{ port: 8080 }];
    },
    read: (object) => (object['spec'] as { ports: Array<{ port: number; targetPort: number }> }).ports[0],
    expected: { port: 8080, targetPort: 8080, protocol: 'TCP' },
    api: ({ core }) => ({
      create: (namespace, body) => core.createNamespacedService({ namespace, body }),
      read: (namespace, name) => core.readNamespacedService({ namespace, name }),
      replace: (namespace, name, body) => core.replaceNamespacedService({ namespace, name, body }),
      list: (namespace) => core.listNamespacedService({ namespace }),
      remove: (namespace, name) => core.deleteNamespacedService({ namespace, name }),
    }),
  },
  {
    kind: 'Event',
    body: (name) => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name },
      involvedObject: { kind: 'Pod', name: 'x' },
      reason: 'Tested',
      message: 'm',
      type: 'Normal',
    }),
    change: (object) => {
      object['message'] = 'changed';
    },
    read: (object) => object['message'],
    expected: 'changed',
    api: ({ core }) => ({
      create: (namespace, body) => core.createNamespacedEvent({ namespace, body: body as CoreV1Event }),
      read: (namespace, name) => core.readNamespacedEvent({ namespace, name }),
      replace: (namespace, name, body) => core.replaceNamespacedEvent({ namespace, name, body: body as CoreV1Event }),
      list: (namespace) => core.listNamespacedEvent({ namespace }),
      remove: (namespace, name) => core.deleteNamespacedEvent({ namespace, name }),
    }),
  },
  {
    kind: 'Pod',
    body: (name) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { ...podSpec, restartPolicy: 'Never' } }),
    ...labelChange,
    api: ({ core }) => ({
      create: (namespace, body) => core.createNamespacedPod({ namespace, body }),
      read: (namespace, name) => core.readNamespacedPod({ namespace, name }),
      replace: (namespace, name, body) => core.replaceNamespacedPod({ namespace, name, body }),
      list: (namespace) => core.listNamespacedPod({ namespace }),
      remove: (namespace, name) => core.deleteNamespacedPod({ namespace, name }),
    }),
  },
  {
    kind: 'ReplicaSet',
    body: (name) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name }, spec: replicaSetSpec(0) }),
    change: (object) => {
      (object['spec'] as Record<string, unknown>)['minReadySeconds'] = 5;
    },
    read: (object) => (object['spec'] as Record<string, unknown>)['minReadySeconds'],
    expected: 5,
    api: ({ apps }) => ({
      create: (namespace, body) => apps.createNamespacedReplicaSet({ namespace, body }),
      read: (namespace, name) => apps.readNamespacedReplicaSet({ namespace, name }),
      replace: (namespace, name, body) => apps.replaceNamespacedReplicaSet({ namespace, name, body }),
      list: (namespace) => apps.listNamespacedReplicaSet({ namespace }),
      remove: (namespace, name) => apps.deleteNamespacedReplicaSet({ namespace, name }),
    }),
  },
  {
    kind: 'Job',
    body: (name) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name },
      spec: { suspend: true, template: { spec: { ...podSpec, restartPolicy: 'Never' } } },
    }),
    ...labelChange,
    api: ({ batch }) => ({
      create: (namespace, body) => batch.createNamespacedJob({ namespace, body }),
      read: (namespace, name) => batch.readNamespacedJob({ namespace, name }),
      replace: (namespace, name, body) => batch.replaceNamespacedJob({ namespace, name, body }),
      list: (namespace) => batch.listNamespacedJob({ namespace }),
      remove: (namespace, name) => batch.deleteNamespacedJob({ namespace, name }),
    }),
  },
  {
    kind: 'Ingress',
    body: (name) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name },
      spec: { rules: [{ host: 'web.example.com' }] },
    }),
    change: (object) => {
      (object['spec'] as Record<string, unknown>)['rules'] = [{ host: 'other.example.com' }];
    },
    read: (object) => (object['spec'] as { rules: Array<{ host: string }> }).rules[0]?.host,
    expected: 'other.example.com',
    api: ({ networking }) => ({
      create: (namespace, body) => networking.createNamespacedIngress({ namespace, body }),
      read: (namespace, name) => networking.readNamespacedIngress({ namespace, name }),
      replace: (namespace, name, body) => networking.replaceNamespacedIngress({ namespace, name, body }),
      list: (namespace) => networking.listNamespacedIngress({ namespace }),
      remove: (namespace, name) => networking.deleteNamespacedIngress({ namespace, name }),
    }),
  },
  {
    kind: 'Lease',
    body: (name) => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name },
      spec: { holderIdentity: 'agent-1', leaseDurationSeconds: 15 },
    }),
    change: (object) => {
      (object['spec'] as Record<string, unknown>)['holderIdentity'] = 'agent-2';
    },
    read: (object) => (object['spec'] as Record<string, unknown>)['holderIdentity'],
    expected: 'agent-2',
    api: ({ coordination }) => ({
      create: (namespace, body) => coordination.createNamespacedLease({ namespace, body }),
      read: (namespace, name) => coordination.readNamespacedLease({ namespace, name }),
      replace: (namespace, name, body) => coordination.replaceNamespacedLease({ namespace, name, body }),
      list: (namespace) => coordination.listNamespacedLease({ namespace }),
      remove: (namespace, name) => coordination.deleteNamespacedLease({ namespace, name }),
    }),
  },
];

describe('CRUD through the official client', () => {
  it.each([...builtInCases, ...customCases])('$kind: create, read, list, replace, delete', async (kindCase) => {
    const namespace = await freshNamespace(clients, 'crud');
    const api = kindCase.api(clients);
    const created = (await api.create(namespace, kindCase.body('one'))) as { metadata: Record<string, unknown> };
    expect(created.metadata).toMatchObject({ name: 'one', namespace, generation: 1 });
    expect(created.metadata['uid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(created.metadata['creationTimestamp'] as string | Date).getTime()).toBeGreaterThan(Date.now() - 60_000);

    expect((await api.list(namespace)).items).toHaveLength(1);

    // Simulated controllers (the kubelet for pods) may update the object between our read and our replace; a
    // real client re-reads and tries again on 409 (client-go's RetryOnConflict: up to 5 attempts), and so does this test.
    const replaceFromLatest = async (attemptsLeft: number): Promise<Record<string, unknown>> => {
      const read = JSON.parse(JSON.stringify(await api.read(namespace, 'one'))) as Record<string, unknown>;
      kindCase.change(read);
      try {
        return JSON.parse(JSON.stringify(await api.replace(namespace, 'one', read))) as Record<string, unknown>;
      } catch (error) {
        if ((error as { code?: number }).code !== 409 || attemptsLeft <= 1) throw error;
        return replaceFromLatest(attemptsLeft - 1);
      }
    };
    const replaced = await replaceFromLatest(5);
    expect(kindCase.read(replaced)).toEqual(kindCase.expected);
    expect(Number((replaced['metadata'] as { resourceVersion: string }).resourceVersion)).toBeGreaterThan(
      Number(created.metadata['resourceVersion']),
    );

    await api.remove(namespace, 'one');
    expect((await refusal(api.read(namespace, 'one'))).code).toBe(404);
  });

  it('creates namespaces as Active and lists them cluster-wide', async () => {
    const namespace = await freshNamespace(clients, 'ns');
    const read = await clients.core.readNamespace({ name: namespace });
    expect(read.status?.phase).toBe('Active');
    expect(read.metadata?.labels).toEqual({ 'kubernetes.io/metadata.name': namespace });
    const names = (await clients.core.listNamespace()).items.map((item) => item.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'kube-system', namespace]));
  });

  it('deleting a namespace deletes what is inside it', async () => {
    const namespace = await freshNamespace(clients, 'doomed');
    await clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'inside' } } });
    await clients.core.deleteNamespace({ name: namespace });
    expect((await refusal(clients.core.readNamespace({ name: namespace }))).code).toBe(404);
    expect(sim.list('a', { kind: 'ConfigMap', namespace })).toEqual([]);
  });

  it('fills in generateName, secret data and service cluster IPs', async () => {
    const namespace = await freshNamespace(clients);
    const generated = await clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { generateName: 'cfg-' } } });
    expect(generated.metadata?.name).toMatch(/^cfg-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const secret = await clients.core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 's' }, stringData: { token: 'abc' } },
    });
    expect(secret).toMatchObject({ type: 'Opaque', data: { token: Buffer.from('abc').toString('base64') } });
    const service = await clients.core.createNamespacedService({
      namespace,
      body: { metadata: { name: 'svc' }, spec: { ports: [{ port: 80 }] } },
    });
    expect(service.spec?.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
  });

  it('lists every namespace', async () => {
    const first = await freshNamespace(clients);
    const second = await freshNamespace(clients);
    for (const namespace of [first, second])
      await clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'everywhere', labels: { spread: 'yes' } } } });
    const listed = await clients.core.listConfigMapForAllNamespaces({ labelSelector: 'spread=yes' });
    expect(listed.items.map((item) => item.metadata?.namespace)).toEqual([first, second].sort());
  });
});

describe('generation and resourceVersion', () => {
  it('bumps generation on spec changes only and refuses stale updates with 409', async () => {
    const namespace = await freshNamespace(clients);
    const created = await clients.apps.createNamespacedReplicaSet({
      namespace,
      body: { metadata: { name: 'web' }, spec: replicaSetSpec(0) },
    });
    const labelled = await clients.apps.patchNamespacedReplicaSet(
      { namespace, name: 'web', body: { metadata: { labels: { a: 'b' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(labelled.metadata?.generation).toBe(1);
    const scaled = await clients.apps.patchNamespacedReplicaSet(
      { namespace, name: 'web', body: { spec: { replicas: 0, minReadySeconds: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(scaled.metadata?.generation).toBe(2);

    const stale = { ...created, spec: { ...created.spec, minReadySeconds: 9 } } as typeof created;
    const { code, status } = await refusal(clients.apps.replaceNamespacedReplicaSet({ namespace, name: 'web', body: stale }));
    expect(code).toBe(409);
    expect(status).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
      details: { name: 'web', group: 'apps', kind: 'replicasets' },
      message:
        'Operation cannot be fulfilled on replicasets.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    });
  });

  it('keeps one resourceVersion counter per cluster across kinds', async () => {
    const namespace = await freshNamespace(clients);
    const map = await clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'm' } } });
    const secret = await clients.core.createNamespacedSecret({ namespace, body: { metadata: { name: 's' } } });
    expect(Number(secret.metadata?.resourceVersion)).toBe(Number(map.metadata?.resourceVersion) + 1);
  });
});

describe('patches', () => {
  it('applies a merge patch', async () => {
    const namespace = await freshNamespace(clients);
    await clients.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'm', labels: { keep: 'yes', drop: 'yes' } }, data: { a: '1' } },
    });
    const patched = await clients.core.patchNamespacedConfigMap(
      { namespace, name: 'm', body: { metadata: { labels: { drop: null, added: 'yes' } }, data: { b: '2' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.metadata?.labels).toEqual({ keep: 'yes', added: 'yes' });
    expect(patched.data).toEqual({ a: '1', b: '2' });
  });

  it('applies a JSON patch and answers 422 when a test operation fails', async () => {
    const namespace = await freshNamespace(clients);
    await clients.apps.createNamespacedReplicaSet({ namespace, body: { metadata: { name: 'web' }, spec: replicaSetSpec(0) } });
    const patched = await clients.apps.patchNamespacedReplicaSet(
      {
        namespace,
        name: 'web',
        body: [
          { op: 'test', path: '/spec/replicas', value: 0 },
          { op: 'replace', path: '/spec/replicas', value: 0 },
          { op: 'add', path: '/metadata/annotations', value: { a: 'b' } },
        ],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(patched.metadata?.annotations).toEqual({ a: 'b' });
    const failed = await refusal(
      clients.apps.patchNamespacedReplicaSet(
        { namespace, name: 'web', body: [{ op: 'test', path: '/spec/replicas', value: 7 }] },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      ),
    );
    expect(failed.code).toBe(422);
  });

  it('applies a strategic merge patch by container name', async () => {
    const namespace = await freshNamespace(clients);
    await clients.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'two' },
        spec: {
          restartPolicy: 'Never',
          containers: [
            { name: 'app', image: 'app:1' },
            { name: 'proxy', image: 'proxy:1' },
          ],
        },
      },
    });
    const patched = await clients.core.patchNamespacedPod(
      { namespace, name: 'two', body: { spec: { containers: [{ name: 'app', image: 'app:2' }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(patched.spec?.containers.map((container) => container.image)).toEqual(['app:2', 'proxy:1']);
  });

  it('refuses a strategic merge patch on a custom resource with 415', async () => {
    const namespace = await freshNamespace(clients);
    const resource = { group: 'networking.istio.io', version: 'v1beta1', namespace, plural: 'virtualservices', name: 'vs' };
    await clients.custom.createNamespacedCustomObject({
      ...resource,
      body: { apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', metadata: { name: 'vs' }, spec: { hosts: ['a'] } },
    });
    const refused = await refusal(
      clients.custom.patchNamespacedCustomObject(
        { ...resource, body: { spec: { hosts: ['b'] } } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
    expect(refused.code).toBe(415);
    const merged = (await clients.custom.patchNamespacedCustomObject(
      { ...resource, body: { spec: { hosts: ['b'] } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as { apiVersion: string; spec: unknown };
    expect(merged).toMatchObject({ apiVersion: 'networking.istio.io/v1beta1', spec: { hosts: ['b'] } });
  });

  it('patches the status subresource without touching the spec, and the main resource without touching the status', async () => {
    const namespace = await freshNamespace(clients);
    const resource = { group: 'networking.istio.io', version: 'v1', namespace, plural: 'virtualservices', name: 'vs' };
    await clients.custom.createNamespacedCustomObject({
      ...resource,
      body: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'vs' }, spec: { hosts: ['a'] } },
    });
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    await clients.custom.patchNamespacedCustomObjectStatus(
      { ...resource, body: { spec: { hosts: ['ignored'] }, status: { observedGeneration: 1 } } },
      merge,
    );
    await clients.custom.patchNamespacedCustomObject(
      { ...resource, body: { spec: { hosts: ['b'] }, status: { observedGeneration: 99 } } },
      merge,
    );
    expect(sim.get('a', { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace, name: 'vs' })).toMatchObject({
      spec: { hosts: ['b'] },
      status: { observedGeneration: 1 },
      metadata: { generation: 2 },
    });
  });
});

describe('Status bodies', () => {
  it('404 NotFound names the resource', async () => {
    const { code, status } = await refusal(clients.core.readNamespacedPod({ namespace: 'default', name: 'absent' }));
    expect(code).toBe(404);
    expect(status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "absent" not found',
      reason: 'NotFound',
      details: { name: 'absent', kind: 'pods' },
      code: 404,
    });
  });

  it('409 AlreadyExists on a second create', async () => {
    const namespace = await freshNamespace(clients);
    await clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'm' } } });
    const { code, status } = await refusal(clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'm' } } }));
    expect(code).toBe(409);
    expect(status).toMatchObject({
      reason: 'AlreadyExists',
      message: 'configmaps "m" already exists',
      details: { name: 'm', kind: 'configmaps' },
    });
  });

  it.each([
    ['a pod without containers', { metadata: { name: 'empty' }, spec: { containers: [] } }, 'spec.containers'],
    ['a pod with an invalid name', { metadata: { name: 'Not_Valid' }, spec: podSpec }, 'metadata.name'],
    ['a pod without a name', { spec: podSpec }, 'metadata.name'],
  ])('422 Invalid for %s', async (_, body, field) => {
    const namespace = await freshNamespace(clients);
    const { code, status } = await refusal(clients.core.createNamespacedPod({ namespace, body }));
    expect(code).toBe(422);
    expect(status).toMatchObject({ reason: 'Invalid', code: 422, details: { kind: 'Pod', causes: [expect.objectContaining({ field })] } });
  });

  it('422 Invalid when a ReplicaSet selector does not match its template, or changes', async () => {
    const namespace = await freshNamespace(clients);
    const mismatched = await refusal(
      clients.apps.createNamespacedReplicaSet({
        namespace,
        body: { metadata: { name: 'web' }, spec: { ...replicaSetSpec(0), selector: { matchLabels: { app: 'other' } } } },
      }),
    );
    expect(mismatched.status?.details?.causes?.[0]?.field).toBe('spec.template.metadata.labels');
    await clients.apps.createNamespacedReplicaSet({ namespace, body: { metadata: { name: 'web' }, spec: replicaSetSpec(0) } });
    const immutable = await refusal(
      clients.apps.patchNamespacedReplicaSet(
        { namespace, name: 'web', body: { spec: { selector: { matchLabels: { app: 'web', extra: 'x' } } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(immutable.status).toMatchObject({
      code: 422,
      details: {
        causes: expect.arrayContaining([
          expect.objectContaining({ field: 'spec.selector', message: expect.stringContaining('field is immutable') as string }),
        ]) as unknown,
      },
    });
  });

  it('404 when creating in a namespace that does not exist', async () => {
    const { status } = await refusal(clients.core.createNamespacedConfigMap({ namespace: 'nowhere', body: { metadata: { name: 'm' } } }));
    expect(status).toMatchObject({ code: 404, message: 'namespaces "nowhere" not found' });
  });

  it('401 Unauthorized without the bearer token of the cluster', async () => {
    const response = await fetch(`${sim.clusterUrl('a')}/api/v1/namespaces`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const withOtherToken = await fetch(`${sim.clusterUrl('a')}/api/v1/namespaces`, {
      headers: { authorization: `Bearer ${tokenOf('b')}` },
    });
    expect(withOtherToken.status).toBe(401);
  });

  it('serves https when asked, with a kubeconfig that trusts its certificate', async () => {
    const secure = await startKubeSim({ clusters: ['a'], tls: true });
    try {
      expect(secure.clusterUrl('a')).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/clusters\/a$/);
      const names = (await clientsFor(secure, 'a').core.listNamespace()).items.map((namespace) => namespace.metadata?.name);
      expect(names).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    } finally {
      await secure.stop();
    }
  });

  it('405 MethodNotAllowed and 404 for unknown paths', async () => {
    const headers = { authorization: `Bearer ${tokenOf('a')}` };
    expect((await fetch(`${sim.clusterUrl('a')}/api/v1/namespaces/default/pods`, { method: 'PUT', headers })).status).toBe(405);
    const unknown = await fetch(`${sim.clusterUrl('a')}/apis/apps/v1/namespaces/default/deployments`, { headers });
    expect(await unknown.json()).toMatchObject({ reason: 'NotFound', code: 404 });
  });
});

function tokenOf(cluster: string): string {
  return /token: (\S+)/.exec(sim.kubeconfig(cluster))?.[1] ?? '';
}

describe('selectors and pagination', () => {
  let namespace: string;
  beforeAll(async () => {
    namespace = await freshNamespace(clients, 'select');
    const labelled: Array<[string, Record<string, string>]> = [
      ['alpha', { app: 'web', tier: 'front' }],
      ['bravo', { app: 'web', tier: 'back', canary: 'true' }],
      ['charlie', { app: 'db', tier: 'back' }],
      ['delta', { app: 'cache' }],
      ['echo', {}],
    ];
    for (const [name, labels] of labelled)
      await clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name, labels } } });
  });

  it.each([
    ['app=web', ['alpha', 'bravo']],
    ['app!=web', ['charlie', 'delta', 'echo']],
    ['app in (db,cache)', ['charlie', 'delta']],
    ['app notin (web),tier', ['charlie']],
    ['!canary,app=web', ['alpha']],
    ['tier,app=web,tier!=front', ['bravo']],
  ])('labelSelector %j', async (labelSelector, expected) => {
    const listed = await clients.core.listNamespacedConfigMap({ namespace, labelSelector });
    expect(listed.items.map((item) => item.metadata?.name)).toEqual(expected);
  });

  it.each([
    ['metadata.name=charlie', ['charlie']],
    ['metadata.name!=charlie', ['alpha', 'bravo', 'delta', 'echo']],
  ])('fieldSelector %j', async (fieldSelector, expected) => {
    const listed = await clients.core.listNamespacedConfigMap({ namespace, fieldSelector });
    expect(listed.items.map((item) => item.metadata?.name)).toEqual(expected);
  });

  it('selects pods by status.phase and refuses fields a resource does not index', async () => {
    await clients.core.createNamespacedPod({ namespace, body: { metadata: { name: 'runner' }, spec: podSpec } });
    await eventually(async () => {
      const running = await clients.core.listNamespacedPod({ namespace, fieldSelector: 'status.phase=Running' });
      expect(running.items.map((item) => item.metadata?.name)).toEqual(['runner']);
    });
    const refused = await refusal(clients.core.listNamespacedConfigMap({ namespace, fieldSelector: 'status.phase=Running' }));
    expect(refused.status).toMatchObject({ code: 400, reason: 'BadRequest', message: 'field label not supported: status.phase' });
    const malformed = await refusal(clients.core.listNamespacedConfigMap({ namespace, labelSelector: 'app in (web' }));
    expect(malformed.code).toBe(400);
  });

  it('pages with limit and continue', async () => {
    const first = await clients.core.listNamespacedConfigMap({ namespace, limit: 2 });
    expect(first.items.map((item) => item.metadata?.name)).toEqual(['alpha', 'bravo']);
    expect(first.metadata?.remainingItemCount).toBe(3);
    const second = await clients.core.listNamespacedConfigMap({ namespace, limit: 2, _continue: first.metadata?._continue });
    expect(second.items.map((item) => item.metadata?.name)).toEqual(['charlie', 'delta']);
    expect(second.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
    const last = await clients.core.listNamespacedConfigMap({ namespace, limit: 2, _continue: second.metadata?._continue });
    expect(last.items.map((item) => item.metadata?.name)).toEqual(['echo']);
    expect(last.metadata?._continue).toBeUndefined();
  });

  it('deletes a collection by label', async () => {
    const scratch = await freshNamespace(clients);
    for (const name of ['x', 'y', 'z'])
      await clients.core.createNamespacedConfigMap({
        namespace: scratch,
        body: { metadata: { name, labels: { group: name === 'z' ? 'keep' : 'drop' } } },
      });
    await clients.core.deleteCollectionNamespacedConfigMap({ namespace: scratch, labelSelector: 'group=drop' });
    expect((await clients.core.listNamespacedConfigMap({ namespace: scratch })).items.map((item) => item.metadata?.name)).toEqual(['z']);
  });
});

describe('clusters', () => {
  it('keeps two clusters isolated', async () => {
    const other = clientsFor(sim, 'b');
    await clients.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'only-in-a' } } });
    expect((await refusal(other.core.readNamespacedConfigMap({ namespace: 'default', name: 'only-in-a' }))).code).toBe(404);
    expect(sim.get('a', { kind: 'ConfigMap', namespace: 'default', name: 'only-in-a' })).toBeDefined();
    expect(sim.get('b', { kind: 'ConfigMap', namespace: 'default', name: 'only-in-a' })).toBeUndefined();
  });

  it('adds a cluster while running', async () => {
    sim.addCluster('c');
    const added = clientsFor(sim, 'c');
    expect(sim.clusterUrl('c')).toBe(`${sim.url}/clusters/c`);
    expect((await added.core.listNamespace()).items.length).toBe(4);
  });
});

describe('discovery', () => {
  const discover = async (path: string): Promise<Record<string, unknown>> => {
    const response = await fetch(`${sim.clusterUrl('a')}${path}`, { headers: { authorization: `Bearer ${tokenOf('a')}` } });
    return (await response.json()) as Record<string, unknown>;
  };

  it.each([
    ['/api/v1', 'pods', { kind: 'Pod', namespaced: true, shortNames: ['po'] }],
    ['/api/v1', 'namespaces', { kind: 'Namespace', namespaced: false, shortNames: ['ns'] }],
    ['/api/v1', 'pods/status', { kind: 'Pod', verbs: ['get', 'patch', 'update'] }],
    ['/apis/apps/v1', 'replicasets/scale', { kind: 'Scale', group: 'autoscaling', version: 'v1' }],
    [
      '/apis/apps/v1',
      'replicasets',
      {
        kind: 'ReplicaSet',
        shortNames: ['rs'],
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      },
    ],
    ['/apis/networking.istio.io/v1alpha3', 'virtualservices', { kind: 'VirtualService', shortNames: ['vs'] }],
    ['/apis/split.smi-spec.io/v1alpha2', 'trafficsplits', { kind: 'TrafficSplit' }],
    ['/apis/gateway.networking.k8s.io/v1beta1', 'httproutes', { kind: 'HTTPRoute' }],
    ['/apis/coordination.k8s.io/v1', 'leases', { kind: 'Lease' }],
  ])('%s lists %s', async (path, name, expected) => {
    const list = (await discover(path)) as { kind: string; resources: Array<{ name: string }> };
    expect(list.kind).toBe('APIResourceList');
    expect(list.resources.find((resource) => resource.name === name)).toMatchObject(expected);
  });

  it('lists groups with their preferred versions', async () => {
    const groups = (await discover('/apis')) as { groups: Array<{ name: string; preferredVersion: { version: string } }> };
    expect(groups.groups.map((group) => `${group.name}:${group.preferredVersion.version}`)).toEqual(
      expect.arrayContaining([
        'apps:v1',
        'batch:v1',
        'networking.istio.io:v1',
        'split.smi-spec.io:v1alpha3',
        'gateway.networking.k8s.io:v1',
      ]),
    );
    expect(await discover('/version')).toMatchObject({ major: '1', gitVersion: expect.stringMatching(/^v1\.\d+/) as string });
    expect(await discover('/api')).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
  });
});

import { PatchStrategy, setHeaderOptions, type CoreV1Event, type V1Job, type V1Pod, type V1ReplicaSet } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from './kube-sim.js';
import { clientsFor, eventually, freshNamespace, type SimClients } from './sim-clients.test-support.js';

let sim: KubeSim;
let clients: SimClients;

beforeAll(async () => {
  sim = await startKubeSim({
    clusters: ['a'],
    podReadyDelayMs: 30,
    crashLoopIntervalMs: 40,
    imageBehaviour: (image) =>
      image.endsWith(':bad') || image.endsWith(':fail')
        ? 'crash'
        : image.endsWith(':missing') || image.startsWith('private/')
          ? 'pull-error'
          : 'run',
  });
  clients = clientsFor(sim, 'a');
});
afterAll(async () => {
  await sim.stop();
});

const replicaSet = (name: string, replicas: number, image: string, extra: Record<string, unknown> = {}) => ({
  metadata: { name, labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name, 'rollouts-pod-template-hash': 'abc123' } },
      spec: { containers: [{ name: 'app', image }] },
    },
    ...extra,
  },
});

const podsOf = (namespace: string, selector: string): V1Pod[] => sim.list<V1Pod>('a', { kind: 'Pod', namespace, labelSelector: selector });
const replicaSetStatus = (namespace: string, name: string) =>
  sim.get<V1ReplicaSet>('a', { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace, name })?.status;
const eventReasons = (namespace: string, name: string): string[] =>
  sim.list<CoreV1Event>('a', { kind: 'Event', namespace, fieldSelector: `involvedObject.name=${name}` }).map((event) => event.reason ?? '');

describe('ReplicaSet controller', () => {
  it('creates owned, labelled pods that become Ready, and scales down again', async () => {
    const namespace = await freshNamespace(clients, 'rs');
    const created = await clients.apps.createNamespacedReplicaSet({ namespace, body: replicaSet('web', 3, 'web:1') });
    await eventually(() =>
      expect(replicaSetStatus(namespace, 'web')).toEqual({
        replicas: 3,
        fullyLabeledReplicas: 3,
        readyReplicas: 3,
        availableReplicas: 3,
        observedGeneration: 1,
      }),
    );
    const pods = podsOf(namespace, 'app=web');
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.metadata?.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(pod.metadata?.labels).toEqual({ app: 'web', 'rollouts-pod-template-hash': 'abc123' });
      expect(pod.metadata?.ownerReferences).toEqual([
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: created.metadata?.uid, controller: true, blockOwnerDeletion: true },
      ]);
      expect(pod.status).toMatchObject({ phase: 'Running', podIP: expect.stringMatching(/^10\.244\./) as string });
      expect(pod.status?.conditions?.find((condition) => condition.type === 'Ready')?.status).toBe('True');
      expect(pod.status?.containerStatuses?.[0]).toMatchObject({ ready: true, restartCount: 0, state: { running: {} } });
    }

    await clients.apps.patchNamespacedReplicaSetScale(
      { namespace, name: 'web', body: { spec: { replicas: 1 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually(() =>
      expect(replicaSetStatus(namespace, 'web')).toEqual({
        replicas: 1,
        fullyLabeledReplicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
        observedGeneration: 2,
      }),
    );
    expect(podsOf(namespace, 'app=web')).toHaveLength(1);
    expect(eventReasons(namespace, 'web')).toEqual(expect.arrayContaining(['ScalingReplicaSet', 'SuccessfulCreate', 'SuccessfulDelete']));
    const scaling = sim
      .list<CoreV1Event>('a', { kind: 'Event', namespace, fieldSelector: 'involvedObject.name=web,reason=ScalingReplicaSet' })
      .map((event) => event.message);
    expect(scaling.sort()).toEqual(['Scaled down replica set web from 3 to 1', 'Scaled up replica set web from 0 to 3']);
  });

  it('reports pods as available only after minReadySeconds', async () => {
    const namespace = await freshNamespace(clients, 'minready');
    await clients.apps.createNamespacedReplicaSet({ namespace, body: replicaSet('slow', 2, 'web:1', { minReadySeconds: 1 }) });
    await eventually(() => expect(replicaSetStatus(namespace, 'slow')?.readyReplicas).toBe(2));
    expect(replicaSetStatus(namespace, 'slow')?.availableReplicas).toBeUndefined();
    await eventually(() => expect(replicaSetStatus(namespace, 'slow')?.availableReplicas).toBe(2), 4000);
  });

  it('reads and writes the scale subresource', async () => {
    const namespace = await freshNamespace(clients, 'scale');
    await clients.apps.createNamespacedReplicaSet({ namespace, body: replicaSet('sized', 2, 'web:1') });
    await eventually(() => expect(replicaSetStatus(namespace, 'sized')?.replicas).toBe(2));
    const scale = await clients.apps.readNamespacedReplicaSetScale({ namespace, name: 'sized' });
    expect(scale).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 2 },
      status: { replicas: 2, selector: 'app=sized' },
    });
    await clients.apps.replaceNamespacedReplicaSetScale({ namespace, name: 'sized', body: { ...scale, spec: { replicas: 4 } } });
    await eventually(() => expect(podsOf(namespace, 'app=sized')).toHaveLength(4));
  });

  it('reports FailedCreate while a ResourceQuota refuses its pods, and creates them once there is room', async () => {
    const namespace = await freshNamespace(clients, 'quota');
    await clients.core.createNamespacedResourceQuota({ namespace, body: { metadata: { name: 'pods' }, spec: { hard: { pods: '2' } } } });
    const refused = await clients.core
      .createNamespacedPod({ namespace, body: { metadata: { name: 'first' }, spec: { containers: [{ name: 'app', image: 'web:1' }] } } })
      .then(() =>
        clients.core.createNamespacedPod({
          namespace,
          body: { metadata: { name: 'second' }, spec: { containers: [{ name: 'app', image: 'web:1' }] } },
        }),
      )
      .then(() =>
        clients.core.createNamespacedPod({
          namespace,
          body: { metadata: { name: 'third' }, spec: { containers: [{ name: 'app', image: 'web:1' }] } },
        }),
      )
      .then(
        () => undefined,
        (error: { code?: number; body?: string }) => error,
      );
    expect(refused?.code).toBe(403);
    expect(refused?.body).toContain(
      'pods \\"third\\" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2',
    );
    await clients.core.deleteNamespacedPod({ namespace, name: 'second' });
    await clients.core.deleteNamespacedPod({ namespace, name: 'first' });

    await clients.core.replaceNamespacedResourceQuota({
      namespace,
      name: 'pods',
      body: { metadata: { name: 'pods' }, spec: { hard: { pods: '1' } } },
    });
    await clients.apps.createNamespacedReplicaSet({ namespace, body: replicaSet('capped', 3, 'web:1') });
    await eventually(() =>
      expect(replicaSetStatus(namespace, 'capped')?.conditions).toEqual([
        {
          type: 'ReplicaFailure',
          status: 'True',
          lastTransitionTime: expect.any(String) as unknown,
          reason: 'FailedCreate',
          message: expect.stringContaining('exceeded quota: pods, requested: pods=1, used: pods=1, limited: pods=1') as unknown,
        },
      ]),
    );
    expect(podsOf(namespace, 'app=capped')).toHaveLength(1);
    expect(eventReasons(namespace, 'capped')).toEqual(expect.arrayContaining(['SuccessfulCreate', 'FailedCreate']));

    await clients.core.deleteNamespacedResourceQuota({ namespace, name: 'pods' });
    await eventually(() => expect(replicaSetStatus(namespace, 'capped')).toMatchObject({ replicas: 3, readyReplicas: 3 }), 4000);
    expect(replicaSetStatus(namespace, 'capped')?.conditions).toBeUndefined();
  });

  it('crash-loops a bad image with a growing restartCount and BackOff events', async () => {
    const namespace = await freshNamespace(clients, 'crash');
    await clients.apps.createNamespacedReplicaSet({ namespace, body: replicaSet('broken', 1, 'web:bad') });
    const pod = await eventually(() => {
      const [candidate] = podsOf(namespace, 'app=broken');
      expect(candidate?.status?.containerStatuses?.[0]?.restartCount).toBeGreaterThanOrEqual(3);
      return candidate as V1Pod;
    });
    expect(pod.status?.containerStatuses?.[0]).toMatchObject({
      ready: false,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { exitCode: 1 } },
    });
    expect(pod.status?.conditions?.find((condition) => condition.type === 'Ready')?.status).toBe('False');
    const backOff = sim.list<CoreV1Event>('a', {
      kind: 'Event',
      namespace,
      fieldSelector: `involvedObject.name=${pod.metadata?.name ?? ''},reason=BackOff`,
    })[0];
    expect(backOff).toMatchObject({ type: 'Warning', source: { component: 'kubelet' } });
    expect(backOff?.count).toBeGreaterThanOrEqual(2);
    expect(replicaSetStatus(namespace, 'broken')).toEqual({ replicas: 1, fullyLabeledReplicas: 1, observedGeneration: 1 });
  });

  it.each([['web:missing'], ['private/web:1']])('%s stays Pending in ImagePullBackOff', async (image) => {
    const namespace = await freshNamespace(clients, 'pull');
    await clients.core.createNamespacedPod({
      namespace,
      body: { metadata: { name: 'unpullable' }, spec: { containers: [{ name: 'app', image }] } },
    });
    await eventually(() => {
      const pod = sim.get<V1Pod>('a', { kind: 'Pod', namespace, name: 'unpullable' });
      expect(pod?.status?.phase).toBe('Pending');
      expect(pod?.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('ImagePullBackOff');
    });
    expect(eventReasons(namespace, 'unpullable')).toEqual(expect.arrayContaining(['Scheduled', 'Failed', 'BackOff']));
  });
});

describe('Job controller', () => {
  const job = (name: string, image: string, backoffLimit = 1) => ({
    metadata: { name },
    spec: { backoffLimit, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'check', image }] } } },
  });
  const jobOf = (namespace: string, name: string) => sim.get<V1Job>('a', { kind: 'Job', namespace, name }) ?? {};
  const conditionTypes = (current: V1Job): string[] =>
    (current.status?.conditions ?? []).filter((condition) => condition.status === 'True').map((condition) => condition.type);

  it('runs a Job to Complete', async () => {
    const namespace = await freshNamespace(clients, 'job');
    const created = await clients.batch.createNamespacedJob({ namespace, body: job('smoke', 'check:1') });
    expect(created.spec?.selector?.matchLabels).toEqual({ 'batch.kubernetes.io/controller-uid': created.metadata?.uid });
    await eventually(() => expect(conditionTypes(jobOf(namespace, 'smoke'))).toEqual(['SuccessCriteriaMet', 'Complete']));
    expect(jobOf(namespace, 'smoke').status).toMatchObject({ succeeded: 1, ready: 0 });
    expect(jobOf(namespace, 'smoke').status?.failed).toBeUndefined();
    expect(podsOf(namespace, 'job-name=smoke').map((pod) => pod.status?.phase)).toEqual(['Succeeded']);
    expect(eventReasons(namespace, 'smoke')).toEqual(expect.arrayContaining(['SuccessfulCreate', 'Completed']));
  });

  it('retries a failing Job up to backoffLimit, then marks it Failed', async () => {
    const namespace = await freshNamespace(clients, 'jobfail');
    await clients.batch.createNamespacedJob({ namespace, body: job('broken', 'check:fail', 1) });
    await eventually(() => expect(conditionTypes(jobOf(namespace, 'broken'))).toEqual(['FailureTarget', 'Failed']));
    expect(jobOf(namespace, 'broken').status).toMatchObject({ failed: 2 });
    expect(jobOf(namespace, 'broken').status?.conditions?.find((condition) => condition.type === 'Failed')?.reason).toBe(
      'BackoffLimitExceeded',
    );
    expect(podsOf(namespace, 'job-name=broken').map((pod) => pod.status?.phase)).toEqual(['Failed', 'Failed']);
  });
});

describe('garbage collection', () => {
  it.each([
    ['Background', 0],
    ['Foreground', 0],
    ['Orphan', 2],
  ] as const)(
    'deleting a ReplicaSet with propagationPolicy %s leaves %d pods, none of them owned',
    async (propagationPolicy, remaining) => {
      const namespace = await freshNamespace(clients, 'gc');
      await clients.apps.createNamespacedReplicaSet({ namespace, body: replicaSet('owner', 2, 'web:1') });
      await eventually(() => expect(podsOf(namespace, 'app=owner')).toHaveLength(2));
      await clients.apps.deleteNamespacedReplicaSet({ namespace, name: 'owner', propagationPolicy });
      const owners = podsOf(namespace, 'app=owner').map((pod) => pod.metadata?.ownerReferences);
      expect(owners).toEqual(Array.from({ length: remaining }, () => undefined));
    },
  );

  it('orphans the pods of a deleted Job by default, as batch/v1 does', async () => {
    const namespace = await freshNamespace(clients, 'jobgc');
    await clients.batch.createNamespacedJob({
      namespace,
      body: {
        metadata: { name: 'left' },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'c:1' }] } } },
      },
    });
    await eventually(() => expect(podsOf(namespace, 'job-name=left')).toHaveLength(1));
    await clients.batch.deleteNamespacedJob({ namespace, name: 'left' });
    expect(podsOf(namespace, 'job-name=left')).toHaveLength(1);
  });

  it('keeps an object with finalizers until they are removed', async () => {
    const namespace = await freshNamespace(clients, 'final');
    await clients.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'held', finalizers: ['example.com/hold'] } } });
    await clients.core.deleteNamespacedConfigMap({ namespace, name: 'held' });
    const held = await clients.core.readNamespacedConfigMap({ namespace, name: 'held' });
    expect(held.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    await clients.core.patchNamespacedConfigMap(
      { namespace, name: 'held', body: { metadata: { finalizers: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(sim.get('a', { kind: 'ConfigMap', namespace, name: 'held' })).toBeUndefined();
  });
});

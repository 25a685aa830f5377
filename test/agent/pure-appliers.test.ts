import { describe, expect, it } from 'vitest';
import type { DesiredExperimentService } from '@flotilla/protocol';
import type { PodObject, ReplicaSetObject, ServiceObject } from '../../apps/agent/src/kube/kube-object.js';
import { podProblems } from '../../apps/agent/src/observe/observed-replica-set.js';
import { desiredReplicaSet, desiredRouting } from '../../tools/src/agent-harness/desired-rollouts.js';
import { podMetadataPatch } from '../../apps/agent/src/apply/ephemeral-pod-metadata.js';
import { experimentServiceManifest, experimentServicePatch } from '../../apps/agent/src/apply/experiment-service-manifest.js';
import { exactMapPatch, isOwnedBy, ownerOf, sameJson } from '../../apps/agent/src/apply/ownership.js';
import { replicaSetManifest, replicaSetPatch, selectorLabels } from '../../apps/agent/src/apply/replica-set-manifest.js';
import { podsToRestart } from '../../apps/agent/src/apply/restart.js';
import { destinationRuleSubsets, virtualServiceRoutes } from '../../apps/agent/src/apply/traffic/istio.js';

const routing = desiredRouting;

describe('exactMapPatch', () => {
  it.each([
    [{ a: '1' }, { a: '1' }, undefined],
    [
      { a: '1', b: '2' },
      { a: '1', c: '3' },
      { b: null, c: '3' },
    ],
    [undefined, { a: '1' }, { a: '1' }],
  ])('from %j to %j is %j', (current, desired, expected) => {
    expect(exactMapPatch(current, desired)).toEqual(expected);
  });
});

describe('sameJson', () => {
  it.each([
    [{ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 }, true],
    [{ a: 1, gone: undefined }, { a: 1 }, true],
    [[undefined], [null], true],
    [{ a: null }, { b: undefined, a: null }, true],
    [{ a: null }, { a: undefined, b: 1 }, false],
    [{ a: [1, 2] }, { a: [2, 1] }, false],
    [{ a: { b: 1 } }, { a: { b: '1' } }, false],
    [[], {}, false],
  ])('%j and %j: %s', (left, right, expected) => {
    expect(sameJson(left, right)).toBe(expected);
    expect(sameJson(right, left)).toBe(expected);
  });
});

describe('ownership', () => {
  const rolloutKey = { namespace: 'shop', name: 'web' };
  const experimentKey = { namespace: 'shop', name: 'web', kind: 'Experiment' } as const;
  const labelled = (labels: Record<string, string>, namespace = 'shop') => ({ metadata: { name: 'x', namespace, labels } });

  it.each([
    ['a rollout ReplicaSet to its rollout', { 'app.kubernetes.io/managed-by': 'flotilla', 'flotilla.io/rollout': 'web' }, rolloutKey],
    [
      "a rollout's experiment ReplicaSet to the rollout",
      { 'app.kubernetes.io/managed-by': 'flotilla', 'flotilla.io/rollout': 'web', 'flotilla.io/experiment': 'web-3-exp' },
      rolloutKey,
    ],
    [
      "a standalone experiment's ReplicaSet to the experiment",
      { 'app.kubernetes.io/managed-by': 'flotilla', 'flotilla.io/experiment': 'web' },
      experimentKey,
    ],
    ['an object the agent did not create to nobody', { 'flotilla.io/rollout': 'web' }, undefined],
  ])('gives %s', (_label, labels, owner) => {
    expect(ownerOf(labelled(labels))).toEqual(owner);
  });

  it("never lets a rollout and a standalone experiment of the same name own each other's objects", () => {
    const experimentObject = labelled(
      replicaSetManifest(experimentKey, desiredReplicaSet('web', { hash: 'x1', replicas: 1 })).metadata.labels ?? {},
    );
    const rolloutObject = labelled(
      replicaSetManifest(rolloutKey, desiredReplicaSet('web', { hash: 'r1', replicas: 1 })).metadata.labels ?? {},
    );
    expect([isOwnedBy(experimentObject, experimentKey), isOwnedBy(experimentObject, rolloutKey)]).toEqual([true, false]);
    expect([isOwnedBy(rolloutObject, rolloutKey), isOwnedBy(rolloutObject, experimentKey)]).toEqual([true, false]);
    expect(isOwnedBy(labelled(experimentObject.metadata.labels, 'other'), experimentKey)).toBe(false);
  });

  it.each([
    [
      'a rollout',
      rolloutKey,
      { 'app.kubernetes.io/managed-by': 'flotilla', 'flotilla.io/rollout': 'web', 'flotilla.io/experiment': 'someone-else' },
    ],
    ['a standalone experiment', experimentKey, { 'app.kubernetes.io/managed-by': 'flotilla', 'flotilla.io/experiment': 'web' }],
  ])('keeps desired labels from disowning a ReplicaSet of %s', (_label, key, ownership) => {
    const desired = desiredReplicaSet('web', { hash: 'x1', replicas: 1 });
    desired.labels = {
      ...desired.labels,
      'app.kubernetes.io/managed-by': 'someone',
      'flotilla.io/rollout': 'other',
      'flotilla.io/experiment': 'someone-else',
    };
    expect(replicaSetManifest(key, desired).metadata.labels).toEqual({ app: 'web', 'rollouts-pod-template-hash': 'x1', ...ownership });
  });
});

describe('ReplicaSet manifests', () => {
  it('leaves role labels out of the selector, which cannot change later', () => {
    const desired = desiredReplicaSet(
      'web',
      { hash: 'abc', replicas: 2 },
      { 'rollout.argoproj.io/ephemeral-metadata': '{"labels":{"role":"canary"}}' },
    );
    desired.template = { ...desired.template, metadata: { labels: { ...desired.template.metadata?.labels, role: 'canary' } } };
    expect(selectorLabels(desired)).toEqual({ app: 'web', 'rollouts-pod-template-hash': 'abc' });
  });

  it.each([
    ['nothing when equal', (set: ReplicaSetObject) => set, undefined],
    ['replicas', (set: ReplicaSetObject) => ({ ...set, spec: { ...set.spec, replicas: 9 } }), { spec: { replicas: 2 } }],
    [
      'a foreign label and a stale annotation',
      (set: ReplicaSetObject) => ({
        ...set,
        metadata: {
          ...set.metadata,
          labels: { ...set.metadata.labels, extra: 'x' },
          annotations: { old: 'y', 'rollout.argoproj.io/revision': '1' },
        },
      }),
      { metadata: { labels: { extra: null }, annotations: { old: null } } },
    ],
  ])('patches %s', (_label, drift, expected) => {
    const rollout = { namespace: 'shop', name: 'web' };
    const desired = desiredReplicaSet('web', { hash: 'abc', replicas: 2 });
    expect(replicaSetPatch(rollout, drift(replicaSetManifest(rollout, desired)), desired)).toEqual(expected);
  });

  it('sets minReadySeconds on a new ReplicaSet and patches it when it changes, back to 0 included', () => {
    const rollout = { namespace: 'shop', name: 'web' };
    const desired = { ...desiredReplicaSet('web', { hash: 'abc', replicas: 2 }), minReadySeconds: 10 };
    const created = replicaSetManifest(rollout, desired);
    expect(created.spec.minReadySeconds).toBe(10);
    expect(replicaSetPatch(rollout, created, desired)).toBeUndefined();
    expect(replicaSetPatch(rollout, created, { ...desired, minReadySeconds: 30 })).toEqual({ spec: { minReadySeconds: 30 } });
    const { minReadySeconds: _dropped, ...withoutDelay } = desired;
    expect(replicaSetPatch(rollout, created, withoutDelay)).toEqual({ spec: { minReadySeconds: 0 } });
  });

  it.each([
    ['a revision as Argo does, by rollout and hash', undefined, 'web-abc'],
    ['an experiment ReplicaSet by the name it is given', 'web-7-exp-baseline', 'web-7-exp-baseline'],
  ])('names %s', (_label, name, expected) => {
    const desired = { ...desiredReplicaSet('web', { hash: 'abc', replicas: 1 }), ...(name === undefined ? {} : { name }) };
    expect(replicaSetManifest({ namespace: 'shop', name: 'web' }, desired).metadata.name).toBe(expected);
  });
});

describe('podMetadataPatch', () => {
  const canary = { labels: { role: 'canary', track: 'fast' }, annotations: { 'example.com/phase': 'canary' } };
  const stable = { labels: { role: 'stable' }, annotations: { 'example.com/dashboard': 'stable-pods' } };
  const pod = (labels: Record<string, string>, annotations?: Record<string, string>, deletionTimestamp?: string): PodObject => ({
    metadata: {
      name: 'web-abc-x1',
      namespace: 'shop',
      labels,
      ...(annotations ? { annotations } : {}),
      ...(deletionTimestamp ? { deletionTimestamp } : {}),
    },
  });

  it.each([
    [
      'canary to stable: injected keys no longer wanted removed, new ones set, the team label and annotation kept',
      pod({ app: 'web', role: 'canary', track: 'fast', team: 'checkout' }, { 'example.com/phase': 'canary', 'team/note': 'keep' }),
      canary,
      stable,
      {
        metadata: {
          labels: { track: null, role: 'stable' },
          annotations: { 'example.com/phase': null, 'example.com/dashboard': 'stable-pods' },
        },
      },
    ],
    [
      'nothing when the pod already matches',
      pod({ app: 'web', role: 'stable' }, { 'example.com/dashboard': 'stable-pods' }),
      canary,
      stable,
      undefined,
    ],
    [
      'first injection: only the new keys',
      pod({ app: 'web' }),
      undefined,
      stable,
      { metadata: { labels: { role: 'stable' }, annotations: { 'example.com/dashboard': 'stable-pods' } } },
    ],
    [
      'metadata dropped: only keys the pod still has are removed',
      pod({ app: 'web', role: 'canary' }),
      canary,
      undefined,
      { metadata: { labels: { role: null } } },
    ],
    [
      'a pod being deleted is left alone',
      pod({ app: 'web', role: 'canary' }, undefined, '2026-01-01T00:00:00Z'),
      canary,
      stable,
      undefined,
    ],
  ])('%s', (_label, current, before, now, expected) => {
    expect(podMetadataPatch(current, before, now)).toEqual(expected);
  });

  it('never changes a label the ReplicaSet selects its pods by', () => {
    const selector = { app: 'web', 'rollouts-pod-template-hash': 'abc' };
    expect(
      podMetadataPatch(
        pod({ app: 'web', role: 'canary' }),
        { labels: { role: 'canary' } },
        { labels: { app: 'other', role: 'stable' } },
        selector,
      ),
    ).toEqual({ metadata: { labels: { role: 'stable' } } });
    expect(podMetadataPatch(pod({ app: 'web' }), { labels: { app: 'web' } }, undefined, selector)).toBeUndefined();
  });
});

describe('experiment Services', () => {
  const rollout = { namespace: 'shop', name: 'web' };
  const desired: DesiredExperimentService = {
    name: 'web-7-exp-canary',
    labels: { 'flotilla.io/experiment': 'web-7-exp', 'flotilla.io/rollout': 'someone-else' },
    selector: { 'flotilla.io/experiment': 'web-7-exp', 'flotilla.io/experiment-template': 'canary' },
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
  };

  it('creates a ClusterIP Service whose ownership labels win over the desired ones', () => {
    expect(experimentServiceManifest(rollout, desired)).toEqual({
      metadata: {
        name: 'web-7-exp-canary',
        namespace: 'shop',
        labels: { 'flotilla.io/experiment': 'web-7-exp', 'flotilla.io/rollout': 'web', 'app.kubernetes.io/managed-by': 'flotilla' },
      },
      spec: { type: 'ClusterIP', selector: desired.selector, ports: desired.ports },
    });
  });

  it('labels the Service of a standalone experiment with the experiment and no rollout', () => {
    const standalone = { namespace: 'shop', name: 'web-7-exp', kind: 'Experiment' } as const;
    expect(experimentServiceManifest(standalone, desired).metadata.labels).toEqual({
      'flotilla.io/experiment': 'web-7-exp',
      'app.kubernetes.io/managed-by': 'flotilla',
    });
  });

  it.each([
    ['nothing when equal', (service: ServiceObject) => service, undefined],
    [
      'a changed selector key and an extra one',
      (service: ServiceObject) => ({ ...service, spec: { ...service.spec, selector: { 'flotilla.io/experiment': 'old', extra: 'x' } } }),
      { spec: { selector: { extra: null, 'flotilla.io/experiment': 'web-7-exp', 'flotilla.io/experiment-template': 'canary' } } },
    ],
    [
      'the ports as a whole',
      (service: ServiceObject) => ({
        ...service,
        spec: { ...service.spec, ports: [{ name: 'http', protocol: 'TCP', port: 81, targetPort: 8080 }, { port: 9090 }] },
      }),
      { spec: { ports: desired.ports } },
    ],
    [
      'a changed label',
      (service: ServiceObject) => ({
        ...service,
        metadata: { ...service.metadata, labels: { ...service.metadata.labels, 'flotilla.io/experiment': 'old' } },
      }),
      { metadata: { labels: { 'flotilla.io/experiment': 'web-7-exp' } } },
    ],
  ])('patches %s', (_label, drift, expected) => {
    expect(experimentServicePatch(rollout, drift(experimentServiceManifest(rollout, desired)), desired)).toEqual(expected);
  });
});

describe('podsToRestart', () => {
  const pod = (name: string, createdAt: string, ready: boolean): PodObject => ({
    metadata: { name, creationTimestamp: createdAt },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
  const restart = { podsCreatedBefore: '2026-01-01T12:00:00Z', maxUnavailable: 1 };

  it.each([
    ['the oldest ready pod when all are ready', 2, [pod('b', '2026-01-01T11:01:00Z', true), pod('a', '2026-01-01T11:00:00Z', true)], ['a']],
    [
      'nothing while a replacement is not ready',
      2,
      [pod('a', '2026-01-01T11:00:00Z', true), pod('new', '2026-01-01T12:01:00Z', false)],
      [],
    ],
    ['nothing while a deleted pod has no replacement yet', 2, [pod('b', '2026-01-01T11:01:00Z', true)], []],
    [
      'an old pod that is not ready, at no cost',
      2,
      [pod('a', '2026-01-01T11:00:00Z', false), pod('b', '2026-01-01T11:01:00Z', true)],
      ['a'],
    ],
    ['nothing once every pod is newer', 1, [pod('n', '2026-01-01T12:01:00Z', true)], []],
  ])('deletes %s', (_label, replicas, pods, expected) => {
    expect(podsToRestart(pods, replicas, restart).map((deleted) => deleted.metadata.name)).toEqual(expected);
  });
});

describe('podProblems', () => {
  const waiting = (reason: string): PodObject => ({
    metadata: { name: reason },
    status: { containerStatuses: [{ name: 'app', state: { waiting: { reason, message: `${reason}!` } } }] },
  });
  const replicaSet = (conditions: ReplicaSetObject['status']) => ({
    ...replicaSetManifest({ namespace: 'n', name: 'r' }, desiredReplicaSet('r', { hash: 'h', replicas: 3 })),
    status: conditions,
  });

  it.each([
    ['pods starting are no problem', [waiting('ContainerCreating')], undefined, []],
    [
      'crash loops are counted per pod',
      [waiting('CrashLoopBackOff'), waiting('CrashLoopBackOff')],
      undefined,
      [{ reason: 'CrashLoopBackOff', message: 'CrashLoopBackOff!', pods: 2 }],
    ],
    [
      'pull errors are named',
      [waiting('ImagePullBackOff')],
      undefined,
      [{ reason: 'ImagePullBackOff', message: 'ImagePullBackOff!', pods: 1 }],
    ],
    [
      'FailedCreate counts the missing pods',
      [],
      { replicas: 1, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota exceeded' }] },
      [{ reason: 'FailedCreate', message: 'quota exceeded', pods: 2 }],
    ],
  ])('%s', (_label, pods, status, expected) => {
    expect(podProblems(replicaSet(status), pods)).toEqual(expected);
  });
});

describe('virtualServiceRoutes', () => {
  const primary = {
    name: 'primary',
    route: [
      { destination: { host: 'web-stable.shop.svc.cluster.local' }, weight: 100 },
      { destination: { host: 'web-canary' }, weight: 0 },
    ],
  };

  it('weights destinations by host, including fully qualified hosts', () => {
    expect(virtualServiceRoutes([primary], { name: 'vs' }, routing())).toEqual([
      {
        name: 'primary',
        route: [
          { destination: { host: 'web-stable.shop.svc.cluster.local' }, weight: 75 },
          { destination: { host: 'web-canary' }, weight: 25 },
        ],
      },
    ]);
  });

  it('adds a mirror route that mirrors to the canary and keeps the stable split, ordered by managedRoutes', () => {
    const desired = routing({
      routing: { istio: { virtualService: { name: 'vs' } }, managedRoutes: [{ name: 'mirror' }, { name: 'header' }] },
      headerRoutes: [{ name: 'header', match: [{ headerName: 'x', headerValue: { exact: '1' } }] }],
      mirrorRoutes: [{ name: 'mirror', match: [{ method: { exact: 'GET' }, path: { prefix: '/api' } }], percentage: 35 }],
    });
    const routes = virtualServiceRoutes([primary], { name: 'vs' }, desired);
    expect(routes.map((route) => route.name)).toEqual(['mirror', 'header', 'primary']);
    expect(routes[0]).toMatchObject({
      match: [{ method: { exact: 'GET' }, uri: { prefix: '/api' } }],
      mirror: { host: 'web-canary' },
      mirrorPercentage: { value: 35 },
    });
    expect(routes[0]?.route?.map((destination) => destination.weight)).toEqual([75, 25]);
  });

  it('uses subsets when a DestinationRule is configured, and labels the subsets by hash', () => {
    const desired = routing({
      routing: {
        istio: { virtualService: { name: 'vs' }, destinationRule: { name: 'dr', canarySubsetName: 'canary', stableSubsetName: 'stable' } },
      },
    });
    const bySubset = {
      name: 'p',
      route: [
        { destination: { host: 'web', subset: 'stable' }, weight: 100 },
        { destination: { host: 'web', subset: 'canary' }, weight: 0 },
      ],
    };
    expect(virtualServiceRoutes([bySubset], { name: 'vs' }, desired)[0]?.route?.map((destination) => destination.weight)).toEqual([75, 25]);
    expect(destinationRuleSubsets([{ name: 'stable', labels: { app: 'web' } }, { name: 'canary' }, { name: 'other' }], desired)).toEqual([
      { name: 'stable', labels: { app: 'web', 'rollouts-pod-template-hash': 's1' } },
      { name: 'canary', labels: { 'rollouts-pod-template-hash': 'c1' } },
      { name: 'other' },
    ]);
  });

  it('removes managed routes that are no longer wanted', () => {
    const desired = routing({ routing: { istio: { virtualService: { name: 'vs' } }, managedRoutes: [{ name: 'header' }] } });
    expect(virtualServiceRoutes([{ name: 'header', route: [] }, primary], { name: 'vs' }, desired).map((route) => route.name)).toEqual([
      'primary',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { decodeAgentMessage, decodeControlPlaneMessage, ProtocolError } from './decode.js';
import { rolloutKeyString, type RolloutKey } from './rollout-key.js';

describe('decodeAgentMessage', () => {
  it.each([
    { type: 'hello', protocolVersion: 1, agentVersion: '0.1.0', kubernetesVersion: 'v1.30.0' },
    { type: 'heartbeat', sentAt: '2026-11-21T10:00:00Z' },
    { type: 'applied', rollout: { namespace: 'shop', name: 'checkout' }, desiredVersion: 4 },
    { type: 'applied', rollout: { namespace: 'shop', name: 'checkout', kind: 'Experiment' }, desiredVersion: 4 },
    { type: 'removed', rollout: { namespace: 'shop', name: 'checkout' } },
    {
      type: 'observed',
      rollout: { namespace: 'shop', name: 'checkout' },
      desiredVersion: 4,
      state: { replicaSets: [], serviceSelectors: {}, trafficWeights: {}, observedAt: '2026-11-22T10:00:15.120Z' },
    },
    {
      type: 'observed',
      rollout: { namespace: 'shop', name: 'checkout', kind: 'Experiment' },
      desiredVersion: 4,
      state: { replicaSets: [], serviceSelectors: {}, trafficWeights: {}, observedAt: '2026-11-22T10:00:15.120Z' },
    },
    { type: 'measurement', requestId: 'r1', outcome: { ok: true, value: [0.99], rawValue: '[0.99]' } },
    {
      type: 'observedDigests',
      rollouts: [
        { rollout: { namespace: 'shop', name: 'checkout' }, desiredVersion: 4, digest: 'a'.repeat(64) },
        { rollout: { namespace: 'shop', name: 'checkout', kind: 'Experiment' }, desiredVersion: 2, digest: 'b'.repeat(64) },
      ],
    },
  ])('accepts $type', (message) => {
    expect(decodeAgentMessage(JSON.stringify(message))).toEqual(message);
  });

  it.each([
    ['not JSON', '{', ''],
    ['an array', '[]', ''],
    ['an unknown type', '{"type":"shout"}', 'type'],
    ['a hello without a version', '{"type":"hello","agentVersion":"1"}', 'protocolVersion'],
    ['a negative desired version', '{"type":"applied","rollout":{"namespace":"a","name":"b"},"desiredVersion":-1}', 'desiredVersion'],
    [
      'an observed state without replica sets',
      '{"type":"observed","rollout":{"namespace":"a","name":"b"},"desiredVersion":1,"state":{}}',
      'state.replicaSets',
    ],
    ['a rollout key missing its name', '{"type":"applied","rollout":{"namespace":"a"},"desiredVersion":1}', 'rollout.name'],
    [
      'a key of an unknown kind',
      '{"type":"applied","rollout":{"namespace":"a","name":"b","kind":"Rollout"},"desiredVersion":1}',
      'rollout.kind',
    ],
    [
      'an observed key whose kind is not a string',
      '{"type":"observed","rollout":{"namespace":"a","name":"b","kind":1},"desiredVersion":1,"state":{"replicaSets":[]}}',
      'rollout.kind',
    ],
    [
      'an observed state without service selectors, which the stores could not read back',
      '{"type":"observed","rollout":{"namespace":"a","name":"web"},"desiredVersion":1,"state":{"replicaSets":[]}}',
      'state.serviceSelectors',
    ],
    [
      'an observed state without traffic weights',
      '{"type":"observed","rollout":{"namespace":"a","name":"b"},"desiredVersion":1,"state":{"replicaSets":[],"serviceSelectors":{}}}',
      'state.trafficWeights',
    ],
    [
      'an observed state without its time',
      '{"type":"observed","rollout":{"namespace":"a","name":"b","kind":"Experiment"},"desiredVersion":1,"state":{"replicaSets":[],"serviceSelectors":{},"trafficWeights":{}}}',
      'state.observedAt',
    ],
    [
      'an observed state whose time is not one',
      '{"type":"observed","rollout":{"namespace":"a","name":"b"},"desiredVersion":1,"state":{"replicaSets":[],"serviceSelectors":{},"trafficWeights":{},"observedAt":"x"}}',
      'state.observedAt',
    ],
    [
      'a service selector of null',
      '{"type":"observed","rollout":{"namespace":"a","name":"b"},"desiredVersion":1,"state":{"replicaSets":[],"serviceSelectors":{"web":null},"trafficWeights":{},"observedAt":"2026-11-22T10:00:15.120Z"}}',
      'state.serviceSelectors.web',
    ],
    ['a measurement without an outcome', '{"type":"measurement","requestId":"r1"}', 'outcome'],
    ['digests that are not a list', '{"type":"observedDigests","rollouts":{}}', 'rollouts'],
    [
      'a digest without its desired version',
      '{"type":"observedDigests","rollouts":[{"rollout":{"namespace":"a","name":"b"},"digest":"d"}]}',
      'rollouts[0].desiredVersion',
    ],
    [
      'a digest over its bound',
      `{"type":"observedDigests","rollouts":[{"rollout":{"namespace":"a","name":"b"},"desiredVersion":1,"digest":"${'d'.repeat(129)}"}]}`,
      'rollouts[0].digest',
    ],
  ])('refuses %s, naming the field', (_title, text, path) => {
    expect(() => decodeAgentMessage(text)).toThrow(ProtocolError);
    try {
      decodeAgentMessage(text);
    } catch (error) {
      expect((error as ProtocolError).path).toBe(path);
    }
  });
});

describe('decodeAgentMessage bounds', () => {
  const replicaSet = {
    podTemplateHash: 'abc',
    labels: {},
    annotations: {},
    replicas: 1,
    currentReplicas: 1,
    readyReplicas: 1,
    availableReplicas: 1,
    template: {},
    podProblems: [],
  };
  const pod = {
    name: 'web-abc-x1',
    status: 'Running',
    readyContainers: 1,
    containers: 1,
    restarts: 0,
    startedAt: '2026-11-22T10:00:00Z',
    nodeName: 'node-1',
  };
  const event = {
    type: 'Normal',
    reason: 'SuccessfulCreate',
    message: 'Created pod: web-abc-x1',
    count: 1,
    lastSeenAt: '2026-11-22T10:00:00Z',
    involvedObject: { kind: 'ReplicaSet', name: 'web-abc' },
  };
  const observed = (state: object) => ({
    type: 'observed',
    rollout: { namespace: 'shop', name: 'web' },
    desiredVersion: 1,
    state: { replicaSets: [], serviceSelectors: {}, trafficWeights: {}, observedAt: '2026-11-22T10:00:15.120Z', ...state },
  });
  it.each<[string, object, string]>([
    ['an agent version of 100,000 characters', { type: 'hello', protocolVersion: 1, agentVersion: 'v'.repeat(100_000) }, 'agentVersion'],
    ['an agent version over 128 characters', { type: 'hello', protocolVersion: 1, agentVersion: 'v'.repeat(129) }, 'agentVersion'],
    ['a protocol version of 1e300', { type: 'hello', protocolVersion: 1e300, agentVersion: '1' }, 'protocolVersion'],
    ['a desired version of 1e300', { type: 'applied', rollout: { namespace: 'a', name: 'b' }, desiredVersion: 1e300 }, 'desiredVersion'],
    [
      'a desired version over 32 bits',
      { type: 'applied', rollout: { namespace: 'a', name: 'b' }, desiredVersion: 2 ** 31 },
      'desiredVersion',
    ],
    ['a fractional desired version', { type: 'applied', rollout: { namespace: 'a', name: 'b' }, desiredVersion: 1.5 }, 'desiredVersion'],
    [
      'a namespace of 64 characters',
      { type: 'applied', rollout: { namespace: 'n'.repeat(64), name: 'b' }, desiredVersion: 1 },
      'rollout.namespace',
    ],
    ['a namespace with a dot', { type: 'applied', rollout: { namespace: 'a.b', name: 'b' }, desiredVersion: 1 }, 'rollout.namespace'],
    [
      'a name of 254 characters',
      { type: 'applied', rollout: { namespace: 'a', name: 'n'.repeat(254) }, desiredVersion: 1 },
      'rollout.name',
    ],
    ['a NUL byte in a name', { type: 'applied', rollout: { namespace: 'a', name: 'b\u0000' }, desiredVersion: 1 }, 'rollout.name'],
    ['a lone surrogate in a request id', { type: 'measurement', requestId: 'r\ud800', outcome: { ok: false, error: 'x' } }, 'requestId'],
    [
      'a lone surrogate in a key',
      { type: 'measurement', requestId: 'r', outcome: { ok: false, error: 'x', metadata: { '\udc00': 'x' } } },
      'outcome.metadata.\udc00',
    ],
    [
      'a NUL byte deep in a pod template',
      observed({ replicaSets: [{ ...replicaSet, template: { spec: { containers: [{ image: 'a\u0000' }] } } }] }),
      'state.replicaSets[0].template.spec.containers[0].image',
    ],
    [
      'a string over 64 KiB',
      { type: 'measurement', requestId: 'r', outcome: { ok: false, error: 'e'.repeat(64 * 1024 + 1) } },
      'outcome.error',
    ],
    ['257 replica sets', observed({ replicaSets: Array.from({ length: 257 }, () => replicaSet) }), 'state.replicaSets'],
    ['a negative replica count', observed({ replicaSets: [{ ...replicaSet, readyReplicas: -1 }] }), 'state.replicaSets[0].readyReplicas'],
    ['a traffic weight of 1e300', observed({ trafficWeights: { nginx: 1e300 } }), 'state.trafficWeights.nginx'],
    [
      'an array of 10,001 items',
      { type: 'measurement', requestId: 'r', outcome: { ok: true, rawValue: '', value: Array.from({ length: 10_001 }, () => 0) } },
      'outcome.value',
    ],
    [
      'a value nested 40 deep',
      {
        type: 'measurement',
        requestId: 'r',
        outcome: { ok: true, rawValue: '', value: JSON.parse('['.repeat(40) + ']'.repeat(40)) as unknown },
      },
      'outcome.value' + '[0]'.repeat(30),
    ],
    ['a heartbeat time that is not a time', { type: 'heartbeat', sentAt: 'soon' }, 'sentAt'],
    [
      '33 pods of a ReplicaSet',
      observed({ replicaSets: [{ ...replicaSet, pods: Array.from({ length: 33 }, () => pod) }] }),
      'state.replicaSets[0].pods',
    ],
    [
      'a pod without a name',
      observed({ replicaSets: [{ ...replicaSet, pods: [{ ...pod, name: undefined }] }] }),
      'state.replicaSets[0].pods[0].name',
    ],
    [
      'negative restarts',
      observed({ replicaSets: [{ ...replicaSet, pods: [pod, { ...pod, restarts: -1 }] }] }),
      'state.replicaSets[0].pods[1].restarts',
    ],
    [
      'a pod start that is not a time',
      observed({ replicaSets: [{ ...replicaSet, pods: [{ ...pod, startedAt: '2m' }] }] }),
      'state.replicaSets[0].pods[0].startedAt',
    ],
    [
      'a node name of 254 characters',
      observed({ replicaSets: [{ ...replicaSet, pods: [{ ...pod, nodeName: 'n'.repeat(254) }] }] }),
      'state.replicaSets[0].pods[0].nodeName',
    ],
    [
      'a pod status over 128 characters',
      observed({ replicaSets: [{ ...replicaSet, pods: [{ ...pod, status: 's'.repeat(129) }] }] }),
      'state.replicaSets[0].pods[0].status',
    ],
    [
      'a fractional count of omitted pods',
      observed({ replicaSets: [{ ...replicaSet, podsOmitted: 0.5 }] }),
      'state.replicaSets[0].podsOmitted',
    ],
    ['21 events', observed({ events: Array.from({ length: 21 }, () => event) }), 'state.events'],
    ['an event message over 1,024 characters', observed({ events: [{ ...event, message: 'm'.repeat(1025) }] }), 'state.events[0].message'],
    ['an event seen at no time', observed({ events: [event, { ...event, lastSeenAt: 'yesterday' }] }), 'state.events[1].lastSeenAt'],
    ['an event count of 1e300', observed({ events: [{ ...event, count: 1e300 }] }), 'state.events[0].count'],
    ['an event about no object', observed({ events: [{ ...event, involvedObject: undefined }] }), 'state.events[0].involvedObject'],
    [
      'an event about an unnamed object',
      observed({ events: [{ ...event, involvedObject: { kind: 'Pod' } }] }),
      'state.events[0].involvedObject.name',
    ],
  ])('refuses %s at its path', (_title, message, path) => {
    expect(() => decodeAgentMessage(JSON.stringify(message))).toThrow(expect.objectContaining({ name: 'ProtocolError', path }));
  });

  it('accepts pods and events up to their bounds, and an observation without either, as an agent before them sends it', () => {
    const full = observed({
      replicaSets: [
        { ...replicaSet, pods: Array.from({ length: 32 }, () => ({ ...pod, startedAt: undefined, nodeName: undefined })), podsOmitted: 3 },
      ],
      events: Array.from({ length: 20 }, () => ({ ...event, message: 'm'.repeat(1024) })),
    });
    expect(decodeAgentMessage(JSON.stringify(full))).toEqual(JSON.parse(JSON.stringify(full)));
    const before = observed({ replicaSets: [replicaSet] });
    expect(decodeAgentMessage(JSON.stringify(before))).toEqual(before);
  });

  it('accepts the largest legitimate values', () => {
    const message = observed({ replicaSets: [{ ...replicaSet, labels: { app: 'l'.repeat(63) } }] });
    const key = {
      type: 'applied',
      rollout: { namespace: 'n'.repeat(63), name: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}` },
      desiredVersion: 2 ** 31 - 1,
    };
    expect(decodeAgentMessage(JSON.stringify(message))).toEqual(message);
    expect(decodeAgentMessage(JSON.stringify(key))).toEqual(key);
  });
});

describe('decodeControlPlaneMessage', () => {
  it.each([
    { type: 'welcome', protocolVersion: 1, cluster: 'staging', heartbeatIntervalSeconds: 10 },
    { type: 'snapshot', rollouts: [] },
    {
      type: 'desired',
      desired: { rollout: { namespace: 'a', name: 'b' }, desiredVersion: 2, serviceNames: [], state: { replicaSets: [], services: {} } },
    },
    { type: 'deleted', rollout: { namespace: 'a', name: 'b' }, desiredVersion: 3 },
    {
      type: 'desired',
      desired: {
        rollout: { namespace: 'a', name: 'b', kind: 'Experiment' },
        desiredVersion: 2,
        serviceNames: [],
        state: { replicaSets: [], services: {}, experimentServices: [] },
      },
    },
    { type: 'deleted', rollout: { namespace: 'a', name: 'b', kind: 'Experiment' }, desiredVersion: 3 },
    { type: 'error', code: 'protocol/unsupported_version', message: 'upgrade' },
    {
      type: 'measure',
      request: {
        requestId: 'r1',
        run: { name: 'run', namespace: 'shop', uid: 'u' },
        metric: { name: 'm', provider: { web: { url: 'http://x' } } },
        measurementIndex: 1,
        timeoutSeconds: 30,
      },
    },
    { type: 'cancel', requestIds: ['r1', 'r2'] },
    { type: 'welcome', protocolVersion: 1, cluster: 'staging', heartbeatIntervalSeconds: 10, observationDigests: true },
    {
      type: 'observeAgain',
      rollouts: [
        { namespace: 'a', name: 'b' },
        { namespace: 'a', name: 'b', kind: 'Experiment' },
      ],
    },
  ])('accepts $type', (message) => {
    expect(decodeControlPlaneMessage(JSON.stringify(message))).toEqual(message);
  });

  it.each([
    [
      'a desired state for a key of an unknown kind',
      '{"type":"desired","desired":{"rollout":{"namespace":"a","name":"b","kind":"Rollout"},"desiredVersion":1,"state":{}}}',
      'desired',
    ],
    [
      'a deletion of a key whose kind is lower-case',
      '{"type":"deleted","rollout":{"namespace":"a","name":"b","kind":"experiment"},"desiredVersion":1}',
      'rollout',
    ],
    ['a cancellation without request ids', '{"type":"cancel","requestIds":[1]}', 'requestIds'],
    ['an observeAgain of a key without its name', '{"type":"observeAgain","rollouts":[{"namespace":"a"}]}', 'rollouts'],
  ])('refuses %s, naming the field', (_title, text, path) => {
    expect(() => decodeControlPlaneMessage(text)).toThrow(expect.objectContaining({ name: 'ProtocolError', path }));
  });

  it.each(['{"type":"desired","desired":{"rollout":{"namespace":"a","name":"b"}}}', '{"type":"snapshot"}', '{"type":1}'])(
    'refuses %s',
    (text) => {
      expect(() => decodeControlPlaneMessage(text)).toThrow(ProtocolError);
    },
  );
});

describe('rolloutKeyString', () => {
  it.each<[RolloutKey, string]>([
    [{ namespace: 'shop', name: 'web' }, 'shop/web'],
    [{ namespace: 'shop', name: 'web', kind: 'Experiment' }, 'experiment:shop/web'],
  ])('keys %j as %s, so that an experiment never shares a key with the rollout of its name', (key, expected) => {
    expect(rolloutKeyString(key)).toBe(expected);
  });
});

import { describe, expect, it } from 'vitest';
import { decodeAgentMessage, decodeControlPlaneMessage, ProtocolError, rolloutKeyString } from './decode.js';
import type { RolloutKey } from './messages.js';

describe('decodeAgentMessage', () => {
  it.each([
    { type: 'hello', protocolVersion: 1, agentVersion: '0.1.0', kubernetesVersion: 'v1.30.0' },
    { type: 'heartbeat', sentAt: '2026-11-21T10:00:00Z' },
    { type: 'applied', rollout: { namespace: 'shop', name: 'checkout' }, desiredVersion: 4 },
    { type: 'applied', rollout: { namespace: 'shop', name: 'checkout', kind: 'Experiment' }, desiredVersion: 4 },
    { type: 'observed', rollout: { namespace: 'shop', name: 'checkout' }, desiredVersion: 4, state: { replicaSets: [], serviceSelectors: {}, trafficWeights: {}, observedAt: 'x' } },
    { type: 'observed', rollout: { namespace: 'shop', name: 'checkout', kind: 'Experiment' }, desiredVersion: 4, state: { replicaSets: [], serviceSelectors: {}, trafficWeights: {}, observedAt: 'x' } },
    { type: 'measurement', requestId: 'r1', outcome: { ok: true, value: [0.99], rawValue: '[0.99]' } },
  ])('accepts $type', (message) => {
    expect(decodeAgentMessage(JSON.stringify(message))).toEqual(message);
  });

  it.each([
    ['not JSON', '{', ''],
    ['an array', '[]', ''],
    ['an unknown type', '{"type":"shout"}', 'type'],
    ['a hello without a version', '{"type":"hello","agentVersion":"1"}', 'protocolVersion'],
    ['a negative desired version', '{"type":"applied","rollout":{"namespace":"a","name":"b"},"desiredVersion":-1}', 'desiredVersion'],
    ['an observed state without replica sets', '{"type":"observed","rollout":{"namespace":"a","name":"b"},"desiredVersion":1,"state":{}}', 'state'],
    ['a rollout key missing its name', '{"type":"applied","rollout":{"namespace":"a"},"desiredVersion":1}', 'rollout'],
    ['a key of an unknown kind', '{"type":"applied","rollout":{"namespace":"a","name":"b","kind":"Rollout"},"desiredVersion":1}', 'rollout'],
    ['an observed key whose kind is not a string', '{"type":"observed","rollout":{"namespace":"a","name":"b","kind":1},"desiredVersion":1,"state":{"replicaSets":[]}}', 'rollout'],
    ['a measurement without an outcome', '{"type":"measurement","requestId":"r1"}', 'outcome'],
  ])('refuses %s, naming the field', (_title, text, path) => {
    expect(() => decodeAgentMessage(text)).toThrow(ProtocolError);
    try {
      decodeAgentMessage(text);
    } catch (error) {
      expect((error as ProtocolError).path).toBe(path);
    }
  });
});

describe('decodeControlPlaneMessage', () => {
  it.each([
    { type: 'welcome', protocolVersion: 1, cluster: 'staging', heartbeatIntervalSeconds: 10 },
    { type: 'snapshot', rollouts: [] },
    { type: 'desired', desired: { rollout: { namespace: 'a', name: 'b' }, desiredVersion: 2, serviceNames: [], state: { replicaSets: [], services: {} } } },
    { type: 'deleted', rollout: { namespace: 'a', name: 'b' }, desiredVersion: 3 },
    {
      type: 'desired',
      desired: { rollout: { namespace: 'a', name: 'b', kind: 'Experiment' }, desiredVersion: 2, serviceNames: [], state: { replicaSets: [], services: {}, experimentServices: [] } },
    },
    { type: 'deleted', rollout: { namespace: 'a', name: 'b', kind: 'Experiment' }, desiredVersion: 3 },
    { type: 'error', code: 'protocol/unsupported_version', message: 'upgrade' },
    { type: 'measure', request: { requestId: 'r1', run: { name: 'run', namespace: 'shop', uid: 'u' }, metric: { name: 'm', provider: { web: { url: 'http://x' } } }, measurementIndex: 1, timeoutSeconds: 30 } },
  ])('accepts $type', (message) => {
    expect(decodeControlPlaneMessage(JSON.stringify(message))).toEqual(message);
  });

  it.each([
    ['a desired state for a key of an unknown kind', '{"type":"desired","desired":{"rollout":{"namespace":"a","name":"b","kind":"Rollout"},"desiredVersion":1,"state":{}}}', 'desired'],
    ['a deletion of a key whose kind is lower-case', '{"type":"deleted","rollout":{"namespace":"a","name":"b","kind":"experiment"},"desiredVersion":1}', 'rollout'],
  ])('refuses %s, naming the field', (_title, text, path) => {
    expect(() => decodeControlPlaneMessage(text)).toThrow(expect.objectContaining({ name: 'ProtocolError', path }));
  });

  it.each(['{"type":"desired","desired":{"rollout":{"namespace":"a","name":"b"}}}', '{"type":"snapshot"}', '{"type":1}'])('refuses %s', (text) => {
    expect(() => decodeControlPlaneMessage(text)).toThrow(ProtocolError);
  });
});

describe('rolloutKeyString', () => {
  it.each<[RolloutKey, string]>([
    [{ namespace: 'shop', name: 'web' }, 'shop/web'],
    [{ namespace: 'shop', name: 'web', kind: 'Experiment' }, 'experiment:shop/web'],
  ])('keys %j as %s, so that an experiment never shares a key with the rollout of its name', (key, expected) => {
    expect(rolloutKeyString(key)).toBe(expected);
  });
});

import { describe, expect, it } from 'vitest';
import { decodeAgentMessage, decodeControlPlaneMessage, ProtocolError } from './decode.js';

describe('decodeAgentMessage', () => {
  it.each([
    { type: 'hello', protocolVersion: 1, agentVersion: '0.1.0', kubernetesVersion: 'v1.30.0' },
    { type: 'heartbeat', sentAt: '2026-11-21T10:00:00Z' },
    { type: 'applied', rollout: { namespace: 'shop', name: 'checkout' }, desiredVersion: 4 },
    { type: 'observed', rollout: { namespace: 'shop', name: 'checkout' }, desiredVersion: 4, state: { replicaSets: [], serviceSelectors: {}, trafficWeights: {}, observedAt: 'x' } },
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
    { type: 'error', code: 'protocol/unsupported_version', message: 'upgrade' },
    { type: 'measure', request: { requestId: 'r1', run: { name: 'run', namespace: 'shop', uid: 'u' }, metric: { name: 'm', provider: { web: { url: 'http://x' } } }, measurementIndex: 1, timeoutSeconds: 30 } },
  ])('accepts $type', (message) => {
    expect(decodeControlPlaneMessage(JSON.stringify(message))).toEqual(message);
  });

  it.each(['{"type":"desired","desired":{"rollout":{"namespace":"a","name":"b"}}}', '{"type":"snapshot"}', '{"type":1}'])('refuses %s', (text) => {
    expect(() => decodeControlPlaneMessage(text)).toThrow(ProtocolError);
  });
});

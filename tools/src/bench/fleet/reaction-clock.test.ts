import { describe, expect, it } from 'vitest';
import type { DesiredReplicaSet, DesiredRolloutState } from '@flotilla/protocol';
import { canaryWeight, reactionLatency, startsRevision } from './reaction-clock.js';

const replicaSet = (hash: string, replicas: number, revision: number, extra: Record<string, string> = {}): DesiredReplicaSet => ({
  podTemplateHash: hash,
  template: { metadata: {}, spec: { containers: [] } },
  replicas,
  labels: {},
  annotations: { 'rollout.argoproj.io/revision': String(revision), 'rollout.argoproj.io/desired-replicas': '4', ...extra },
  restart: undefined,
});
const state = (...replicaSets: DesiredReplicaSet[]): DesiredRolloutState => ({ replicaSets, services: {}, trafficRouting: undefined });
const pauses = new Map([[25, 10]]);

describe('canaryWeight', () => {
  it('is the newest revision share of the rollout replicas without a router', () => {
    expect(canaryWeight(state(replicaSet('old', 3, 1), replicaSet('new', 1, 2)))).toBe(25);
  });
  it('is undefined with a single ReplicaSet', () => {
    expect(canaryWeight(state(replicaSet('old', 4, 1)))).toBeUndefined();
  });
});

describe('startsRevision', () => {
  it('tells a new pod template from a rescale', () => {
    const before = state(replicaSet('old', 4, 1));
    expect(startsRevision(before, state(replicaSet('old', 4, 1), replicaSet('new', 1, 2)))).toBe(true);
    expect(startsRevision(before, state(replicaSet('old', 3, 1)))).toBe(false);
  });
});

describe('reactionLatency', () => {
  const causes = { changedObservationAt: 1_000, answeredAt: undefined };

  it('counts from the last changed observation', () => {
    expect(reactionLatency(state(replicaSet('old', 4, 1)), causes, pauses, 1_150)).toBe(150);
  });
  it('counts from a later measurement answer', () => {
    expect(reactionLatency(state(replicaSet('old', 4, 1)), { ...causes, answeredAt: 1_100 }, pauses, 1_150)).toBe(50);
  });
  it('counts from the end of the timed pause that holds the previous weight, once it has run out', () => {
    const atPause = state(replicaSet('old', 3, 1), replicaSet('new', 1, 2));
    expect(reactionLatency(atPause, causes, pauses, 11_200)).toBe(200);
    expect(reactionLatency(atPause, causes, pauses, 1_300)).toBe(300);
  });
  it('counts from a scale-down deadline that has passed', () => {
    const deadline = new Date(5_000).toISOString();
    const delayed = state(replicaSet('old', 4, 1, { 'scale-down-deadline': deadline }), replicaSet('new', 4, 2));
    expect(reactionLatency(delayed, causes, pauses, 5_040)).toBe(40);
    expect(reactionLatency(delayed, causes, pauses, 4_000)).toBe(3_000);
  });
  it('is undefined before the cluster said anything', () => {
    expect(reactionLatency(state(), { changedObservationAt: undefined, answeredAt: undefined }, pauses, 1)).toBeUndefined();
  });
});

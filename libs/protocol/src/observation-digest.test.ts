import { describe, expect, it } from 'vitest';
import { observationDigest } from './observation-digest.js';
import type { ObservedRolloutState } from './observed-state.js';

// The canonical text stands in for its SHA-256: what the digest covers is what is checked.
const text = (value: string): string => value;

/** An observation as the agent holds it: absent values as `undefined`, keys in the order it builds them. */
const held: ObservedRolloutState = {
  replicaSets: [
    {
      podTemplateHash: 'abc',
      labels: { app: 'web' },
      annotations: {},
      replicas: 2,
      currentReplicas: 2,
      readyReplicas: 1,
      availableReplicas: 1,
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } },
      podProblems: [],
      oldestPodCreatedAt: undefined,
      pods: [
        { name: 'web-abc-1', status: 'Pending', readyContainers: 0, containers: 1, restarts: 0, startedAt: undefined, nodeName: undefined },
      ],
      podsOmitted: 0,
    },
  ],
  serviceSelectors: { 'web-stable': 'abc', 'web-canary': undefined },
  trafficWeights: { nginx: 20 },
  observedAt: '2026-12-05T10:00:00.000Z',
};

describe('observationDigest', () => {
  it.each([
    ['as it travels (JSON: absent values dropped)', JSON.parse(JSON.stringify(held)) as ObservedRolloutState],
    ['observed at another time', { ...held, observedAt: '2026-12-05T10:00:30.000Z' }],
    [
      'with its keys in another order',
      {
        observedAt: held.observedAt,
        trafficWeights: held.trafficWeights,
        serviceSelectors: held.serviceSelectors,
        replicaSets: held.replicaSets,
      },
    ],
  ])('is the same for the observation %s', (_case, same) => {
    expect(observationDigest(same, text)).toBe(observationDigest(held, text));
  });

  it.each([
    ['a pod became ready', { ...held, replicaSets: [{ ...held.replicaSets[0]!, readyReplicas: 2 }] }],
    ['a Service selects another hash', { ...held, serviceSelectors: { 'web-stable': 'abc', 'web-canary': 'abc' } }],
    ['the weight moved', { ...held, trafficWeights: { nginx: 40 } }],
  ])('differs when %s', (_case, changed) => {
    expect(observationDigest(changed, text)).not.toBe(observationDigest(held, text));
  });
});

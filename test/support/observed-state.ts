import type { ObservedReplicaSet } from '@flotilla/protocol';

/** One ready ReplicaSet `abc` of the web rollout as an agent reports it, with `extra` laid over it. */
export const observedReplicaSet = (extra: Partial<ObservedReplicaSet> = {}): ObservedReplicaSet => ({
  podTemplateHash: 'abc',
  labels: {},
  annotations: {},
  replicas: 1,
  currentReplicas: 1,
  readyReplicas: 1,
  availableReplicas: 1,
  template: { spec: { containers: [{ name: 'web', image: 'web:1' }] } },
  podProblems: [],
  oldestPodCreatedAt: '2026-12-05T10:00:00.000Z',
  ...extra,
});

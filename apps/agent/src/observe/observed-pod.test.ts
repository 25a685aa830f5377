import { describe, expect, it } from 'vitest';
import type { PodObject } from '../kube/kube-object.js';
import { observedPods, podStatus } from './observed-pod.js';

const pod = (name: string, status: PodObject['status'], extra: Partial<PodObject['metadata']> = {}): PodObject => ({
  metadata: { name, creationTimestamp: '2026-11-22T10:00:00Z', ...extra },
  spec: { nodeName: 'node-1', containers: [{ name: 'app' }] },
  status,
});

describe('podStatus', () => {
  it.each<[string, PodObject, string]>([
    ['a running pod', pod('a', { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, state: { running: {} } }] }), 'Running'],
    [
      'a pod being created',
      pod('a', { phase: 'Pending', containerStatuses: [{ name: 'app', state: { waiting: { reason: 'ContainerCreating' } } }] }),
      'ContainerCreating',
    ],
    [
      'a crash loop',
      pod('a', { phase: 'Running', containerStatuses: [{ name: 'app', state: { waiting: { reason: 'CrashLoopBackOff' } } }] }),
      'CrashLoopBackOff',
    ],
    [
      'a killed container',
      pod('a', { phase: 'Running', containerStatuses: [{ name: 'app', state: { terminated: { signal: 9 } } }] }),
      'Signal:9',
    ],
    ['an evicted pod', pod('a', { phase: 'Failed', reason: 'Evicted' }), 'Evicted'],
    [
      'a pod held by its init container',
      pod('a', { phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { waiting: { reason: 'PodInitializing' } } }] }),
      'Init:0/1',
    ],
    ['a deleted pod', pod('a', { phase: 'Running' }, { deletionTimestamp: '2026-11-22T10:01:00Z' }), 'Terminating'],
    ['a pod without status', pod('a', undefined), 'Pending'],
  ])('shows %s as %s', (_title, input, expected) => {
    expect(podStatus(input)).toBe(expected);
  });
});

describe('observedPods', () => {
  it('keeps the 32 oldest pods and counts the rest', () => {
    const pods = Array.from({ length: 40 }, (_, index) =>
      pod(
        `web-${String(index).padStart(2, '0')}`,
        { phase: 'Running', startTime: '2026-11-22T10:00:05Z' },
        {
          creationTimestamp: new Date(Date.UTC(2026, 10, 22, 10, 0, 40 - index)).toISOString(),
        },
      ),
    );
    const { pods: kept, podsOmitted } = observedPods(pods);
    expect(podsOmitted).toBe(8);
    expect(kept.map((entry) => entry.name)).toEqual(
      pods
        .slice(8)
        .reverse()
        .map((entry) => entry.metadata.name),
    );
    expect(kept[0]).toEqual({
      name: 'web-39',
      status: 'Running',
      readyContainers: 0,
      containers: 1,
      restarts: 0,
      startedAt: '2026-11-22T10:00:05.000Z',
      nodeName: 'node-1',
    });
  });
});

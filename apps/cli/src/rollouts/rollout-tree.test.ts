import { describe, expect, it } from 'vitest';
import type { ReplicaSetCounts, RolloutTreeData } from '../api/queries.js';
import type { Styles } from '../output/terminal.js';
import { measurementCounts, renderRolloutTree } from './rollout-tree.js';

const plain: Styles = {
  bold: (text) => text,
  dim: (text) => text,
  green: (text) => text,
  red: (text) => text,
  yellow: (text) => text,
  cyan: (text) => text,
};
const now = new Date('2026-03-01T12:00:00Z');
const before = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

function pausedCanary(): RolloutTreeData {
  return {
    rollout: {
      cluster: 'staging',
      namespace: 'shop',
      name: 'checkout',
      phase: 'Paused',
      message: 'CanaryPauseStep',
      strategy: 'Canary',
      stepCount: 6,
      currentStepIndex: 1,
      images: ['shop/checkout:2'],
      generation: 2,
      observedGeneration: 2,
      labels: {},
      createdAt: before(600),
      updatedAt: before(5),
      spec: { replicas: 5, strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 40 }] } } },
      progress: {
        currentStep: { index: 1, count: 6 },
        weights: { setWeight: 20, actualWeight: 20 },
        replicas: { desired: 5, current: 5, updated: 1, ready: 5, available: 5 },
        podTemplateHashes: { stable: 'aaa111' },
        fullyPromoted: false,
      },
      analysisRuns: [
        {
          name: 'checkout-bbb222-2-0',
          kind: 'step',
          phase: 'Successful',
          message: '',
          revision: 2,
          startedAt: before(20),
          finishedAt: before(10),
          measurements: [
            { metricName: 'success-rate', phase: 'Successful' },
            { metricName: 'success-rate', phase: 'Successful' },
            { metricName: 'latency', phase: 'Failed' },
          ],
        },
      ],
      replicaSets: [
        {
          podTemplateHash: 'bbb222',
          desiredReplicas: 1,
          replicas: 1,
          readyReplicas: 0,
          availableReplicas: 0,
          scaleDownDeadline: null,
          podProblems: ['CrashLoopBackOff'],
          pods: [
            {
              name: 'checkout-bbb222-x7k2p',
              status: 'CrashLoopBackOff',
              readyContainers: 0,
              containers: 1,
              restarts: 3,
              startedAt: before(30),
            },
          ],
          podsOmitted: 0,
        },
        {
          podTemplateHash: 'aaa111',
          desiredReplicas: 4,
          replicas: 4,
          readyReplicas: 4,
          availableReplicas: 4,
          scaleDownDeadline: null,
          podProblems: [],
          pods: [
            { name: 'checkout-aaa111-5jz59', status: 'Running', readyContainers: 1, containers: 1, restarts: 0, startedAt: before(600) },
            { name: 'checkout-aaa111-mkhrl', status: 'Running', readyContainers: 1, containers: 1, restarts: 1, startedAt: before(590) },
          ],
          podsOmitted: 2,
        },
      ],
      experiments: [{ name: 'checkout-bbb222-2-1', phase: 'Running', podTemplateHash: 'bbb222', createdAt: before(15) }],
    },
    rolloutRevisions: [
      {
        revision: 2,
        podTemplateHash: 'bbb222',
        images: ['shop/checkout:2'],
        outcome: 'Progressing',
        startedAt: before(30),
        finishedAt: null,
        startedBy: 'token:deployer',
        roles: ['canary'],
      },
      {
        revision: 1,
        podTemplateHash: 'aaa111',
        images: ['shop/checkout:1'],
        outcome: 'Healthy',
        startedAt: before(600),
        finishedAt: before(590),
        startedBy: 'token:ci',
        roles: ['stable'],
      },
    ],
  };
}

describe('renderRolloutTree', () => {
  it('draws a paused canary as the Argo plugin does: summary, then revisions with ReplicaSets, their pods, and runs', () => {
    expect(renderRolloutTree(pausedCanary(), now, plain)).toBe(
      [
        'Name:            checkout',
        'Namespace:       shop',
        'Cluster:         staging',
        'Status:          ॥ Paused',
        'Message:         CanaryPauseStep',
        'Strategy:        Canary',
        '  Step:          1/6',
        '  SetWeight:     20',
        '  ActualWeight:  20',
        'Images:          shop/checkout:1 (stable)',
        '                 shop/checkout:2 (canary)',
        'Replicas:',
        '  Desired:       5',
        '  Current:       5',
        '  Updated:       1',
        '  Ready:         5',
        '  Available:     5',
        '',
        'NAME                               KIND          STATUS               AGE     INFO',
        '⟳ checkout                         Rollout       ॥ Paused             10m',
        '├──# revision:2                    Revision      ◌ Progressing        30s     shop/checkout:2 by token:deployer',
        '│  ├──⧉ checkout-bbb222            ReplicaSet    ✖ Degraded           30s     canary,desired:1,current:1,ready:0,available:0,CrashLoopBackOff',
        '│  │  └──□ checkout-bbb222-x7k2p   Pod           ✖ CrashLoopBackOff   30s     ready:0/1,restarts:3',
        '│  ├──Σ checkout-bbb222-2-1        Experiment    ◌ Running            15s',
        '│  └──α checkout-bbb222-2-0        AnalysisRun   ✔ Successful         20s     ✔ 2,✖ 1 (step)',
        '└──# revision:1                    Revision      ✔ Healthy            10m     shop/checkout:1 by token:ci',
        '   └──⧉ checkout-aaa111            ReplicaSet    ✔ Healthy            10m     stable,desired:4,current:4,ready:4,available:4',
        '      ├──□ checkout-aaa111-5jz59   Pod           ✔ Running            10m     ready:1/1',
        '      ├──□ checkout-aaa111-mkhrl   Pod           ✔ Running            9m50s   ready:1/1,restarts:1',
        '      └──□ … 2 more                Pod',
        '',
      ].join('\n'),
    );
  });

  it('says which freeze refuses or holds its releases, and until when', () => {
    const data = pausedCanary();
    data.rollout.freeze = {
      window: 'weekend',
      reason: 'no releases over the weekend',
      policy: 'finish',
      start: '2026-03-01T08:00:00Z',
      end: '2026-03-01T15:00:00Z',
    };
    expect(renderRolloutTree(data, now, plain).split('\n').slice(4, 6)).toEqual([
      'Message:         CanaryPauseStep',
      'Freeze:          frozen by weekend until 2026-03-01T15:00:00Z (3h0m): no releases over the weekend',
    ]);
    data.rollout.message = 'held by freeze weekend until 2026-03-01T15:00:00.000Z';
    expect(renderRolloutTree(data, now, plain)).toContain('Freeze:          held by freeze weekend until 2026-03-01T15:00:00Z');
  });

  it('names the one image stable once promoted and warns while a new generation waits for the engine', () => {
    const data = pausedCanary();
    data.rollout.phase = 'Healthy';
    data.rollout.generation = 3;
    data.rollout.progress = {
      currentStep: { index: 1, count: 6 },
      weights: { setWeight: 100, actualWeight: 100 },
      replicas: { desired: 5, current: 5, updated: 5, ready: 5, available: 5 },
      podTemplateHashes: { stable: 'bbb222' },
      fullyPromoted: true,
    };
    const frame = renderRolloutTree(data, now, plain);
    expect(frame).toContain('Images:          shop/checkout:2 (stable)\nReplicas:');
    expect(frame).toContain('  Step:          1/6\n  SetWeight:     100\n  ActualWeight:  100');
    expect(frame).toContain('Generation 3 is not reconciled yet (engine at 2)');
  });

  it.each([
    {
      deadline: before(-25),
      desired: 2,
      replicas: 2,
      text: '✔ Healthy       10m   stable,desired:2,current:2,ready:2,available:2,delay:25s',
    },
    {
      deadline: before(3),
      desired: 2,
      replicas: 2,
      text: '✔ Healthy       10m   stable,desired:2,current:2,ready:2,available:2,delay:passed',
    },
    { deadline: null, desired: 0, replicas: 0, text: '• ScaledDown    10m   stable,desired:0,current:0,ready:0,available:0' },
    { deadline: null, desired: null, replicas: null, text: '• ScaledDown    10m   stable,desired:-,current:-,ready:-,available:-' },
  ])('shows the scale-down delay counting down and a ScaledDown ReplicaSet: $text', ({ deadline, desired, replicas, text }) => {
    const data = pausedCanary();
    data.rollout.replicaSets[1] = {
      podTemplateHash: 'aaa111',
      desiredReplicas: desired,
      replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      scaleDownDeadline: deadline,
      podProblems: [],
      pods: [],
      podsOmitted: 0,
    };
    data.rollout.replicaSets[0] = { ...(data.rollout.replicaSets[0] as ReplicaSetCounts), pods: [] };
    const line = renderRolloutTree(data, now, plain)
      .split('\n')
      .find((row) => row.includes('checkout-aaa111'));
    expect(line).toBe(`   └──⧉ checkout-aaa111       ReplicaSet    ${text}`);
  });
});

describe('measurementCounts', () => {
  it.each([
    { phases: [], text: '✔ 0,✖ 0' },
    { phases: ['Successful', 'Inconclusive', 'Running'], text: '✔ 1,✖ 0' },
    { phases: ['Failed', 'Error', 'Successful'], text: '✔ 1,✖ 2' },
  ])('$phases: $text', ({ phases, text }) => {
    expect(measurementCounts({ measurements: phases.map((phase) => ({ metricName: 'm', phase })) })).toBe(text);
  });
});

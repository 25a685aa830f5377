import { describe, expect, it } from 'vitest';
import type { FleetMember, FleetRelease, FleetTreeData } from '../api/fleet-queries.js';
import type { Styles } from '../output/terminal.js';
import { analysisInfo, describeChange, gateInfo, memberInfo, renderFleetTree } from './fleet-tree.js';

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
const after = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();

function member(
  cluster: string,
  state: FleetMember['state'],
  phase: string | null,
  step: [number, number] | null,
  weights: [number, number] | null,
  message = '',
): FleetMember {
  return {
    cluster,
    state,
    message,
    changedAt: state === 'Pending' ? null : before(90),
    rollout:
      phase === null
        ? null
        : {
            cluster,
            namespace: 'shop',
            name: 'checkout',
            phase,
            message: '',
            progress: {
              currentStep: step === null ? null : { index: step[0], count: step[1] },
              weights: weights === null ? null : { setWeight: weights[0], actualWeight: weights[1] },
            },
          },
  };
}

/** Release 3 of `checkout`: the canary wave passed (approved), eu under way and soaking, rest waiting. */
function releaseInEu(): FleetRelease {
  return {
    id: 'r3',
    fleetRollout: 'checkout',
    number: 3,
    phase: 'Progressing',
    message: 'wave eu: 1 of 2 members released',
    change: { container: 'checkout', image: 'shop/checkout:2', template: null },
    reason: 'new checkout flow',
    startedBy: 'token:deployer',
    startedAt: before(600),
    finishedAt: null,
    currentWave: 1,
    unassigned: ['dev'],
    supersededBy: null,
    waves: [
      {
        name: 'canary',
        phase: 'Passed',
        startedAt: before(600),
        finishedAt: before(300),
        healthySince: before(420),
        approvedBy: 'token:lead',
        approvedAt: before(300),
        approvalReason: 'metrics fine',
        gates: [
          { gate: 'healthy', state: 'Passed', message: 'every member Healthy', since: before(420), until: null },
          { gate: 'approval', state: 'Passed', message: 'approved by token:lead', since: before(300), until: null },
        ],
        members: [member('staging', 'Released', 'Healthy', [6, 6], [100, 100])],
      },
      {
        name: 'eu',
        phase: 'Progressing',
        startedAt: before(300),
        finishedAt: null,
        healthySince: null,
        approvedBy: null,
        approvedAt: null,
        approvalReason: null,
        gates: [
          { gate: 'healthy', state: 'Waiting', message: '1 of 2 members Healthy', since: before(300), until: null },
          { gate: 'soak', state: 'Pending', message: 'soak 10m', since: null, until: after(270) },
        ],
        members: [
          member('prod-eu-1', 'Released', 'Healthy', [6, 6], [100, 100]),
          member('prod-eu-2', 'Changing', 'Paused', [1, 6], [20, 20], 'runs its steps'),
        ],
      },
      {
        name: 'rest',
        phase: 'Pending',
        startedAt: null,
        finishedAt: null,
        healthySince: null,
        approvedBy: null,
        approvedAt: null,
        approvalReason: null,
        gates: [],
        members: [member('prod-us', 'Pending', 'Healthy', null, null), member('prod-ap', 'Skipped', null, null, null, 'missing, allowed')],
      },
    ],
  };
}

const data = (release: FleetRelease): FleetTreeData => ({
  fleetRollout: { name: 'checkout', rolloutNamespace: 'shop', rolloutName: 'checkout', failurePolicy: 'halt' },
  fleetRelease: release,
});

describe('renderFleetTree', () => {
  it('draws the release header, then each wave with its gates and members and their Rollouts', () => {
    const release = releaseInEu();
    expect(renderFleetTree(data(release), release, now, plain)).toBe(
      [
        'Name:            checkout',
        'Rollout:         shop/checkout',
        'FailurePolicy:   halt',
        'Release:         3',
        'Status:          ◌ Progressing',
        'Message:         wave eu: 1 of 2 members released',
        'Change:          image checkout=shop/checkout:2',
        'Reason:          new checkout flow',
        'Started:         10m ago by token:deployer',
        'Wave:            2/3 eu',
        'Unassigned:      dev',
        '',
        'NAME                KIND           STATUS          AGE    INFO',
        '⟳ release:3         FleetRelease   ◌ Progressing   10m    image checkout=shop/checkout:2 by token:deployer',
        '├──≋ canary         Wave           ✔ Passed        10m    1/1 released, approved by token:lead (metrics fine)',
        '│  ├──◇ healthy     Gate           ✔ Passed        7m0s   every member Healthy',
        '│  ├──◇ approval    Gate           ✔ Passed        5m0s   approved by token:lead',
        '│  └──⎈ staging     Member         ✔ Released      90s    ✔ Healthy, step 6/6, weight 100',
        '├──≋ eu             Wave           ◌ Progressing   5m0s   1/2 released',
        '│  ├──◇ healthy     Gate           ◌ Waiting       5m0s   1 of 2 members Healthy',
        '│  ├──◇ soak        Gate           ◌ Pending              soak 10m (4m30s left)',
        '│  ├──⎈ prod-eu-1   Member         ✔ Released      90s    ✔ Healthy, step 6/6, weight 100',
        '│  └──⎈ prod-eu-2   Member         ◌ Changing      90s    ॥ Paused, step 1/6, weight 20 - runs its steps',
        '└──≋ rest           Wave           ◌ Pending              0/2 released, 1 skipped',
        '   ├──⎈ prod-us     Member         ◌ Pending              ✔ Healthy',
        '   └──⎈ prod-ap     Member         » Skipped       90s    no Rollout - missing, allowed',
        '',
      ].join('\n'),
    );
  });

  it('says when a finished release ended and what superseded it, and that every wave passed', () => {
    const release: FleetRelease = {
      ...releaseInEu(),
      phase: 'Superseded',
      finishedAt: before(60),
      supersededBy: 4,
      currentWave: 3,
      reason: null,
    };
    const frame = renderFleetTree({ fleetRollout: null, fleetRelease: release }, release, now, plain);
    expect(frame).toContain('Release:         3\nStatus:          • Superseded\n');
    expect(frame).toContain('Finished:        60s ago, after 9m0s\nSupersededBy:    release 4\nWave:            all 3 waves passed\n');
    expect(frame).not.toContain('Reason:');
    expect(frame).not.toContain('Rollout:');
  });
});

describe('a wave with pooled analysis', () => {
  const pooledRun = (attempt: number, phase: string): NonNullable<FleetRelease['analysisRuns']>[number] => ({
    name: `checkout-3-eu-${attempt}-pooled`,
    phase,
    message: '',
    cluster: null,
    clusters: ['prod-eu-1', 'prod-eu-2'],
    spec: { fleetWave: { wave: 'eu', cluster: null, attempt } },
    measurements: [
      { metricName: 'error-rate', index: 0, cluster: null, phase: 'Successful', value: '[]' },
      { metricName: 'error-rate', index: 0, cluster: 'prod-eu-1', phase: 'Successful', value: '[0.001]' },
      { metricName: 'error-rate', index: 0, cluster: 'prod-eu-2', phase: 'Successful', value: '[0.002]' },
      { metricName: 'error-rate', index: 1, cluster: 'prod-eu-1', phase: 'Successful', value: '[0.001]' },
      { metricName: 'error-rate', index: 1, cluster: 'prod-eu-2', phase: 'Running', value: null },
    ],
  });

  it('shows the latest attempt of the pooled run under the analysis gate: its clusters, verdicts and who answered', () => {
    const release = releaseInEu();
    const eu = release.waves[1] as FleetRelease['waves'][number];
    const withAnalysis: FleetRelease = {
      ...release,
      waves: release.waves.with(1, {
        ...eu,
        gates: [
          { gate: 'healthy', state: 'Passed', message: 'every member Healthy', since: before(60), until: null },
          { gate: 'analysis', state: 'Waiting', message: 'waiting for pooled analysis', since: before(60), until: null },
        ],
      }),
      analysisRuns: [pooledRun(0, 'Failed'), pooledRun(1, 'Running')],
    };
    const frame = renderFleetTree(data(withAnalysis), withAnalysis, now, plain);
    expect(frame).toContain('◇ analysis');
    expect(frame).toContain(
      '│  │  └──∿ checkout-3-eu-1-pooled   AnalysisRun    ◌ Running              pooled over prod-eu-1, prod-eu-2; error-rate #0 Successful; error-rate #1: 1/2 clusters answered',
    );
    expect(frame).not.toContain('checkout-3-eu-0-pooled');
  });

  it('names the cluster of a run of its own', () => {
    expect(
      analysisInfo({ cluster: 'prod-eu-1', clusters: ['prod-eu-1'], measurements: [], message: 'metric "error-rate" assessed Failed' }),
    ).toBe('in prod-eu-1; metric "error-rate" assessed Failed');
  });
});

describe('describeChange', () => {
  it.each([
    { change: { container: 'checkout', image: 'shop/checkout:2', template: null }, text: 'image checkout=shop/checkout:2' },
    {
      change: {
        container: null,
        image: null,
        template: {
          spec: {
            containers: [
              { name: 'app', image: 'shop/app:3' },
              { name: 'proxy', image: 'envoy:1' },
            ],
          },
        },
      },
      text: 'template app=shop/app:3,proxy=envoy:1',
    },
    { change: { container: null, image: null, template: { spec: { containers: 'none' } } }, text: 'template' },
  ])('$text', ({ change, text }) => {
    expect(describeChange(change)).toBe(text);
  });
});

describe('gateInfo', () => {
  it.each([
    { state: 'Waiting' as const, until: after(90), text: 'soaking (90s left)' },
    { state: 'Waiting' as const, until: before(1), text: 'soaking' },
    { state: 'Passed' as const, until: after(90), text: 'soaking' },
    { state: 'Waiting' as const, until: null, text: 'soaking' },
  ])('$state until $until: $text', ({ state, until, text }) => {
    expect(gateInfo({ gate: 'soak', state, message: 'soaking', since: null, until }, now)).toBe(text);
  });
});

describe('memberInfo', () => {
  it('shows the routed weight and the set weight when they differ', () => {
    expect(memberInfo(member('staging', 'Changing', 'Paused', [1, 6], [40, 20], 'waits at a pause'), plain)).toBe(
      '॥ Paused, step 1/6, weight 20 (set 40) - waits at a pause',
    );
  });
});

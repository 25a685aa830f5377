import { describe, expect, it } from 'vitest';
import type { CanaryStep } from '@flotilla/argo-spec';
import { rolloutSpec, START } from './testing/fixtures.js';
import { RolloutSimulation } from './testing/rollout-simulation.js';
import type { RolloutPhase } from './types.js';

interface StepExpectation {
  index: number;
  phase: RolloutPhase;
  message: string;
  canaryReplicas: number;
  requeueInSeconds?: number;
  runsRequested?: number;
  experimentsRequested?: number;
}

/** Rolls a new image out to a 4-replica canary whose steps are `[step, pause {}]` and settles. */
function afterStep(step: CanaryStep, routed: boolean): RolloutSimulation {
  const trafficRouting = routed ? { trafficRouting: { nginx: { stableIngress: 'checkout' } }, canaryService: 'c', stableService: 's' } : {};
  const simulation = new RolloutSimulation(
    rolloutSpec({ canary: { steps: [step, { pause: {} }], ...trafficRouting } }, { replicas: 4 }),
    START,
  );
  simulation.settle();
  simulation.setImage('shop/checkout:2.0');
  simulation.settle();
  return simulation;
}

describe('each canary step type', () => {
  it.each<[string, CanaryStep, boolean, StepExpectation]>([
    [
      'setWeight completes once the canary is available',
      { setWeight: 50 },
      false,
      { index: 1, phase: 'Paused', message: 'CanaryPauseStep', canaryReplicas: 2 },
    ],
    [
      'routed setWeight completes once the router serves it',
      { setWeight: 50 },
      true,
      { index: 1, phase: 'Paused', message: 'CanaryPauseStep', canaryReplicas: 2 },
    ],
    ['pause {} waits for a promote', { pause: {} }, false, { index: 0, phase: 'Paused', message: 'CanaryPauseStep', canaryReplicas: 0 }],
    [
      'pause with a duration wakes up at its end',
      { pause: { duration: '1m' } },
      false,
      { index: 0, phase: 'Paused', message: 'CanaryPauseStep', canaryReplicas: 0, requeueInSeconds: 60 },
    ],
    [
      'pause of zero seconds passes at once',
      { pause: { duration: 0 } },
      false,
      { index: 1, phase: 'Paused', message: 'CanaryPauseStep', canaryReplicas: 0 },
    ],
    [
      'analysis waits for its run',
      { analysis: { templates: [{ templateName: 'smoke' }] } },
      false,
      { index: 0, phase: 'Progressing', message: 'more replicas need to be updated', canaryReplicas: 0, runsRequested: 1 },
    ],
    [
      'experiment waits for the experiment',
      { experiment: { templates: [{ name: 'candidate', specRef: 'canary' }] } },
      false,
      { index: 0, phase: 'Progressing', message: 'more replicas need to be updated', canaryReplicas: 0, experimentsRequested: 1 },
    ],
    [
      'setCanaryScale sizes the canary',
      { setCanaryScale: { replicas: 3 } },
      true,
      { index: 1, phase: 'Paused', message: 'CanaryPauseStep', canaryReplicas: 3 },
    ],
    [
      'setCanaryScale weight sizes by percent',
      { setCanaryScale: { weight: 50 } },
      true,
      { index: 1, phase: 'Paused', message: 'CanaryPauseStep', canaryReplicas: 2 },
    ],
    [
      'setHeaderRoute applies its route',
      { setHeaderRoute: { name: 'beta', match: [{ headerName: 'x', headerValue: { exact: 'y' } }] } },
      true,
      { index: 1, phase: 'Paused', message: 'CanaryPauseStep', canaryReplicas: 0 },
    ],
    [
      'setMirrorRoute applies its route',
      { setMirrorRoute: { name: 'shadow', percentage: 10 } },
      true,
      { index: 1, phase: 'Paused', message: 'CanaryPauseStep', canaryReplicas: 0 },
    ],
  ])('%s', (_name, step, routed, expected) => {
    const simulation = afterStep(step, routed);
    const canary = simulation.status?.currentPodHash as string;
    expect(simulation.status).toMatchObject({ currentStepIndex: expected.index, phase: expected.phase, message: expected.message });
    expect(simulation.replicasByHash()[canary] ?? 0).toBe(expected.canaryReplicas);
    expect(simulation.lastDecision.requeueAt).toEqual(
      expected.requeueInSeconds === undefined ? undefined : new Date(START.getTime() + expected.requeueInSeconds * 1000),
    );
    expect(simulation.decisions.flatMap((decision) => decision.analysisRunsToStart)).toHaveLength(expected.runsRequested ?? 0);
    expect(simulation.decisions.flatMap((decision) => decision.experimentsToStart)).toHaveLength(expected.experimentsRequested ?? 0);
  });
});

// upstream: completedCurrentCanaryStep decides by the first of pause, setCanaryScale, setWeight, experiment, analysis.
describe('a step with several fields: each takes effect, and the first in upstream’s order decides when it completes', () => {
  const headerRoute = { name: 'beta', match: [{ headerName: 'x', headerValue: { exact: 'y' } }] };
  it.each<[string, CanaryStep, StepExpectation & { routerWeight: number; headerRoutes: string[] }]>([
    [
      'setWeight and setCanaryScale: scaled by setCanaryScale, weighted by setWeight, done at the counts',
      { setWeight: 50, setCanaryScale: { replicas: 3 } },
      { index: 1, phase: 'Paused', message: 'CanaryPauseStep', canaryReplicas: 3, routerWeight: 50, headerRoutes: [] },
    ],
    [
      'pause and setCanaryScale: scaled at once, done when the pause ends',
      { pause: {}, setCanaryScale: { replicas: 2 } },
      { index: 0, phase: 'Paused', message: 'CanaryPauseStep', canaryReplicas: 2, routerWeight: 0, headerRoutes: [] },
    ],
    [
      'analysis and setCanaryScale: the run starts, and the step is done at the counts',
      { analysis: { templates: [{ templateName: 'smoke' }] }, setCanaryScale: { replicas: 1 } },
      { index: 1, phase: 'Paused', message: 'CanaryPauseStep', canaryReplicas: 1, routerWeight: 0, headerRoutes: [], runsRequested: 1 },
    ],
    [
      'experiment and setHeaderRoute: the route is set, and the step waits for the experiment',
      { experiment: { templates: [{ name: 'candidate', specRef: 'canary' }] }, setHeaderRoute: headerRoute },
      {
        index: 0,
        phase: 'Progressing',
        message: 'more replicas need to be updated',
        canaryReplicas: 0,
        routerWeight: 0,
        headerRoutes: ['beta'],
        experimentsRequested: 1,
      },
    ],
    [
      'setCanaryScale and setHeaderRoute: scaled and routed in one step',
      { setCanaryScale: { replicas: 1 }, setHeaderRoute: headerRoute },
      { index: 1, phase: 'Paused', message: 'CanaryPauseStep', canaryReplicas: 1, routerWeight: 0, headerRoutes: ['beta'] },
    ],
  ])('%s', (_name, step, expected) => {
    const simulation = afterStep(step, true);
    const canary = simulation.status?.currentPodHash as string;
    expect(simulation.status).toMatchObject({ currentStepIndex: expected.index, phase: expected.phase, message: expected.message });
    expect(simulation.replicasByHash()[canary] ?? 0).toBe(expected.canaryReplicas);
    const routing = simulation.lastDecision.desired.trafficRouting;
    expect(routing?.canaryWeight).toBe(expected.routerWeight);
    expect(routing?.headerRoutes.map((route) => route.name)).toEqual(expected.headerRoutes);
    expect(simulation.decisions.flatMap((decision) => decision.analysisRunsToStart)).toHaveLength(expected.runsRequested ?? 0);
    expect(simulation.decisions.flatMap((decision) => decision.experimentsToStart)).toHaveLength(expected.experimentsRequested ?? 0);
  });
});

describe('a pause beside setCanaryScale', () => {
  // upstream: rolloutCanary reconciles the pause only in a reconcile where reconcileCanaryReplicaSets scaled nothing.
  it('starts once the canary ReplicaSet has been resized, not in the decision that resizes it', () => {
    const simulation = afterStep({ pause: { duration: '1m' }, setCanaryScale: { replicas: 2 } }, true);
    const canary = simulation.status?.currentPodHash as string;
    const sizes = simulation.decisions.map((decision) => ({
      canaryReplicas: decision.desired.replicaSets.find((replicaSet) => replicaSet.podTemplateHash === canary)?.replicas ?? 0,
      paused: decision.status.pauseConditions.some((condition) => condition.reason === 'CanaryPauseStep'),
    }));
    const resizing = sizes.findIndex((size) => size.canaryReplicas === 2);
    expect(sizes[resizing]).toEqual({ canaryReplicas: 2, paused: false });
    expect(sizes.at(-1)).toEqual({ canaryReplicas: 2, paused: true });
    expect(simulation.status).toMatchObject({ currentStepIndex: 0, phase: 'Paused' });
  });
});

describe('each strategy on its first deployment and its first update', () => {
  it.each<[string, Parameters<typeof rolloutSpec>[0], string[]]>([
    ['basic canary', { canary: { steps: [{ setWeight: 25 }, { pause: {} }] } }, ['stable:3', 'canary:1']],
    [
      'traffic-routed canary',
      { canary: { steps: [{ setWeight: 25 }, { pause: {} }], trafficRouting: { smi: {} } } },
      ['stable:4', 'canary:1'],
    ],
    ['blue-green', { blueGreen: { activeService: 'active', autoPromotionEnabled: false } }, ['active:4', 'preview:4']],
    ['canary without steps', { canary: {} }, ['stable:4']],
  ])('%s', (_name, strategy, expectedRoles) => {
    const simulation = new RolloutSimulation(rolloutSpec(strategy, { replicas: 4 }), START);
    const [first] = simulation.settle();
    expect(first?.desired.replicaSets.map((replicaSet) => replicaSet.replicas)).toEqual([4]);
    expect(first?.analysisRunsToStart).toEqual([]);
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const roles = simulation.lastDecision.desired.replicaSets
      .filter((replicaSet) => replicaSet.replicas > 0)
      .map(
        (replicaSet) =>
          `${replicaSet.podTemplateHash === simulation.status?.currentPodHash ? roleOfCurrent(strategy) : roleOfStable(strategy)}:${replicaSet.replicas}`,
      )
      .sort();
    expect(roles).toEqual([...expectedRoles].sort());
  });
});

function roleOfCurrent(strategy: Parameters<typeof rolloutSpec>[0]): string {
  if (strategy.blueGreen !== undefined) return 'preview';
  return strategy.canary?.steps === undefined ? 'stable' : 'canary';
}

function roleOfStable(strategy: Parameters<typeof rolloutSpec>[0]): string {
  return strategy.blueGreen !== undefined ? 'active' : 'stable';
}

describe('canary housekeeping', () => {
  it('a canary without steps rolls like a Deployment, within surge and availability', () => {
    const simulation = new RolloutSimulation(rolloutSpec({ canary: { maxSurge: 1, maxUnavailable: 0 } }, { replicas: 4 }), START);
    simulation.settle();
    const stable = simulation.status?.stableRS as string;
    simulation.setImage('shop/checkout:2.0');
    const decisions = simulation.settle();
    const next = simulation.status?.currentPodHash as string;
    const sizes = decisions.map((decision) =>
      decision.desired.replicaSets
        .map((replicaSet) => `${replicaSet.podTemplateHash === stable ? 'old' : 'new'}=${replicaSet.replicas}`)
        .join(' '),
    );
    expect(sizes.slice(0, 6)).toEqual(['new=1 old=4', 'new=1 old=3', 'new=2 old=3', 'new=2 old=2', 'new=3 old=2', 'new=3 old=1']);
    expect(simulation.status).toMatchObject({ phase: 'Healthy', stableRS: next });
  });

  it('gives every ReplicaSet the rollout’s minReadySeconds, for the ReplicaSet controller to count available pods by', () => {
    const simulation = new RolloutSimulation(
      rolloutSpec({ canary: { steps: [{ setWeight: 50 }, { pause: {} }] } }, { replicas: 2, minReadySeconds: 15 }),
      START,
    );
    simulation.settle();
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    expect(simulation.lastDecision.desired.replicaSets.map((replicaSet) => replicaSet.minReadySeconds)).toEqual([15, 15]);
  });

  it('revisionHistoryLimit keeps only that many scaled-down ReplicaSets', () => {
    const simulation = new RolloutSimulation(rolloutSpec({ canary: {} }, { replicas: 2, revisionHistoryLimit: 2 }), START);
    simulation.settle();
    for (const version of ['2', '3', '4', '5']) {
      simulation.setImage(`shop/checkout:${version}`);
      simulation.settle();
    }
    const revisions = simulation.lastDecision.desired.replicaSets.map(
      (replicaSet) => replicaSet.annotations['rollout.argoproj.io/revision'],
    );
    expect(revisions).toEqual(['5', '3', '4']);
  });

  it('going back to a revision inside rollbackWindow skips the steps', () => {
    const steps = [{ setWeight: 50 }, { pause: {} }];
    const simulation = new RolloutSimulation(rolloutSpec({ canary: { steps } }, { replicas: 2, rollbackWindow: { revisions: 2 } }), START);
    simulation.settle();
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    simulation.operate({ type: 'promote', full: false });
    simulation.settle();
    expect(simulation.status?.phase).toBe('Healthy');
    simulation.setImage('shop/checkout:1.0');
    simulation.settle();
    expect(simulation.status).toMatchObject({ phase: 'Healthy', currentStepIndex: 2 });
    expect(
      simulation.decisions.flatMap((decision) => decision.events.map((event) => event.type)).filter((type) => type === 'RolloutPaused'),
    ).toHaveLength(1);
  });

  it('ephemeral canary and stable metadata follow the role of each ReplicaSet', () => {
    const canaryMetadata = { labels: { role: 'canary' } };
    const stableMetadata = { labels: { role: 'stable' } };
    const simulation = new RolloutSimulation(
      rolloutSpec({ canary: { steps: [{ setWeight: 50 }, { pause: {} }], canaryMetadata, stableMetadata } }, { replicas: 2 }),
      START,
    );
    simulation.settle();
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const roles = () =>
      simulation.lastDecision.desired.replicaSets.map((replicaSet) => [
        replicaSet.template.metadata?.labels?.['role'],
        replicaSet.labels['rollouts-pod-template-hash'] === replicaSet.podTemplateHash,
      ]);
    expect(roles()).toEqual([
      ['canary', true],
      ['stable', true],
    ]);
    simulation.operate({ type: 'promote', full: false });
    simulation.settle();
    expect(roles()[0]).toEqual(['stable', true]);
  });
});

import { POD_TEMPLATE_HASH_LABEL } from '@flotilla/protocol';
import { describe, expect, it } from 'vitest';
import type { CanaryStep, CanaryStrategy } from '@flotilla/argo-spec';
import { podTemplateHash } from './pod-template-hash.js';
import { rolloutSpec, START } from './testing/fixtures.js';
import { RolloutSimulation } from './testing/rollout-simulation.js';

const nginx = { nginx: { stableIngress: 'checkout' } };

function deployed(canary: CanaryStrategy, replicas = 10): { simulation: RolloutSimulation; stable: string } {
  const simulation = new RolloutSimulation(
    rolloutSpec(
      { canary: { canaryService: 'checkout-canary', stableService: 'checkout-stable', trafficRouting: nginx, ...canary } },
      { replicas },
    ),
    START,
  );
  simulation.settle();
  return { simulation, stable: simulation.status?.stableRS as string };
}

describe('nginx traffic-routed canary', () => {
  const steps: CanaryStep[] = [{ setWeight: 10 }, { pause: { duration: 30 } }, { setWeight: 50 }, { pause: { duration: 30 } }];

  it('sets the router weight per step, only once the canary is scaled for it, and keeps the stable full', () => {
    const { simulation, stable } = deployed({ steps });
    simulation.setImage('shop/checkout:2.0');
    const decisions = simulation.settle();
    const canary = simulation.status?.currentPodHash as string;
    expect(
      decisions.map((decision) => [
        decision.desired.trafficRouting?.canaryWeight,
        decision.desired.replicaSets.find((replicaSet) => replicaSet.podTemplateHash === canary)?.replicas,
      ]),
    ).toEqual([
      [0, 1],
      [10, 1],
      [10, 1],
      [10, 1],
    ]);
    expect(simulation.status).toMatchObject({ phase: 'Paused', currentStepIndex: 1 });
    expect(simulation.replicasByHash()).toEqual({ [stable]: 10, [canary]: 1 });
    expect(simulation.lastDecision.desired.services).toEqual({
      stable: { service: 'checkout-stable', podTemplateHash: stable },
      canary: { service: 'checkout-canary', podTemplateHash: canary },
    });
    expect(simulation.lastDecision.desired.trafficRouting).toMatchObject({ canaryPodTemplateHash: canary, stablePodTemplateHash: stable });
    expect(simulation.status?.canary.weights).toEqual({
      canary: { weight: 10, podTemplateHash: canary, serviceName: 'checkout-canary' },
      stable: { weight: 90, podTemplateHash: stable, serviceName: 'checkout-stable' },
      additionalDestinations: [],
    });
    expect(decisions.flatMap((decision) => decision.events)).toContainEqual({
      type: 'TrafficWeightUpdated',
      router: 'nginx',
      from: 0,
      to: 10,
    });

    simulation.wakeUp();
    expect(simulation.observed.trafficWeights.nginx).toBe(50);
    expect(simulation.replicasByHash()).toEqual({ [stable]: 10, [canary]: 5 });

    simulation.wakeUp();
    expect(simulation.status).toMatchObject({ phase: 'Healthy', stableRS: canary });
    expect(simulation.lastDecision.desired.trafficRouting?.canaryWeight).toBe(0);
    expect(simulation.replicasByHash()).toEqual({ [stable]: 10, [canary]: 10 });
    const scaleDownAt = simulation.lastDecision.requeueAt;
    expect(scaleDownAt).toEqual(new Date(START.getTime() + 60_000 + 30_000));
    simulation.wakeUp();
    expect(simulation.replicasByHash()).toEqual({ [canary]: 10 });
  });

  it('abort sends all traffic to the stable at once and scales the canary down after abortScaleDownDelaySeconds', () => {
    const { simulation, stable } = deployed({ steps, abortScaleDownDelaySeconds: 45 });
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const canary = simulation.status?.currentPodHash as string;
    simulation.operate({ type: 'abort' });
    simulation.settle();
    expect(simulation.observed.trafficWeights.nginx).toBe(0);
    expect(simulation.observed.serviceSelectors['checkout-canary']).toBe(stable);
    expect(simulation.replicasByHash()).toEqual({ [stable]: 10, [canary]: 1 });
    expect(simulation.lastDecision.requeueAt).toEqual(new Date(START.getTime() + 45_000));
    simulation.wakeUp();
    expect(simulation.replicasByHash()).toEqual({ [stable]: 10 });
    expect(simulation.status?.phase).toBe('Degraded');
  });

  it('a stable ReplicaSet missing from the observation does not make the canary full size', () => {
    const { simulation, stable } = deployed({ steps });
    simulation.setImage('shop/checkout:2.0');
    simulation.observed = {
      ...simulation.observed,
      replicaSets: simulation.observed.replicaSets.filter((replicaSet) => replicaSet.podTemplateHash !== stable),
    };
    simulation.step();
    const canary = simulation.status?.currentPodHash as string;
    expect(simulation.replicasByHash()[canary]).toBe(1);
  });

  // upstream: TestDynamicScalingDecreaseWeightAccordingToStepWeightsAvailabilityWhenAborted, TestHandleCanaryAbort
  it('abort with dynamicStableScale steps traffic back through the setWeights as the stable scales up', () => {
    const dynamicSteps: CanaryStep[] = [{ setWeight: 20 }, { setWeight: 50 }, { setWeight: 80 }, { pause: {} }];
    const { simulation, stable } = deployed({ steps: dynamicSteps, dynamicStableScale: true });
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const canary = simulation.status?.currentPodHash as string;
    expect(simulation.replicasByHash()).toEqual({ [stable]: 2, [canary]: 8 });
    simulation.operate({ type: 'abort' });
    const aborting = simulation.settle();
    const replicasOf = (decision: (typeof aborting)[number], hash: string) =>
      decision.desired.replicaSets.find((replicaSet) => replicaSet.podTemplateHash === hash)?.replicas;
    expect(
      aborting.map((decision) => [
        decision.desired.trafficRouting?.canaryWeight,
        replicasOf(decision, canary),
        replicasOf(decision, stable),
      ]),
    ).toEqual([
      [80, 8, 5],
      [50, 8, 5],
      [50, 5, 5],
      [50, 5, 8],
      [20, 5, 8],
      [20, 2, 8],
      [20, 2, 10],
      [0, 2, 10],
      [0, 0, 10],
      [0, 0, 10],
      [0, 0, 10],
    ]);
    // upstream: TestDynamicScalingDecreaseWeightAccordingToStableAvailabilityWhenAbortedAndResetService
    const canaryServiceTargets = aborting.map((decision) => decision.desired.services.canary?.podTemplateHash);
    expect(canaryServiceTargets.slice(0, 7).every((hash) => hash === canary)).toBe(true);
    expect(canaryServiceTargets.at(-1)).toBe(stable);
    expect(simulation.status).toMatchObject({ phase: 'Degraded', abort: true });
  });

  // upstream: TestReconcileNewReplicaSet "scale down on abort" rows
  it('abort with dynamicStableScale and abortScaleDownDelaySeconds keeps the canary until the delay after the stable is fully available', () => {
    const { simulation, stable } = deployed({
      steps: [{ setWeight: 50 }, { pause: {} }],
      dynamicStableScale: true,
      abortScaleDownDelaySeconds: 60,
    });
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const canary = simulation.status?.currentPodHash as string;
    expect(simulation.replicasByHash()).toEqual({ [stable]: 5, [canary]: 5 });
    simulation.stuck.add(stable);
    simulation.operate({ type: 'abort' });
    simulation.settle();
    expect(simulation.observed.trafficWeights.nginx).toBe(50);
    expect(simulation.lastDecision.requeueAt).toBeUndefined();

    simulation.advanceSeconds(100);
    simulation.stuck.delete(stable);
    simulation.settle();
    expect(simulation.observed.trafficWeights.nginx).toBe(0);
    expect(simulation.replicasByHash()).toEqual({ [stable]: 10, [canary]: 5 });
    expect(simulation.lastDecision.requeueAt).toEqual(new Date(START.getTime() + 160_000));
    simulation.wakeUp();
    expect(simulation.replicasByHash()).toEqual({ [stable]: 10 });
  });

  /** Reconciles `rounds` times while the canary's pods come up to at most `available`. */
  function withCanaryAvailable(simulation: RolloutSimulation, canary: string, available: number, rounds: number): void {
    simulation.stuck.add(canary);
    for (let round = 0; round < rounds; round++) {
      simulation.step();
      simulation.observed = {
        ...simulation.observed,
        replicaSets: simulation.observed.replicaSets.map((replicaSet) =>
          replicaSet.podTemplateHash === canary
            ? {
                ...replicaSet,
                readyReplicas: Math.min(replicaSet.replicas, available),
                availableReplicas: Math.min(replicaSet.replicas, available),
              }
            : replicaSet,
        ),
      };
    }
  }

  // upstream: TestAtDesiredReplicaCountsForCanary, TestCheckReplicasAvailableWithReplicaProgressThreshold
  it.each<[string, CanaryStrategy['replicaProgressThreshold'], number]>([
    ['without a threshold, every canary pod', undefined, 0],
    ['80% of the canary pods', { type: 'Percent', value: 80 }, 1],
    ['4 canary pods', { type: 'Pod', value: 4 }, 1],
    ['5 canary pods', { type: 'Pod', value: 5 }, 0],
  ])('replicaProgressThreshold: a step with 4 of 5 canary pods available completes with %s', (_name, threshold, stepIndex) => {
    const { simulation } = deployed({
      steps: [{ setWeight: 50 }, { pause: {} }],
      ...(threshold ? { replicaProgressThreshold: threshold } : {}),
    });
    simulation.setImage('shop/checkout:2.0');
    withCanaryAvailable(simulation, podTemplateHash(simulation.spec.template), 4, 4);
    expect(simulation.status?.currentStepIndex).toBe(stepIndex);
  });

  // upstream: TestShouldFullPromoteWithReplicaProgressThreshold
  it.each<[string, CanaryStrategy['replicaProgressThreshold'], boolean]>([
    ['without a threshold', undefined, false],
    ['with 90%', { type: 'Percent', value: 90 }, true],
  ])('replicaProgressThreshold: 9 of 10 canary pods complete the rollout %s: %j', (_name, threshold, completed) => {
    const { simulation } = deployed({ steps: [], ...(threshold ? { replicaProgressThreshold: threshold } : {}) });
    simulation.setImage('shop/checkout:2.0');
    const canary = podTemplateHash(simulation.spec.template);
    withCanaryAvailable(simulation, canary, 9, 4);
    expect(simulation.status?.stableRS === canary).toBe(completed);
  });

  it('header and mirror routes apply from their step and are cleared when the rollout completes', () => {
    const routeSteps: CanaryStep[] = [
      { setHeaderRoute: { name: 'beta', match: [{ headerName: 'x-beta', headerValue: { exact: 'yes' } }] } },
      { setMirrorRoute: { name: 'shadow', percentage: 20, match: [{ path: { prefix: '/api' } }] } },
      { setWeight: 20 },
      { pause: {} },
    ];
    const { simulation } = deployed({
      steps: routeSteps,
      trafficRouting: { ...nginx, managedRoutes: [{ name: 'beta' }, { name: 'shadow' }] },
    });
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    expect(simulation.lastDecision.desired.trafficRouting?.headerRoutes.map((route) => route.name)).toEqual(['beta']);
    expect(simulation.lastDecision.desired.trafficRouting?.mirrorRoutes.map((route) => route.name)).toEqual(['shadow']);
    simulation.operate({ type: 'promote', full: false });
    simulation.settle();
    expect(simulation.status?.phase).toBe('Healthy');
    expect(simulation.lastDecision.desired.trafficRouting).toMatchObject({ headerRoutes: [], mirrorRoutes: [], canaryWeight: 0 });
  });

  it('setCanaryScale sizes the canary independently of its weight', () => {
    const { simulation } = deployed({ steps: [{ setCanaryScale: { replicas: 3 } }, { setWeight: 10 }, { pause: {} }] });
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const canary = simulation.status?.currentPodHash as string;
    expect(simulation.replicasByHash()[canary]).toBe(3);
    expect(simulation.observed.trafficWeights.nginx).toBe(10);
  });

  it('dynamicStableScale shrinks the stable as traffic leaves it', () => {
    const { simulation, stable } = deployed({ steps: [{ setWeight: 40 }, { pause: {} }], dynamicStableScale: true });
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const canary = simulation.status?.currentPodHash as string;
    expect(simulation.replicasByHash()).toEqual({ [stable]: 6, [canary]: 4 });
  });

  it('dynamicStableScale scales the old stable to zero at once when the canary becomes stable, without the delay', () => {
    const { simulation, stable } = deployed({ steps: [{ setWeight: 40 }, { pause: {} }], dynamicStableScale: true });
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const canary = simulation.status?.currentPodHash as string;
    simulation.operate({ type: 'promote', full: false });
    const decisions = simulation.settle();
    const completion = decisions.find((decision) => decision.status.stableRS === canary);
    expect(completion?.desired.replicaSets.find((replicaSet) => replicaSet.podTemplateHash === stable)?.replicas).toBe(0);
    expect(simulation.status).toMatchObject({ phase: 'Healthy', stableRS: canary, scaleDownDeadlines: {} });
    expect(simulation.replicasByHash()).toEqual({ [canary]: 10 });
    expect(simulation.lastDecision.requeueAt).toBeUndefined();
  });

  it('dynamicStableScale cuts short a scale-down delay already running, as upstream', () => {
    const { simulation, stable } = deployed({ steps: [{ setWeight: 40 }, { pause: {} }] });
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const canary = simulation.status?.currentPodHash as string;
    simulation.operate({ type: 'promote', full: false });
    simulation.settle();
    expect(simulation.replicasByHash()).toEqual({ [stable]: 10, [canary]: 10 });
    const canaryStrategy = simulation.spec.strategy.canary as CanaryStrategy;
    simulation.spec = { ...simulation.spec, strategy: { canary: { ...canaryStrategy, dynamicStableScale: true } } };
    simulation.settle();
    expect(simulation.replicasByHash()).toEqual({ [canary]: 10 });
  });

  it('analysis step: success moves on, failure aborts', () => {
    const analysis = { templates: [{ templateName: 'success-rate' }] };
    const { simulation, stable } = deployed({ steps: [{ setWeight: 20 }, { analysis }, { setWeight: 50 }, { analysis }] });
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const canary = simulation.status?.currentPodHash as string;
    expect(simulation.status).toMatchObject({ currentStepIndex: 1, canary: { currentStepAnalysisRun: `checkout-${canary}-2-1` } });
    simulation.finishRun(`checkout-${canary}-2-1`, 'Successful');
    simulation.settle();
    expect(simulation.status?.currentStepIndex).toBe(3);
    expect(simulation.observed.trafficWeights.nginx).toBe(50);
    simulation.finishRun(`checkout-${canary}-2-3`, 'Error', 'prometheus unreachable');
    simulation.settle();
    expect(simulation.status).toMatchObject({ phase: 'Degraded', abort: true });
    expect(simulation.observed.trafficWeights.nginx).toBe(0);
    expect(simulation.replicasByHash()[stable]).toBe(10);
  });

  it('inconclusive analysis pauses until promoted', () => {
    const analysis = { templates: [{ templateName: 'success-rate' }] };
    const { simulation } = deployed({ steps: [{ setWeight: 20 }, { analysis }, { setWeight: 50 }] });
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const canary = simulation.status?.currentPodHash as string;
    simulation.finishRun(`checkout-${canary}-2-1`, 'Inconclusive');
    simulation.settle();
    expect(simulation.status).toMatchObject({ phase: 'Paused', message: 'InconclusiveAnalysisRun', currentStepIndex: 1 });
    simulation.operate({ type: 'promote', full: false });
    simulation.settle();
    expect(simulation.status).toMatchObject({ phase: 'Healthy', stableRS: canary });
  });

  it('background analysis starts at startingStep, aborts on failure and is terminated on completion', () => {
    const analysis = { templates: [{ templateName: 'latency' }], startingStep: 1 };
    const { simulation } = deployed({ steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 40 }, { pause: {} }], analysis });
    simulation.setImage('shop/checkout:2.0');
    const decisions = simulation.settle();
    const canary = simulation.status?.currentPodHash as string;
    const background = `checkout-${canary}-2-background`;
    expect(decisions[0]?.analysisRunsToStart).toEqual([]);
    expect(decisions.flatMap((decision) => decision.analysisRunsToStart).map((request) => request.name)).toEqual([background]);
    simulation.operate({ type: 'promote', full: true });
    const finishing = simulation.settle();
    expect(finishing.flatMap((decision) => decision.analysisRunsToTerminate)).toEqual([background]);
    expect(simulation.status?.phase).toBe('Healthy');
  });

  it('experiment step runs stable and canary templates with weights, and a failed experiment aborts', () => {
    const experiment = {
      duration: '5m',
      templates: [
        { name: 'baseline', specRef: 'stable' as const, replicas: 1, weight: 5 },
        { name: 'candidate', specRef: 'canary' as const, replicas: 1, weight: 5 },
      ],
      analyses: [{ name: 'compare', templateName: 'compare' }],
    };
    const { simulation, stable } = deployed({ steps: [{ setWeight: 10 }, { experiment }, { setWeight: 50 }] });
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const canary = simulation.status?.currentPodHash as string;
    const request = simulation.decisions.flatMap((decision) => decision.experimentsToStart)[0];
    const name = request?.name as string;
    expect(
      request?.spec.templates.map((template) => [
        template.name,
        template.template.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL],
        template.replicas,
        template.weight,
      ]),
    ).toEqual([
      ['baseline', stable, 1, 5],
      ['candidate', canary, 1, 5],
    ]);
    expect(simulation.experiment(name)?.phase).toBe('Running');
    expect(simulation.lastDecision.desired.trafficRouting).toMatchObject({ canaryWeight: 10, stableWeight: 80 });
    expect(simulation.lastDecision.desired.trafficRouting?.additionalDestinations.map((destination) => destination.serviceName)).toEqual([
      `${name}-baseline`,
      `${name}-candidate`,
    ]);
    simulation.finishRun(`${name}-compare`, 'Failed', 'baseline and candidate differ');
    simulation.settle();
    expect(simulation.experiment(name)).toMatchObject({ phase: 'Failed', message: 'baseline and candidate differ' });
    expect(simulation.status).toMatchObject({ phase: 'Degraded', abort: true });
    expect(simulation.lastDecision.desired.trafficRouting).toMatchObject({
      canaryWeight: 0,
      stableWeight: 100,
      additionalDestinations: [],
    });
  });

  it('maxTrafficWeight sets the unit of every weight', () => {
    const { simulation, stable } = deployed({
      steps: [{ setWeight: 250 }, { pause: {} }],
      trafficRouting: { ...nginx, maxTrafficWeight: 1000 },
    });
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const canary = simulation.status?.currentPodHash as string;
    expect(simulation.lastDecision.desired.trafficRouting).toMatchObject({ canaryWeight: 250, stableWeight: 750 });
    expect(simulation.replicasByHash()).toEqual({ [stable]: 10, [canary]: 3 });
  });
});

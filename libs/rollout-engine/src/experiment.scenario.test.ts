import { EXPERIMENT_LABEL, EXPERIMENT_TEMPLATE_LABEL, POD_TEMPLATE_HASH_LABEL, type DesiredReplicaSet } from '@flotilla/protocol';
import { describe, expect, it } from 'vitest';
import type { CanaryStrategy, PodTemplateSpec, RolloutExperimentStep, RolloutSpec } from '@flotilla/argo-spec';
import { rolloutSpec, START } from './testing/fixtures.js';
import { RolloutSimulation } from './testing/rollout-simulation.js';
import type { Decision } from './types.js';

const SECOND = 1000;
const at = (seconds: number): Date => new Date(START.getTime() + seconds * SECOND);

/** The fixture's pod template with a container port, so that experiment templates get their Services. */
const servedTemplate: PodTemplateSpec = {
  metadata: { labels: { app: 'checkout' } },
  spec: { containers: [{ name: 'app', image: 'shop/checkout:1.0', ports: [{ name: 'http', containerPort: 8080 }] }] },
};

function deployed(canary: CanaryStrategy, overrides: Partial<RolloutSpec> = {}): { simulation: RolloutSimulation; stable: string } {
  const simulation = new RolloutSimulation(rolloutSpec({ canary }, overrides), START);
  simulation.settle();
  return { simulation, stable: simulation.status?.stableRS as string };
}

const isExperimentReplicaSet = (replicaSet: DesiredReplicaSet): boolean => replicaSet.labels[EXPERIMENT_LABEL] !== undefined;

/** A decision as `<step> <phase> <replica sets>`, the rollout's by role and the experiment's as `experiment/<template>`. */
function summary(decision: Decision, stable: string): string {
  const sizes = decision.desired.replicaSets.map((replicaSet) => {
    const template = replicaSet.labels[EXPERIMENT_TEMPLATE_LABEL];
    const role =
      template !== undefined
        ? `experiment/${template}`
        : replicaSet.podTemplateHash === stable
          ? 'stable'
          : replicaSet.podTemplateHash === decision.status.currentPodHash
            ? 'canary'
            : 'old';
    return `${role}=${replicaSet.replicas}`;
  });
  return [decision.status.currentStepIndex, decision.status.phase, ...sizes].join(' ');
}

function experimentReplicaSets(decision: Decision): DesiredReplicaSet[] {
  return decision.desired.replicaSets.filter(isExperimentReplicaSet);
}

/**
 * The rollout's counts are those of its own ReplicaSets: each decision reports what the previous one made the cluster
 * run (the simulated agent converges at once), experiment pods left out.
 */
function expectRolloutCountsWithoutExperimentPods(simulation: RolloutSimulation): void {
  simulation.decisions.slice(1).forEach((decision, index) => {
    const previous = simulation.decisions[index] as Decision;
    const rolloutPods = previous.desired.replicaSets
      .filter((replicaSet) => !isExperimentReplicaSet(replicaSet))
      .reduce((sum, replicaSet) => sum + replicaSet.replicas, 0);
    expect({ replicas: decision.status.replicas, availableReplicas: decision.status.availableReplicas }).toEqual({
      replicas: rolloutPods,
      availableReplicas: rolloutPods,
    });
  });
}

/** The experiment the rollout started, by its place among those started. */
function startedExperiment(simulation: RolloutSimulation, nth = 0): string {
  const request = simulation.decisions.flatMap((decision) => decision.experimentsToStart)[nth];
  if (request === undefined) throw new Error(`no experiment #${nth} was started`);
  return request.name;
}

const baselineAndCanary: RolloutExperimentStep['templates'] = [
  { name: 'baseline', specRef: 'stable' },
  { name: 'canary', specRef: 'canary' },
];

describe('experiment step with a duration', () => {
  it('runs its templates next to the rollout for the duration, then the rollout goes on and the experiment scales down after its delay', () => {
    const { simulation, stable } = deployed({
      steps: [{ setWeight: 20 }, { experiment: { duration: '30s', templates: baselineAndCanary } }, { setWeight: 60 }],
    });
    simulation.setImage('shop/checkout:2.0');
    const starting = simulation.settle();
    const canary = simulation.status?.currentPodHash as string;
    const name = startedExperiment(simulation);
    expect(name).toBe(`checkout-${canary}-2-1`);
    expect(starting.map((decision) => summary(decision, stable))).toEqual([
      '0 Progressing canary=1 stable=4',
      '1 Progressing canary=1 stable=4 experiment/baseline=1 experiment/canary=1',
      '1 Progressing canary=1 stable=4 experiment/baseline=1 experiment/canary=1',
      '1 Progressing canary=1 stable=4 experiment/baseline=1 experiment/canary=1',
    ]);
    const [baseline, candidate] = experimentReplicaSets(simulation.lastDecision);
    expect(baseline).toMatchObject({
      name: `${name}-baseline`,
      labels: { [EXPERIMENT_LABEL]: name, [EXPERIMENT_TEMPLATE_LABEL]: 'baseline' },
    });
    expect(candidate).toMatchObject({
      name: `${name}-canary`,
      labels: { [EXPERIMENT_LABEL]: name, [EXPERIMENT_TEMPLATE_LABEL]: 'canary' },
    });
    expect(baseline?.template.spec.containers[0]?.image).toBe('shop/checkout:1.0');
    expect(candidate?.template.spec.containers[0]?.image).toBe('shop/checkout:2.0');
    const experimentHashes = [baseline?.podTemplateHash, candidate?.podTemplateHash];
    expect(new Set([...experimentHashes, stable, canary]).size).toBe(4);
    expect(
      experimentReplicaSets(simulation.lastDecision).map((replicaSet) => replicaSet.template.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL]),
    ).toEqual(experimentHashes);
    expect(
      simulation.observed.replicaSets
        .filter((replicaSet) => replicaSet.labels[EXPERIMENT_LABEL] === name)
        .map((replicaSet) => replicaSet.availableReplicas),
    ).toEqual([1, 1]);
    expect(simulation.experiment(name)).toMatchObject({
      phase: 'Running',
      released: false,
      status: { availableAt: START.toISOString(), finishedAt: undefined },
    });
    expect(
      simulation.experimentEvents.filter((event) => event.type === 'ExperimentPhaseChanged').map((event) => `${event.from}->${event.to}`),
    ).toEqual(['Pending->Running']);
    expect(simulation.lastDecision.requeueAt).toEqual(at(30));

    const finishing = simulation.wakeUp();
    expect(simulation.now).toEqual(at(30));
    expect(simulation.experiment(name)).toMatchObject({ phase: 'Successful', status: { finishedAt: at(30).toISOString() } });
    expect(finishing.map((decision) => summary(decision, stable))).toEqual([
      '1 Progressing canary=1 stable=4 experiment/baseline=1 experiment/canary=1',
      '2 Progressing canary=3 stable=3 experiment/baseline=1 experiment/canary=1',
      '2 Progressing canary=3 stable=2 experiment/baseline=1 experiment/canary=1',
      '3 Progressing canary=5 stable=1 experiment/baseline=1 experiment/canary=1',
      '3 Progressing canary=5 stable=0 experiment/baseline=1 experiment/canary=1',
      '3 Healthy canary=5 stable=0 experiment/baseline=1 experiment/canary=1',
      '3 Healthy canary=5 stable=0 experiment/baseline=1 experiment/canary=1',
    ]);
    expect(finishing.flatMap((decision) => decision.events)).toContainEqual({
      type: 'RolloutStepCompleted',
      stepIndex: 1,
      stepCount: 3,
      step: 'experiment',
    });
    expect(simulation.status).toMatchObject({ phase: 'Healthy', stableRS: canary, canary: { currentExperiment: undefined } });
    expect(simulation.lastDecision.requeueAt).toEqual(at(60));

    const scalingDown = simulation.wakeUp();
    expect(scalingDown.map((decision) => summary(decision, stable))).toEqual([
      '3 Healthy canary=5 stable=0 experiment/baseline=0 experiment/canary=0',
      '3 Healthy canary=5 stable=0',
      '3 Healthy canary=5 stable=0',
    ]);
    expect(simulation.experiment(name)).toMatchObject({ phase: 'Successful', released: true });
    expect(simulation.observed.replicaSets.some((replicaSet) => replicaSet.labels[EXPERIMENT_LABEL] !== undefined)).toBe(false);
    expect(simulation.lastDecision.requeueAt).toBeUndefined();
    expect(simulation.decisions.flatMap((decision) => decision.experimentsToStart)).toHaveLength(1);
    expectRolloutCountsWithoutExperimentPods(simulation);
  });
});

describe('experiment step with scaleDownDelaySeconds', () => {
  it.each([
    [5, at(35)],
    [0, at(30)],
  ])('keeps the experiment’s ReplicaSets %i seconds after it ends, instead of 30', (delaySeconds, scaledDownAt) => {
    const { simulation } = deployed({
      steps: [{ experiment: { duration: '30s', templates: baselineAndCanary, scaleDownDelaySeconds: delaySeconds } }, { pause: {} }],
    });
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const name = startedExperiment(simulation);
    expect(simulation.decisions.flatMap((decision) => decision.experimentsToStart)[0]?.spec.scaleDownDelaySeconds).toBe(delaySeconds);
    simulation.wakeUp();
    expect(simulation.experiment(name)).toMatchObject({ phase: 'Successful', status: { finishedAt: at(30).toISOString() } });
    if (delaySeconds > 0) {
      expect(experimentReplicaSets(simulation.lastDecision).map((replicaSet) => replicaSet.replicas)).toEqual([1, 1]);
      expect(simulation.lastDecision.requeueAt).toEqual(scaledDownAt);
      simulation.wakeUp();
    }
    expect(simulation.now).toEqual(scaledDownAt);
    expect(simulation.experiment(name)).toMatchObject({ released: true });
  });
});

describe('experiment step with a required analysis and no duration', () => {
  const experiment: RolloutExperimentStep = {
    templates: baselineAndCanary,
    analyses: [{ name: 'compare', templateName: 'compare', requiredForCompletion: true }],
  };
  const steps = [{ setWeight: 20 }, { experiment }, { setWeight: 60 }];

  /** A new image rolled out up to the experiment step, its templates available and its analysis running. */
  function atExperiment(): { simulation: RolloutSimulation; stable: string; canary: string; name: string; run: string } {
    const { simulation, stable } = deployed({ steps });
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    const name = startedExperiment(simulation);
    return { simulation, stable, canary: simulation.status?.currentPodHash as string, name, run: `${name}-compare` };
  }

  it('starts the analysis once the templates are available and waits for it, without a wake-up', () => {
    const { simulation, canary, name, run } = atExperiment();
    const requests = simulation.decisions.map((decision) => decision.analysisRunsToStart.map((request) => request.name));
    const startedAt = simulation.decisions.findIndex((decision) => decision.experimentsToStart.length > 0);
    expect(requests[startedAt]).toEqual([]);
    expect(requests[startedAt + 1]).toEqual([run]);
    expect(requests.flat()).toEqual([run]);
    expect(simulation.decisions[startedAt + 1]?.analysisRunsToStart[0]).toMatchObject({
      kind: 'experiment',
      experimentName: name,
      podTemplateHash: canary,
      analysis: { templates: [{ templateName: 'compare' }] },
    });
    expect(simulation.analysisRun(run)).toMatchObject({ kind: 'experiment', phase: 'Running' });
    expect(simulation.experiment(name)?.status.analysisRuns).toEqual([
      { name: 'compare', analysisRun: run, phase: 'Running', message: '' },
    ]);
    expect(simulation.status).toMatchObject({
      currentStepIndex: 1,
      phase: 'Progressing',
      canary: { currentExperiment: name, currentStepAnalysisRun: undefined },
    });
    expect(simulation.lastDecision.requeueAt).toBeUndefined();
  });

  it('a successful run completes the experiment and the step at once', () => {
    const { simulation, stable, canary, name, run } = atExperiment();
    simulation.finishRun(run, 'Successful');
    const decisions = simulation.settle();
    expect(decisions.map((decision) => summary(decision, stable))).toEqual([
      '1 Progressing canary=1 stable=4 experiment/baseline=1 experiment/canary=1',
      '2 Progressing canary=3 stable=3 experiment/baseline=1 experiment/canary=1',
      '2 Progressing canary=3 stable=2 experiment/baseline=1 experiment/canary=1',
      '3 Progressing canary=5 stable=1 experiment/baseline=1 experiment/canary=1',
      '3 Progressing canary=5 stable=0 experiment/baseline=1 experiment/canary=1',
      '3 Healthy canary=5 stable=0 experiment/baseline=1 experiment/canary=1',
      '3 Healthy canary=5 stable=0 experiment/baseline=1 experiment/canary=1',
    ]);
    expect(decisions[0]?.requeueAt).toEqual(START);
    expect(simulation.experiment(name)).toMatchObject({ phase: 'Successful', status: { finishedAt: START.toISOString() } });
    expect(simulation.status).toMatchObject({ phase: 'Healthy', stableRS: canary });
    expect(simulation.decisions.flatMap((decision) => decision.analysisRunsToTerminate)).toEqual([]);
    simulation.wakeUp();
    expect(simulation.now).toEqual(at(30));
    expect(experimentReplicaSets(simulation.lastDecision)).toEqual([]);
    expect(simulation.experiment(name)?.released).toBe(true);
    expectRolloutCountsWithoutExperimentPods(simulation);
  });

  it('a failed run fails the experiment, which aborts the rollout to the stable; the experiment scales down after its delay', () => {
    const { simulation, stable, canary, name, run } = atExperiment();
    simulation.finishRun(run, 'Failed', 'canary error rate 4% above baseline');
    const decisions = simulation.settle();
    expect(decisions.map((decision) => summary(decision, stable))).toEqual([
      '1 Progressing canary=1 stable=4 experiment/baseline=1 experiment/canary=1',
      '1 Degraded canary=0 stable=5 experiment/baseline=1 experiment/canary=1',
      '1 Degraded canary=0 stable=5 experiment/baseline=1 experiment/canary=1',
      '1 Degraded canary=0 stable=5 experiment/baseline=1 experiment/canary=1',
    ]);
    expect(simulation.experiment(name)).toMatchObject({ phase: 'Failed', message: 'canary error rate 4% above baseline' });
    expect(simulation.status).toMatchObject({ phase: 'Degraded', abort: true, stableRS: stable });
    expect(simulation.status?.message).toContain('canary error rate 4% above baseline');
    expect(simulation.decisions.flatMap((decision) => decision.experimentsToTerminate)).toEqual([]);
    expect(simulation.replicasByHash()).toMatchObject({ [stable]: 5 });
    expect(simulation.replicasByHash()[canary]).toBeUndefined();
    expect(simulation.lastDecision.requeueAt).toEqual(at(30));

    expect(simulation.wakeUp().map((decision) => summary(decision, stable))).toEqual([
      '1 Degraded canary=0 stable=5 experiment/baseline=0 experiment/canary=0',
      '1 Degraded canary=0 stable=5',
      '1 Degraded canary=0 stable=5',
    ]);
    expect(simulation.experiment(name)).toMatchObject({ phase: 'Failed', released: true });
    expect(simulation.lastDecision.requeueAt).toBeUndefined();
    expectRolloutCountsWithoutExperimentPods(simulation);
  });

  it('an inconclusive run pauses the rollout with InconclusiveExperiment until promoted', () => {
    const { simulation, stable, canary, name, run } = atExperiment();
    simulation.finishRun(run, 'Inconclusive', 'not enough traffic');
    simulation.settle();
    expect(simulation.experiment(name)?.phase).toBe('Inconclusive');
    expect(simulation.status).toMatchObject({ phase: 'Paused', message: 'InconclusiveExperiment', currentStepIndex: 1, abort: false });
    expect(simulation.status?.pauseConditions).toEqual([{ reason: 'InconclusiveExperiment', startTime: START.toISOString() }]);

    // Its pods go after the scale-down delay; the pause stays.
    simulation.wakeUp();
    expect(experimentReplicaSets(simulation.lastDecision)).toEqual([]);
    expect(simulation.status).toMatchObject({ phase: 'Paused', message: 'InconclusiveExperiment', currentStepIndex: 1 });
    expect(simulation.replicasByHash()).toEqual({ [stable]: 4, [canary]: 1 });
    expect(simulation.lastDecision.requeueAt).toBeUndefined();

    simulation.operate({ type: 'promote', full: false });
    simulation.settle();
    expect(simulation.status).toMatchObject({ phase: 'Healthy', stableRS: canary, pauseConditions: [] });
    expect(simulation.decisions.flatMap((decision) => decision.experimentsToStart)).toHaveLength(1);
    expectRolloutCountsWithoutExperimentPods(simulation);
  });
});

describe('traffic-routed experiment step with weighted templates', () => {
  const weighted: RolloutExperimentStep['templates'] = [
    { name: 'baseline', specRef: 'stable', weight: 5 },
    { name: 'canary', specRef: 'canary', weight: 5, service: { name: 'checkout-experiment-canary' } },
  ];

  function atExperiment(templates = weighted): { simulation: RolloutSimulation; stable: string; canary: string; name: string } {
    const experiment: RolloutExperimentStep = { duration: '5m', templates, analyses: [{ name: 'compare', templateName: 'compare' }] };
    const routed: CanaryStrategy = {
      canaryService: 'checkout-canary',
      stableService: 'checkout-stable',
      trafficRouting: { nginx: { stableIngress: 'checkout' } },
      steps: [{ setWeight: 10 }, { experiment }, { setWeight: 50 }],
    };
    const { simulation, stable } = deployed(routed, { replicas: 10, template: servedTemplate });
    simulation.setImage('shop/checkout:2.0');
    simulation.settle();
    return { simulation, stable, canary: simulation.status?.currentPodHash as string, name: startedExperiment(simulation) };
  }

  const weightsOf = (decision: Decision): number[] => {
    const routing = decision.desired.trafficRouting;
    return routing === undefined
      ? []
      : [routing.canaryWeight, routing.stableWeight, ...routing.additionalDestinations.map((destination) => destination.weight)];
  };
  const sum = (weights: number[]): number => weights.reduce((total, weight) => total + weight, 0);

  it('routes to the experiment Services, selecting exactly their ReplicaSets, once the experiment runs; weights always sum to 100', () => {
    const { simulation, stable, canary, name } = atExperiment();
    const startedAt = simulation.decisions.findIndex((decision) => decision.experimentsToStart.length > 0);
    // Not before every template is available: its Services would have no ready pods.
    expect(weightsOf(simulation.decisions[startedAt] as Decision)).toEqual([10, 90]);
    expect(weightsOf(simulation.lastDecision)).toEqual([10, 80, 5, 5]);

    const [baseline, candidate] = experimentReplicaSets(simulation.lastDecision);
    const destinations = [
      { weight: 5, podTemplateHash: baseline?.podTemplateHash, serviceName: `${name}-baseline` },
      { weight: 5, podTemplateHash: candidate?.podTemplateHash, serviceName: 'checkout-experiment-canary' },
    ];
    expect(simulation.lastDecision.desired.trafficRouting).toMatchObject({
      canaryPodTemplateHash: canary,
      stablePodTemplateHash: stable,
      additionalDestinations: destinations,
    });
    expect(simulation.status?.canary.weights).toEqual({
      canary: { weight: 10, podTemplateHash: canary, serviceName: 'checkout-canary' },
      stable: { weight: 80, podTemplateHash: stable, serviceName: 'checkout-stable' },
      additionalDestinations: destinations,
    });
    expect(simulation.lastDecision.desired.experimentServices).toEqual([
      {
        name: `${name}-baseline`,
        labels: { [EXPERIMENT_LABEL]: name, [EXPERIMENT_TEMPLATE_LABEL]: 'baseline' },
        selector: { app: 'checkout', [POD_TEMPLATE_HASH_LABEL]: baseline?.podTemplateHash },
        ports: [{ name: 'http', protocol: 'TCP', port: 8080, targetPort: 8080 }],
      },
      {
        name: 'checkout-experiment-canary',
        labels: { [EXPERIMENT_LABEL]: name, [EXPERIMENT_TEMPLATE_LABEL]: 'canary' },
        selector: { app: 'checkout', [POD_TEMPLATE_HASH_LABEL]: candidate?.podTemplateHash },
        ports: [{ name: 'http', protocol: 'TCP', port: 8080, targetPort: 8080 }],
      },
    ]);
    expect(simulation.lastDecision.requeueAt).toEqual(at(300));

    simulation.wakeUp();
    expect(simulation.experiment(name)?.phase).toBe('Successful');
    expect(simulation.status).toMatchObject({ phase: 'Healthy', stableRS: canary });
    expect(simulation.lastDecision.desired.trafficRouting?.additionalDestinations).toEqual([]);
    // The Services stay with the pods until the scale-down delay ends.
    expect(simulation.lastDecision.desired.experimentServices).toHaveLength(2);
    simulation.wakeUp();
    expect(simulation.now).toEqual(at(330));
    expect(simulation.lastDecision.desired.experimentServices).toBeUndefined();
    expect(experimentReplicaSets(simulation.lastDecision)).toEqual([]);

    for (const decision of simulation.decisions) expect(sum(weightsOf(decision))).toBe(100);
    expectRolloutCountsWithoutExperimentPods(simulation);
  });

  it('abort mid-experiment terminates it and its analysis run, sends all traffic to the stable, and scales the experiment down after its delay', () => {
    const { simulation, stable, canary, name } = atExperiment();
    const run = `${name}-compare`;
    expect(simulation.analysisRun(run)?.phase).toBe('Running');
    simulation.operate({ type: 'abort' });
    const aborting = simulation.settle();
    expect(aborting[0]).toMatchObject({ experimentsToTerminate: [name], analysisRunsToTerminate: [run] });
    expect(aborting.flatMap((decision) => decision.experimentsToTerminate)).toEqual([name]);
    expect(simulation.analysisRun(run)).toMatchObject({ phase: 'Successful', message: 'terminated' });
    // Upstream's terminate: the templates and so the experiment end Successful.
    expect(simulation.experiment(name)).toMatchObject({ phase: 'Successful', status: { finishedAt: START.toISOString() } });
    expect(simulation.experiment(name)?.status.templateStatuses.map((template) => template.status)).toEqual(['Successful', 'Successful']);
    expect(simulation.status).toMatchObject({ phase: 'Degraded', abort: true });
    expect(weightsOf(simulation.lastDecision)).toEqual([0, 100]);
    expect(aborting.map((decision) => summary(decision, stable))).toEqual([
      '1 Degraded canary=1 stable=10 experiment/baseline=1 experiment/canary=1',
      '1 Degraded canary=1 stable=10 experiment/baseline=1 experiment/canary=1',
    ]);
    expect(simulation.lastDecision.requeueAt).toEqual(at(30));

    expect(simulation.wakeUp().map((decision) => summary(decision, stable))).toEqual([
      '1 Degraded canary=0 stable=10 experiment/baseline=0 experiment/canary=0',
      '1 Degraded canary=0 stable=10',
      '1 Degraded canary=0 stable=10',
    ]);
    expect(simulation.experiment(name)?.released).toBe(true);
    expect(simulation.lastDecision.desired.experimentServices).toBeUndefined();
    expect(simulation.replicasByHash()).toEqual({ [stable]: 10 });
    expect(canary).not.toBe(stable);
    expectRolloutCountsWithoutExperimentPods(simulation);
  });

  it('a new template mid-experiment terminates the experiment and the new revision starts its own at the step', () => {
    // Services named after each experiment: a Service name given in the step would be wanted by both at once.
    const { simulation, stable, name: first } = atExperiment(weighted.map(({ service: _service, ...template }) => template));
    simulation.advanceSeconds(60);
    simulation.setImage('shop/checkout:3.0');
    const replacing = simulation.settle();
    const third = simulation.status?.currentPodHash as string;
    const second = startedExperiment(simulation, 1);
    expect(second).toBe(`checkout-${third}-3-1`);
    expect(replacing[0]).toMatchObject({ experimentsToTerminate: [first], analysisRunsToTerminate: [`${first}-compare`] });
    expect(simulation.experiment(first)).toMatchObject({ phase: 'Successful', status: { finishedAt: at(60).toISOString() } });
    expect(simulation.experiment(second)).toMatchObject({ phase: 'Running', status: { availableAt: at(60).toISOString() } });
    expect(simulation.analysisRun(`${second}-compare`)?.phase).toBe('Running');
    expect(simulation.status).toMatchObject({ currentStepIndex: 1, canary: { currentExperiment: second } });

    // Both experiments run until the first one's scale-down delay ends; only the current one gets traffic.
    const byExperiment = (decision: Decision): Record<string, number[]> => {
      const sizes: Record<string, number[]> = {};
      for (const replicaSet of experimentReplicaSets(decision))
        (sizes[replicaSet.labels[EXPERIMENT_LABEL] as string] ??= []).push(replicaSet.replicas);
      return sizes;
    };
    expect(byExperiment(simulation.lastDecision)).toEqual({ [first]: [1, 1], [second]: [1, 1] });
    expect(simulation.lastDecision.desired.trafficRouting?.additionalDestinations.map((destination) => destination.serviceName)).toEqual([
      `${second}-baseline`,
      `${second}-canary`,
    ]);
    expect(
      simulation.lastDecision.desired.trafficRouting?.additionalDestinations.map((destination) => destination.podTemplateHash),
    ).toEqual(
      experimentReplicaSets(simulation.lastDecision)
        .filter((replicaSet) => replicaSet.labels[EXPERIMENT_LABEL] === second)
        .map((replicaSet) => replicaSet.podTemplateHash),
    );
    expect(simulation.lastDecision.requeueAt).toEqual(at(90));

    simulation.wakeUp();
    expect(byExperiment(simulation.lastDecision)).toEqual({ [second]: [1, 1] });
    expect(simulation.experiment(first)?.released).toBe(true);
    expect(simulation.lastDecision.requeueAt).toEqual(at(360));

    simulation.wakeUp();
    expect(simulation.experiment(second)?.phase).toBe('Successful');
    expect(simulation.status).toMatchObject({ phase: 'Healthy', stableRS: third });
    // The previous stable waits out the rollout's scale-down delay, the experiment its own.
    expect(summary(simulation.lastDecision, stable)).toBe('3 Healthy canary=10 stable=10 old=0 experiment/baseline=1 experiment/canary=1');
    expectRolloutCountsWithoutExperimentPods(simulation);
  });
});

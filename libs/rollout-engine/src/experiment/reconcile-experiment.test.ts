import { EXPERIMENT_LABEL, EXPERIMENT_TEMPLATE_LABEL, POD_TEMPLATE_HASH_LABEL, type ObservedReplicaSet } from '@flotilla/protocol';
import { describe, expect, it } from 'vitest';
import type { ExperimentSpec } from '@flotilla/argo-spec';
import type { AnalysisRunPhase, AnalysisRunState, ExperimentDecision, ExperimentStatus } from '../types.js';
import { retryExperiment, terminateExperiment } from './experiment-operations.js';
import { reconcileExperiment } from './reconcile-experiment.js';

const START = new Date('2026-03-01T10:00:00.000Z');

const podTemplate = (image: string, hash: string) => ({
  metadata: { labels: { app: 'checkout', [POD_TEMPLATE_HASH_LABEL]: hash } },
  spec: { containers: [{ name: 'app', image, ports: [{ name: 'http', containerPort: 8080 }] }] },
});

const spec = (overrides: Partial<ExperimentSpec> = {}): ExperimentSpec => ({
  duration: '5m',
  templates: [
    { name: 'baseline', replicas: 1, selector: { matchLabels: { app: 'checkout' } }, template: podTemplate('checkout:1', 'stable1') },
    {
      name: 'canary',
      replicas: 2,
      selector: { matchLabels: { app: 'checkout' } },
      template: podTemplate('checkout:2', 'canary2'),
      service: {},
    },
  ],
  analyses: [{ name: 'compare', templateName: 'success-rate', args: [{ name: 'service', value: 'checkout' }] }],
  ...overrides,
});

/** Drives the controller as the shell does: the agent runs what it asks for, runs start in the phase given. */
class ExperimentHarness {
  now = START;
  status: ExperimentStatus | undefined;
  observed: ObservedReplicaSet[] = [];
  readonly runs = new Map<string, AnalysisRunState>();
  terminate = false;
  /** Templates whose pods never become available. */
  readonly stuck = new Set<string>();
  last!: ExperimentDecision;

  constructor(public spec: ExperimentSpec) {}

  reconcile(): ExperimentDecision {
    this.last = reconcileExperiment({
      experiment: { name: 'checkout-abc-2-1', spec: this.spec },
      status: this.status,
      terminate: this.terminate,
      podTemplateHash: 'canary2',
      observedReplicaSets: this.observed,
      analysisRuns: [...this.runs.values()],
      now: this.now,
    });
    this.status = this.last.status;
    for (const request of this.last.analysisRunsToStart) {
      if (!this.runs.has(request.name))
        this.runs.set(request.name, {
          name: request.name,
          kind: 'experiment',
          podTemplateHash: request.podTemplateHash,
          stepIndex: undefined,
          phase: 'Running',
          message: '',
        });
    }
    for (const name of this.last.analysisRunsToTerminate) this.finishRun(name, 'Successful', 'terminated');
    this.observed = this.last.replicaSets.map((replicaSet) => {
      const template = replicaSet.labels[EXPERIMENT_TEMPLATE_LABEL] ?? '';
      const running = this.stuck.has(template) ? 0 : replicaSet.replicas;
      return {
        podTemplateHash: replicaSet.podTemplateHash,
        labels: { ...replicaSet.labels, [POD_TEMPLATE_HASH_LABEL]: replicaSet.podTemplateHash },
        annotations: {},
        replicas: replicaSet.replicas,
        currentReplicas: replicaSet.replicas,
        readyReplicas: running,
        availableReplicas: running,
        template: replicaSet.template,
        podProblems: [],
        oldestPodCreatedAt: undefined,
      };
    });
    return this.last;
  }

  finishRun(name: string, phase: AnalysisRunPhase, message = ''): void {
    const run = this.runs.get(name);
    if (run !== undefined) this.runs.set(name, { ...run, phase, message });
  }

  advanceTo(time: Date | undefined): void {
    if (time === undefined) throw new Error('no wake-up asked for');
    this.now = time;
  }
}

describe('reconcileExperiment', () => {
  it('creates a ReplicaSet per template, named and labelled for the experiment, with its own pod template hash', () => {
    const harness = new ExperimentHarness(spec());
    const decision = harness.reconcile();
    expect(decision.status.phase).toBe('Pending');
    expect(decision.replicaSets.map((replicaSet) => [replicaSet.name, replicaSet.replicas, replicaSet.labels])).toEqual([
      ['checkout-abc-2-1-baseline', 1, { [EXPERIMENT_LABEL]: 'checkout-abc-2-1', [EXPERIMENT_TEMPLATE_LABEL]: 'baseline' }],
      ['checkout-abc-2-1-canary', 2, { [EXPERIMENT_LABEL]: 'checkout-abc-2-1', [EXPERIMENT_TEMPLATE_LABEL]: 'canary' }],
    ]);
    for (const replicaSet of decision.replicaSets) {
      expect(['stable1', 'canary2']).not.toContain(replicaSet.podTemplateHash);
      expect(replicaSet.template.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL]).toBe(replicaSet.podTemplateHash);
    }
    expect(decision.services).toEqual([
      {
        name: 'checkout-abc-2-1-canary',
        labels: { [EXPERIMENT_LABEL]: 'checkout-abc-2-1', [EXPERIMENT_TEMPLATE_LABEL]: 'canary' },
        selector: { app: 'checkout', [POD_TEMPLATE_HASH_LABEL]: decision.replicaSets[1]?.podTemplateHash },
        ports: [{ name: 'http', protocol: 'TCP', port: 8080, targetPort: 8080 }],
      },
    ]);
    expect(decision.analysisRunsToStart).toEqual([]);
  });

  it('gives the same template distinct pods in two experiments', () => {
    const hashes = ['checkout-abc-2-1', 'checkout-abc-2-4'].map(
      (name) =>
        reconcileExperiment({
          experiment: { name, spec: spec() },
          status: undefined,
          terminate: false,
          podTemplateHash: 'canary2',
          observedReplicaSets: [],
          analysisRuns: [],
          now: START,
        }).replicaSets[0]?.podTemplateHash,
    );
    expect(new Set(hashes).size).toBe(2);
  });

  it('runs once every template is available: analyses start in the same reconcile, with the experiment and the revision', () => {
    const harness = new ExperimentHarness(spec());
    harness.reconcile();
    const decision = harness.reconcile();
    expect(decision.status).toMatchObject({ phase: 'Running', availableAt: START.toISOString() });
    expect(decision.analysisRunsToStart).toEqual([
      {
        name: 'checkout-abc-2-1-compare',
        kind: 'experiment',
        analysis: { templates: [{ templateName: 'success-rate' }], args: [{ name: 'service', value: 'checkout' }] },
        podTemplateHash: 'canary2',
        stablePodTemplateHash: undefined,
        stepIndex: undefined,
        experimentName: 'checkout-abc-2-1',
      },
    ]);
    expect(decision.requeueAt).toEqual(new Date(START.getTime() + 300_000));
  });

  it('puts the experiment’s values into its analysis arguments, as upstream does', () => {
    const references = [
      { name: 'canary-hash', value: '{{templates.canary.podTemplateHash}}' },
      { name: 'baseline', value: 'rs={{ templates.baseline.replicaset.name }}' },
      { name: 'window', value: '{{experiment.availableAt}}/{{experiment.finishedAt}}' },
      { name: 'other', value: '{{args.unknown}}' },
    ];
    const harness = new ExperimentHarness(spec({ analyses: [{ name: 'compare', templateName: 'success-rate', args: references }] }));
    const [, canary] = harness.reconcile().replicaSets;
    const [request] = harness.reconcile().analysisRunsToStart;
    expect(request?.analysis.args).toEqual([
      { name: 'canary-hash', value: canary?.podTemplateHash },
      { name: 'baseline', value: 'rs=checkout-abc-2-1-baseline' },
      { name: 'window', value: '2026-03-01T10:00:00Z/2026-03-01T10:05:00Z' },
      { name: 'other', value: '{{args.unknown}}' },
    ]);
  });

  it('succeeds when the duration has passed, even with analyses still running, which it then stops; scales down after the delay', () => {
    const harness = new ExperimentHarness(spec({ scaleDownDelaySeconds: 10 }));
    harness.reconcile();
    harness.reconcile();
    harness.advanceTo(harness.last.requeueAt);
    const ended = harness.reconcile();
    expect(ended.status).toMatchObject({ phase: 'Successful', finishedAt: harness.now.toISOString() });
    expect(ended.analysisRunsToTerminate).toEqual(['checkout-abc-2-1-compare']);
    expect(ended.replicaSets.map((replicaSet) => replicaSet.replicas)).toEqual([1, 2]);
    expect(ended.requeueAt).toEqual(new Date(harness.now.getTime() + 10_000));
    expect(ended.events).toContainEqual({
      type: 'ExperimentPhaseChanged',
      experiment: 'checkout-abc-2-1',
      from: 'Running',
      to: 'Successful',
      message: '',
    });

    harness.advanceTo(ended.requeueAt);
    const scaling = harness.reconcile();
    expect(scaling.replicaSets.map((replicaSet) => replicaSet.replicas)).toEqual([0, 0]);
    expect(scaling.services).toEqual([]);
    expect(scaling.released).toBe(false);
    const released = harness.reconcile();
    expect(released).toMatchObject({ released: true, replicaSets: [], requeueAt: undefined });
    expect(released.status.phase).toBe('Successful');
  });

  it.each([
    ['Failed', 'error rate 0.4 above 0.1', 'Failed'],
    ['Error', 'prometheus unreachable', 'Error'],
    ['Inconclusive', '', 'Inconclusive'],
  ] as const)('an analysis that ends %s ends the experiment %s before its duration', (runPhase, message, experimentPhase) => {
    const harness = new ExperimentHarness(spec());
    harness.reconcile();
    harness.reconcile();
    harness.finishRun('checkout-abc-2-1-compare', runPhase, message);
    const decision = harness.reconcile();
    expect(decision.status).toMatchObject({ phase: experimentPhase, message });
    expect(decision.status.templateStatuses.map((template) => template.status)).toEqual(['Successful', 'Successful']);
    expect(decision.requeueAt).toEqual(new Date(harness.now.getTime() + 30_000));
  });

  it('without a duration, ends when every analysis required for completion succeeded', () => {
    const harness = new ExperimentHarness(
      spec({
        duration: undefined,
        analyses: [
          { name: 'smoke', templateName: 'smoke', requiredForCompletion: true },
          { name: 'latency', templateName: 'latency' },
        ],
      }),
    );
    harness.reconcile();
    harness.reconcile();
    harness.finishRun('checkout-abc-2-1-smoke', 'Successful');
    const decision = harness.reconcile();
    expect(decision.status.phase).toBe('Successful');
    expect(decision.analysisRunsToTerminate).toEqual(['checkout-abc-2-1-latency']);
  });

  it('without a duration or required analyses, keeps running after an analysis succeeds', () => {
    const harness = new ExperimentHarness(spec({ duration: undefined }));
    harness.reconcile();
    harness.reconcile();
    harness.finishRun('checkout-abc-2-1-compare', 'Successful');
    const decision = harness.reconcile();
    expect(decision.status.phase).toBe('Running');
    expect(decision.requeueAt).toBeUndefined();
  });

  it('fails a template whose pods are not available within progressDeadlineSeconds, with upstream’s message', () => {
    const harness = new ExperimentHarness(spec({ progressDeadlineSeconds: 60 }));
    harness.stuck.add('canary');
    harness.reconcile();
    const waiting = harness.reconcile();
    expect(waiting.status.phase).toBe('Pending');
    expect(waiting.requeueAt).toEqual(new Date(START.getTime() + 60_001));
    harness.advanceTo(waiting.requeueAt);
    const failed = harness.reconcile();
    expect(failed.status).toMatchObject({ phase: 'Failed', message: "Template 'canary' exceeded its progressDeadlineSeconds (60)" });
    expect(failed.analysisRunsToStart).toEqual([]);
  });

  it('ends Successful when terminated by its rollout, stopping its runs', () => {
    const harness = new ExperimentHarness(spec());
    harness.reconcile();
    harness.reconcile();
    harness.terminate = true;
    const decision = harness.reconcile();
    expect(decision.status.phase).toBe('Successful');
    expect(decision.analysisRunsToTerminate).toEqual(['checkout-abc-2-1-compare']);
  });

  it('ends Successful when terminated on request (spec.terminate), stopping its runs and scaling its templates down', () => {
    const harness = new ExperimentHarness(spec({ scaleDownDelaySeconds: 0 }));
    harness.reconcile();
    harness.reconcile();
    const terminated = terminateExperiment(harness.spec, harness.status?.phase ?? 'Pending');
    if (!terminated.ok) throw new Error(terminated.refusal);
    harness.spec = terminated.spec;
    const decision = harness.reconcile();
    expect(decision.status.phase).toBe('Successful');
    expect(decision.analysisRunsToTerminate).toEqual(['checkout-abc-2-1-compare']);
    expect(decision.replicaSets.map((replicaSet) => replicaSet.replicas)).toEqual([0, 0]);
    const scaledDown = harness.reconcile();
    expect(scaledDown).toMatchObject({ replicaSets: [], released: true });
    expect(terminateExperiment(harness.spec, harness.status?.phase ?? 'Pending')).toEqual({
      ok: false,
      refusal: 'the experiment already ended Successful',
    });
  });

  it('starts over once retried, its analysis run anew under the next free name, as upstream names a colliding run', () => {
    const harness = new ExperimentHarness(spec({ scaleDownDelaySeconds: 0 }));
    harness.reconcile();
    harness.reconcile();
    harness.finishRun('checkout-abc-2-1-compare', 'Failed', 'error rate too high');
    expect(harness.reconcile().status.phase).toBe('Failed');
    const retried = retryExperiment(harness.spec, 'Failed', false);
    if (!retried.ok) throw new Error(retried.refusal);
    harness.spec = retried.spec;
    harness.status = undefined;
    const started = [harness.reconcile(), harness.reconcile()].flatMap((decision) => decision.analysisRunsToStart.map((run) => run.name));
    expect(started).toEqual(['checkout-abc-2-1-compare.1']);
    expect(harness.status).toMatchObject({ phase: 'Running' });
  });

  it('gives the same decision for the same input', () => {
    const harness = new ExperimentHarness(spec());
    harness.reconcile();
    const input = { status: harness.status, observed: harness.observed };
    const first = harness.reconcile();
    harness.status = input.status;
    harness.observed = input.observed;
    harness.runs.clear();
    expect(harness.reconcile()).toEqual(first);
  });
});

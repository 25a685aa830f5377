import type { CanaryStep, CanaryStrategy } from '@flotilla/argo-spec';
import { releaseHistoryChanges, type Decision, type RevisionState } from '@flotilla/rollout-engine';
import { describe, expect, it } from 'vitest';
import { rolloutSpec, START } from '../../../../../libs/rollout-engine/src/testing/fixtures.js';
import { RolloutSimulation } from '../../../../../libs/rollout-engine/src/testing/rollout-simulation.js';
import { replicaSetViews } from './replica-set-view.js';
import { rolloutProgress } from './rollout-progress.js';

/** The release history as the rollout store keeps it, written from each decision the way the worker writes it. */
class ReleaseHistory {
  private readonly rows: { revision: number; podTemplateHash: string; outcome: RevisionState }[] = [];

  record(decisions: readonly Decision[]): void {
    for (const decision of decisions) {
      const { started, finished, current } = releaseHistoryChanges(decision);
      for (const start of started)
        this.rows.push({ revision: start.revision, podTemplateHash: start.podTemplateHash, outcome: 'Progressing' });
      for (const finish of finished) {
        const row = this.rows.find((candidate) => candidate.revision === finish.revision && candidate.outcome === 'Progressing');
        if (row !== undefined) row.outcome = finish.outcome;
      }
      const newest = this.rows.filter((row) => row.podTemplateHash === current?.podTemplateHash).at(-1);
      if (newest !== undefined && current !== undefined) newest.outcome = current.state;
    }
  }

  outcomes(): string[] {
    return this.rows.map((row) => `${row.revision}:${row.outcome}`);
  }
}

/** A canary and its history, stepped the way the control plane does, with every view people read derived at each step. */
class Release {
  readonly simulation: RolloutSimulation;
  private readonly history = new ReleaseHistory();

  constructor(steps: CanaryStep[], canary: CanaryStrategy = {}) {
    this.simulation = new RolloutSimulation(rolloutSpec({ canary: { ...canary, steps } }), START);
    this.settle();
  }

  settle(): this {
    this.history.record(this.simulation.settle());
    return this;
  }

  operate(operation: Parameters<RolloutSimulation['operate']>[0]): this {
    const result = this.simulation.operate(operation);
    if (!result.ok) throw new Error(result.refusal.message);
    return this.settle();
  }

  /** Phase, release history, step and weights as `get rollout`, `history` and the dashboard show them. */
  views(): { phase: string; history: string[]; step: string; setWeight: number; actualWeight: number } {
    const { simulation } = this;
    const status = simulation.status ?? null;
    const progress = rolloutProgress({
      spec: simulation.spec,
      status,
      replicaSets: replicaSetViews(simulation.lastDecision.desired, simulation.observed, status, false),
      observedTrafficWeights: simulation.observed.trafficWeights,
    });
    return {
      phase: status?.phase ?? 'none',
      history: this.history.outcomes(),
      step: `${progress.currentStep?.index}/${progress.currentStep?.count}`,
      setWeight: progress.weights?.setWeight ?? -1,
      actualWeight: progress.weights?.actualWeight ?? -1,
    };
  }
}

const steps: CanaryStep[] = [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }, { pause: {} }];
const nginxRouted: CanaryStrategy = {
  canaryService: 'checkout-canary',
  stableService: 'checkout-stable',
  trafficRouting: { nginx: { stableIngress: 'checkout' } },
};

describe('the release history, the status and the weights agree at every step', () => {
  it('abort, retry, then promote --full through NGINX: the revision ends Healthy at 100/100', () => {
    const release = new Release(steps, nginxRouted);
    expect(release.views()).toEqual({ phase: 'Healthy', history: ['1:Healthy'], step: '4/4', setWeight: 100, actualWeight: 100 });

    release.simulation.setImage('shop/checkout:2.0');
    expect(release.settle().views()).toEqual({
      phase: 'Paused',
      history: ['1:Healthy', '2:Progressing'],
      step: '1/4',
      setWeight: 20,
      actualWeight: 20,
    });
    expect(release.operate({ type: 'abort' }).views()).toEqual({
      phase: 'Degraded',
      history: ['1:Healthy', '2:Aborted'],
      step: '1/4',
      setWeight: 0,
      actualWeight: 0,
    });
    expect(release.operate({ type: 'retry' }).views()).toEqual({
      phase: 'Paused',
      history: ['1:Healthy', '2:Progressing'],
      step: '1/4',
      setWeight: 20,
      actualWeight: 20,
    });
    expect(release.operate({ type: 'promote', full: true }).views()).toEqual({
      phase: 'Healthy',
      history: ['1:Healthy', '2:Healthy'],
      step: '4/4',
      setWeight: 100,
      actualWeight: 100,
    });
  });

  it('abort, then a new image, without traffic routing: the aborted revision stays Aborted', () => {
    const release = new Release(steps);
    release.simulation.setImage('shop/checkout:2.0');
    release.settle().operate({ type: 'abort' });
    release.simulation.setImage('shop/checkout:3.0');
    expect(release.settle().views()).toEqual({
      phase: 'Paused',
      history: ['1:Healthy', '2:Aborted', '3:Progressing'],
      step: '1/4',
      setWeight: 20,
      actualWeight: 20,
    });
    release.operate({ type: 'promote', full: false });
    expect(release.views()).toEqual({
      phase: 'Paused',
      history: ['1:Healthy', '2:Aborted', '3:Progressing'],
      step: '3/4',
      setWeight: 60,
      actualWeight: 60,
    });
    expect(release.operate({ type: 'promote', full: false }).views()).toEqual({
      phase: 'Healthy',
      history: ['1:Healthy', '2:Aborted', '3:Healthy'],
      step: '4/4',
      setWeight: 100,
      actualWeight: 100,
    });
  });

  it('promote --full while a step analysis runs: the run ends and the revision is Healthy at 100/100', () => {
    const analysisSteps: CanaryStep[] = [
      { setWeight: 20 },
      { analysis: { templates: [{ templateName: 'success-rate' }] } },
      { setWeight: 60 },
    ];
    const release = new Release(analysisSteps, nginxRouted);
    release.simulation.setImage('shop/checkout:2.0');
    expect(release.settle().views()).toEqual({
      phase: 'Progressing',
      history: ['1:Healthy', '2:Progressing'],
      step: '1/3',
      setWeight: 20,
      actualWeight: 20,
    });
    const run = release.simulation.status?.canary.currentStepAnalysisRun ?? '';
    expect(release.simulation.analysisRun(run)?.phase).toBe('Running');
    expect(release.operate({ type: 'promote', full: true }).views()).toEqual({
      phase: 'Healthy',
      history: ['1:Healthy', '2:Healthy'],
      step: '3/3',
      setWeight: 100,
      actualWeight: 100,
    });
    expect(release.simulation.analysisRun(run)?.phase).not.toBe('Running');
  });

  it('undo to the first revision: a new revision on the first ReplicaSet, through the steps again', () => {
    const release = new Release(steps);
    release.simulation.setImage('shop/checkout:2.0');
    release.settle().operate({ type: 'promote', full: true });
    expect(release.operate({ type: 'undo', toRevision: 1 }).views()).toEqual({
      phase: 'Paused',
      history: ['1:Healthy', '2:Healthy', '3:Progressing'],
      step: '1/4',
      setWeight: 20,
      actualWeight: 20,
    });
    expect(release.operate({ type: 'promote', full: true }).views()).toEqual({
      phase: 'Healthy',
      history: ['1:Healthy', '2:Healthy', '3:Healthy'],
      step: '4/4',
      setWeight: 100,
      actualWeight: 100,
    });
  });

  it('undo inside rollbackWindow: released at once, without steps', () => {
    // upstream: TestRollbackWindow
    const release = new Release(steps);
    release.simulation.spec = { ...release.simulation.spec, rollbackWindow: { revisions: 1 } };
    release.simulation.setImage('shop/checkout:2.0');
    release.settle().operate({ type: 'promote', full: true });
    expect(release.operate({ type: 'undo' }).views()).toEqual({
      phase: 'Healthy',
      history: ['1:Healthy', '2:Healthy', '3:Healthy'],
      step: '4/4',
      setWeight: 100,
      actualWeight: 100,
    });
  });
});

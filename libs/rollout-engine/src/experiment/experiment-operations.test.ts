import { describe, expect, it } from 'vitest';
import type { ExperimentSpec } from '@flotilla/argo-spec';
import type { ExperimentPhase } from '../types.js';
import { retryExperiment, terminateExperiment } from './experiment-operations.js';

const spec: ExperimentSpec = {
  duration: '5m',
  templates: [
    {
      name: 'canary',
      selector: { matchLabels: { app: 'checkout' } },
      template: { metadata: { labels: { app: 'checkout' } }, spec: { containers: [{ name: 'checkout', image: 'shop/checkout:2' }] } },
    },
  ],
};

describe('terminateExperiment', () => {
  it.each<ExperimentPhase>(['Pending', 'Running'])('sets spec.terminate on a %s experiment, as the Argo plugin patches it', (phase) => {
    expect(terminateExperiment(spec, phase)).toEqual({ ok: true, spec: { ...spec, terminate: true }, startOver: false });
  });

  it.each<ExperimentPhase>(['Successful', 'Failed', 'Error', 'Inconclusive'])('refuses an experiment that ended %s', (phase) => {
    expect(terminateExperiment(spec, phase)).toEqual({ ok: false, refusal: `the experiment already ended ${phase}` });
  });

  it('refuses an experiment terminating already', () => {
    expect(terminateExperiment({ ...spec, terminate: true }, 'Running')).toEqual({
      ok: false,
      refusal: 'the experiment is terminating already',
    });
  });
});

describe('retryExperiment', () => {
  it.each<ExperimentPhase>(['Failed', 'Error', 'Inconclusive'])(
    'starts a %s experiment over, as the Argo plugin clears its status',
    (phase) => {
      expect(retryExperiment(spec, phase, false)).toEqual({ ok: true, spec, startOver: true });
    },
  );

  it('starts a terminated experiment over, clearing spec.terminate', () => {
    expect(retryExperiment({ ...spec, terminate: true }, 'Successful', false)).toEqual({ ok: true, spec, startOver: true });
  });

  it.each<ExperimentPhase>(['Pending', 'Running', 'Successful'])('refuses a %s experiment that was not terminated', (phase) => {
    expect(retryExperiment(spec, phase, false)).toEqual({
      ok: false,
      refusal: `the experiment is ${phase}: only one that failed or was terminated can be retried`,
    });
  });

  it('refuses a terminating experiment that has not ended yet', () => {
    expect(retryExperiment({ ...spec, terminate: true }, 'Running', false)).toMatchObject({ ok: false });
  });

  it("refuses an experiment of a rollout's step, which its rollout runs", () => {
    expect(retryExperiment(spec, 'Failed', true)).toEqual({
      ok: false,
      refusal: "the experiment belongs to a rollout's step: retry the rollout",
    });
  });
});

import { describe, expect, it } from 'vitest';
import type { ExperimentSpec } from '@flotilla/argo-spec';
import type { ExperimentPhase } from '../types.js';
import { terminateExperiment } from './experiment-operations.js';

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
    expect(terminateExperiment(spec, phase)).toEqual({ ok: true, spec: { ...spec, terminate: true } });
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

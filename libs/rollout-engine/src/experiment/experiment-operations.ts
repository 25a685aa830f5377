import type { ExperimentSpec } from '@flotilla/argo-spec';
import type { ExperimentPhase } from '../types.js';
import { isCompleted } from './experiment-phases.js';

export type ExperimentOperationResult = { ok: true; spec: ExperimentSpec } | { ok: false; refusal: string };

/**
 * Argo's `kubectl argo rollouts terminate experiment`: sets `spec.terminate`, so that the next reconcile stops its
 * analysis runs, scales its templates down and ends it (Successful unless a template or analysis already failed).
 * Refused once the experiment completed, or while it is terminating already.
 * @example terminateExperiment({ templates }, 'Running') // { ok: true, spec: { templates, terminate: true } }
 * @example terminateExperiment({ templates }, 'Failed') // { ok: false, refusal: 'the experiment already ended Failed' }
 */
export function terminateExperiment(spec: ExperimentSpec, phase: ExperimentPhase): ExperimentOperationResult {
  if (isCompleted(phase)) return { ok: false, refusal: `the experiment already ended ${phase}` };
  if (spec.terminate === true) return { ok: false, refusal: 'the experiment is terminating already' };
  return { ok: true, spec: { ...spec, terminate: true } };
}

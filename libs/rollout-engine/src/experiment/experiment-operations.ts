import type { ExperimentSpec } from '@flotilla/argo-spec';
import type { ExperimentPhase } from '../types.js';
import { isCompleted } from './experiment-phases.js';

/** A new spec, and whether the experiment starts over from no status (a retry); or why the operation is refused. */
export type ExperimentOperationResult = { ok: true; spec: ExperimentSpec; startOver: boolean } | { ok: false; refusal: string };

/**
 * Argo's `kubectl argo rollouts terminate experiment`: sets `spec.terminate`, so that the next reconcile stops its
 * analysis runs, scales its templates down and ends it (Successful unless a template or analysis already failed).
 * Refused once the experiment completed, or while it is terminating already.
 * @example terminateExperiment({ templates }, 'Running') // { ok: true, spec: { templates, terminate: true }, startOver: false }
 * @example terminateExperiment({ templates }, 'Failed') // { ok: false, refusal: 'the experiment already ended Failed' }
 */
export function terminateExperiment(spec: ExperimentSpec, phase: ExperimentPhase): ExperimentOperationResult {
  if (isCompleted(phase)) return { ok: false, refusal: `the experiment already ended ${phase}` };
  if (spec.terminate === true) return { ok: false, refusal: 'the experiment is terminating already' };
  return { ok: true, spec: { ...spec, terminate: true }, startOver: false };
}

const FAILED = new Set<ExperimentPhase>(['Failed', 'Error', 'Inconclusive']);

/**
 * Argo's `kubectl argo rollouts retry experiment`: clears its status so that it starts over, its templates created
 * again and its analyses run anew (new runs named `.1`, `.2`… after the old ones). Only an experiment that completed
 * and failed, or that was terminated, is retried, and only a standalone one (a rollout's step experiment is its
 * rollout's to run again); `spec.terminate` is cleared.
 * @example retryExperiment({ templates }, 'Failed', false) // { ok: true, spec: { templates }, startOver: true }
 * @example retryExperiment({ templates }, 'Running', false) // { ok: false, refusal: 'the experiment is Running: only one that failed or was terminated can be retried' }
 */
export function retryExperiment(spec: ExperimentSpec, phase: ExperimentPhase, ofRollout: boolean): ExperimentOperationResult {
  if (ofRollout) return { ok: false, refusal: "the experiment belongs to a rollout's step: retry the rollout" };
  const terminated = spec.terminate === true;
  if (!isCompleted(phase) || !(FAILED.has(phase) || terminated))
    return { ok: false, refusal: `the experiment is ${phase}: only one that failed or was terminated can be retried` };
  const { terminate: _terminate, ...rest } = spec;
  return { ok: true, spec: rest, startOver: true };
}

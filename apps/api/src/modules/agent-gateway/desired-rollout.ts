import type { RolloutSpec } from '@flotilla/argo-spec';
import type { DesiredRollout } from '@flotilla/protocol';
import type { ExperimentRecord, RolloutRecord } from '@flotilla/stores';
import { hubLossInstruction } from './hub-loss.js';

/** Services a rollout names, whose selectors its agent watches and switches. */
export function serviceNamesOf(spec: RolloutSpec): string[] {
  const { canary, blueGreen } = spec.strategy;
  return [canary?.stableService, canary?.canaryService, blueGreen?.activeService, blueGreen?.previewService].filter(
    (name): name is string => typeof name === 'string' && name !== '',
  );
}

/** The message an agent gets for one rollout, or undefined while the engine has not computed a desired state yet. */
export function toDesiredRollout(rollout: RolloutRecord): DesiredRollout | undefined {
  const { spec, desiredState: state, status } = rollout;
  if (!state) return undefined;
  return {
    rollout: { namespace: rollout.namespace, name: rollout.name },
    desiredVersion: rollout.desiredVersion,
    serviceNames: serviceNamesOf(spec),
    state,
    hubLoss: hubLossInstruction(rollout.annotations, state, status?.stableRS, spec.replicas ?? 1),
  };
}

/** The message an agent gets for a standalone experiment, or undefined before its first reconcile. */
export function toDesiredExperiment(experiment: ExperimentRecord): DesiredRollout | undefined {
  if (!experiment.desiredState) return undefined;
  return {
    rollout: { namespace: experiment.namespace, name: experiment.name, kind: 'Experiment' },
    desiredVersion: experiment.desiredVersion,
    serviceNames: [],
    state: experiment.desiredState,
    hubLoss: undefined,
  };
}

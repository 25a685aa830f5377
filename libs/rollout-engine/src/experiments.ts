import type { CanaryStep, CanaryStrategy } from '@flotilla/argo-spec';
import type { RolloutContext } from './context.js';
import type { ExperimentRequest } from './types.js';

/**
 * The experiment an `experiment` step asks for: one ephemeral ReplicaSet per template, running the stable or the
 * canary pod template with its own replica count (default 1), and the weight it should get on the router.
 */
export function experimentRequest(context: RolloutContext, canary: CanaryStrategy, step: CanaryStep, stepIndex: number, name: string): ExperimentRequest {
  const experiment = step.experiment;
  const stableHash = context.status.stableRS ?? context.currentHash;
  const stableTemplate = context.replicaSets.get(stableHash)?.template ?? context.spec.template;
  return {
    name,
    podTemplateHash: context.currentHash,
    stepIndex,
    duration: experiment?.duration,
    templates: (experiment?.templates ?? []).map((template) => ({
      name: template.name,
      replicas: template.replicas ?? 1,
      podTemplateHash: template.specRef === 'stable' ? stableHash : context.currentHash,
      template: template.specRef === 'stable' ? stableTemplate : context.spec.template,
      metadata: template.metadata,
      weight: canary.trafficRouting === undefined ? undefined : template.weight,
      serviceName: template.service === undefined ? undefined : (template.service.name ?? `${name}-${template.name}`),
    })),
    analyses: experiment?.analyses ?? [],
  };
}

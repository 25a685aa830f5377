import type {
  AnalysisRunArgument,
  CanaryStrategy,
  ExperimentTemplate,
  PodTemplateSpec,
  RolloutExperimentStep,
  RolloutExperimentTemplate,
} from '@flotilla/argo-spec';
import { POD_TEMPLATE_HASH_LABEL, type WeightDestination } from '@flotilla/protocol';
import type { RolloutContext } from '../context.js';
import type { ExperimentRequest } from '../types.js';
import { experimentServiceName, experimentTemplateHash } from './experiment-templates.js';

/** The pod template of the revision's ReplicaSet as the cluster runs it, its hash label included, as upstream copies it. */
function replicaSetTemplate(context: RolloutContext, hash: string): PodTemplateSpec {
  const observed = context.replicaSets.get(hash)?.template;
  if (observed !== undefined) return observed;
  const template = context.spec.template;
  return { ...template, metadata: { ...template.metadata, labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash } } };
}

function experimentTemplate(context: RolloutContext, step: RolloutExperimentTemplate): ExperimentTemplate {
  const sourceHash = step.specRef === 'stable' ? (context.status.stableRS ?? context.currentHash) : context.currentHash;
  const source = replicaSetTemplate(context, sourceHash);
  const labels = step.metadata?.labels ?? {};
  const annotations = step.metadata?.annotations;
  const selector = step.selector ?? context.spec.selector;
  return {
    name: step.name,
    replicas: step.replicas ?? 1,
    selector: { ...selector, matchLabels: { ...selector.matchLabels, ...labels } },
    template: {
      ...source,
      metadata: {
        ...source.metadata,
        labels: { ...source.metadata?.labels, ...labels },
        ...(annotations === undefined ? {} : { annotations: { ...source.metadata?.annotations, ...annotations } }),
      },
    },
    ...(step.weight !== undefined || step.service !== undefined
      ? { service: { ...(step.service?.name ? { name: step.service.name } : {}) } }
      : {}),
    ...(step.weight === undefined ? {} : { weight: step.weight }),
    ...(context.spec.minReadySeconds === undefined ? {} : { minReadySeconds: context.spec.minReadySeconds }),
  };
}

/** `podTemplateHashValue` arguments become values when the experiment is made, as upstream builds its arguments. */
function resolvedArgument(context: RolloutContext, argument: AnalysisRunArgument): AnalysisRunArgument {
  const hashValue = argument.valueFrom?.podTemplateHashValue;
  if (hashValue === undefined) return argument;
  return { name: argument.name, value: hashValue === 'Stable' ? (context.status.stableRS ?? context.currentHash) : context.currentHash };
}

/** The experiment an `experiment` step asks for, named `name`: the step's templates taken from the stable or canary ReplicaSet. */
export function experimentRequest(
  context: RolloutContext,
  step: RolloutExperimentStep,
  stepIndex: number,
  name: string,
): ExperimentRequest {
  return {
    name,
    podTemplateHash: context.currentHash,
    stepIndex,
    spec: {
      ...(step.duration === undefined ? {} : { duration: step.duration }),
      ...(context.spec.progressDeadlineSeconds === undefined ? {} : { progressDeadlineSeconds: context.spec.progressDeadlineSeconds }),
      templates: step.templates.map((template) => experimentTemplate(context, template)),
      analyses: (step.analyses ?? []).map((analysis) => ({
        ...analysis,
        args: (analysis.args ?? []).map((argument) => resolvedArgument(context, argument)),
      })),
      ...(step.dryRun === undefined ? {} : { dryRun: step.dryRun }),
      ...(step.scaleDownDelaySeconds === undefined ? {} : { scaleDownDelaySeconds: step.scaleDownDelaySeconds }),
    },
  };
}

/**
 * The weights a routed `experiment` step gives its weighted templates' Services while the experiment runs, as upstream:
 * not before every template is available, so no traffic goes to a Service without ready pods.
 */
/**
 * The weights a routed `experiment` step gives its weighted templates' Services while the experiment runs, taken from
 * the experiment's own spec: its pods' hashes were fixed when it was made.
 */
export function experimentDestinations(context: RolloutContext, canary: CanaryStrategy, index: number): WeightDestination[] {
  const name = context.status.canary.currentExperiment;
  const experiment = name === undefined ? undefined : context.experiments.get(name);
  if (
    canary.steps?.[index]?.experiment === undefined ||
    name === undefined ||
    context.status.abort ||
    experiment?.phase !== 'Running' ||
    experiment.spec === undefined
  )
    return [];
  return experiment.spec.templates.flatMap((template) =>
    template.weight === undefined
      ? []
      : [
          {
            weight: template.weight,
            podTemplateHash: experimentTemplateHash(name, template),
            serviceName: experimentServiceName(name, template),
          },
        ],
  );
}

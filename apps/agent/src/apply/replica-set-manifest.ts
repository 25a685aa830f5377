import {
  injectedEphemeralMetadata,
  POD_TEMPLATE_HASH_LABEL,
  replicaSetName,
  type DesiredReplicaSet,
  type RolloutKey,
} from '@flotilla/protocol';
import type { ReplicaSetObject } from '../kube/kube-object.js';
import { exactMapPatch, sameJson, withOwnershipLabels } from './ownership.js';

/**
 * The name of a desired ReplicaSet: its own when the control plane gives one (an experiment's), else Argo's.
 * @example desiredReplicaSetName('web', { name: 'web-exp-baseline', podTemplateHash: 'e1', … }) // 'web-exp-baseline'
 *          desiredReplicaSetName('web', { podTemplateHash: 'abc', … }) // 'web-abc'
 */
export const desiredReplicaSetName = (rolloutName: string, desired: DesiredReplicaSet): string =>
  desired.name ?? replicaSetName(rolloutName, desired.podTemplateHash);

/**
 * The selector of a new ReplicaSet: the rollout's pod labels and the hash label, without the labels of the role
 * (canary or stable metadata), which change over the ReplicaSet's life while a selector is immutable.
 * @example selectorLabels({ template: { metadata: { labels: { app: 'web', role: 'canary', 'rollouts-pod-template-hash': 'abc' } } },
 *   annotations: { 'rollout.argoproj.io/ephemeral-metadata': '{"labels":{"role":"canary"}}' }, … })
 * // → { app: 'web', 'rollouts-pod-template-hash': 'abc' }
 */
export function selectorLabels(desired: DesiredReplicaSet): Record<string, string> {
  const labels: Record<string, string> = { ...desired.template.metadata?.labels };
  for (const key of Object.keys(injectedEphemeralMetadata(desired.annotations)?.labels ?? {})) delete labels[key];
  labels[POD_TEMPLATE_HASH_LABEL] = desired.podTemplateHash;
  return labels;
}

export function replicaSetLabels(rollout: RolloutKey, desired: DesiredReplicaSet): Record<string, string> {
  return withOwnershipLabels(rollout, { ...desired.labels, [POD_TEMPLATE_HASH_LABEL]: desired.podTemplateHash });
}

/** The ReplicaSet the agent creates for a desired one. */
export function replicaSetManifest(rollout: RolloutKey, desired: DesiredReplicaSet): ReplicaSetObject {
  return {
    metadata: {
      name: desiredReplicaSetName(rollout.name, desired),
      namespace: rollout.namespace,
      labels: replicaSetLabels(rollout, desired),
      annotations: { ...desired.annotations },
    },
    spec: {
      replicas: desired.replicas,
      ...(desired.minReadySeconds ? { minReadySeconds: desired.minReadySeconds } : {}),
      selector: { matchLabels: selectorLabels(desired) },
      template: desired.template,
    },
  };
}

/**
 * The merge patch that brings an existing ReplicaSet to the desired one: replicas, minReadySeconds, labels,
 * annotations and the pod template's metadata (role labels move between canary and stable). Undefined when nothing
 * differs. The template's spec is never patched: a pod template hash names exactly one spec.
 * @example replicaSetPatch(rollout, { …spec: { replicas: 2 } }, { …replicas: 5 }) // { spec: { replicas: 5 } }
 */
export function replicaSetPatch(rollout: RolloutKey, existing: ReplicaSetObject, desired: DesiredReplicaSet): object | undefined {
  const labels = exactMapPatch(existing.metadata.labels, replicaSetLabels(rollout, desired));
  const annotations = exactMapPatch(existing.metadata.annotations, desired.annotations);
  const metadata = { ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) };
  const spec: Record<string, unknown> = {};
  if ((existing.spec.replicas ?? 1) !== desired.replicas) spec.replicas = desired.replicas;
  if ((existing.spec.minReadySeconds ?? 0) !== (desired.minReadySeconds ?? 0)) spec.minReadySeconds = desired.minReadySeconds ?? 0;
  const existingTemplateMetadata = existing.spec.template.metadata ?? {};
  const desiredTemplateMetadata = desired.template.metadata ?? {};
  if (
    !sameJson(existingTemplateMetadata.labels ?? {}, desiredTemplateMetadata.labels ?? {}) ||
    !sameJson(existingTemplateMetadata.annotations ?? {}, desiredTemplateMetadata.annotations ?? {})
  ) {
    const templateLabels = exactMapPatch(existingTemplateMetadata.labels, desiredTemplateMetadata.labels ?? {});
    const templateAnnotations = exactMapPatch(existingTemplateMetadata.annotations, desiredTemplateMetadata.annotations ?? {});
    spec.template = {
      metadata: {
        ...(templateLabels ? { labels: templateLabels } : {}),
        ...(templateAnnotations ? { annotations: templateAnnotations } : {}),
      },
    };
  }
  const patch = { ...(Object.keys(metadata).length > 0 ? { metadata } : {}), ...(Object.keys(spec).length > 0 ? { spec } : {}) };
  return Object.keys(patch).length === 0 ? undefined : patch;
}

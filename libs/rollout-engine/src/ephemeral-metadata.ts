import type { PodTemplateMetadata, PodTemplateSpec } from '@flotilla/argo-spec';
import { injectedEphemeralMetadata, POD_TEMPLATE_HASH_LABEL, type ObservedReplicaSet } from '@flotilla/protocol';

function withoutKeys(values: Record<string, string> | undefined, keys: Record<string, string> | undefined): Record<string, string> {
  const result = { ...values };
  for (const key of Object.keys(keys ?? {})) delete result[key];
  return result;
}

/**
 * The pod template a ReplicaSet should run: its base template with the hash label and the role's ephemeral metadata,
 * minus metadata injected for a previous role (upstream `SyncEphemeralPodMetadata`).
 * @example templateForRole(template, 'abc', { labels: { role: 'canary' } }, undefined).metadata.labels
 * // → { ...template labels, role: 'canary', 'rollouts-pod-template-hash': 'abc' }
 */
export function templateForRole(
  base: PodTemplateSpec,
  hash: string,
  metadata: PodTemplateMetadata | undefined,
  injectedBefore: PodTemplateMetadata | undefined,
): PodTemplateSpec {
  // Usually no role metadata was injected before, and the base labels and annotations are spread as they are.
  const baseLabels = injectedBefore === undefined ? base.metadata?.labels : withoutKeys(base.metadata?.labels, injectedBefore.labels);
  const baseAnnotations =
    injectedBefore === undefined ? base.metadata?.annotations : withoutKeys(base.metadata?.annotations, injectedBefore.annotations);
  const labels = { ...baseLabels, ...metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash };
  const annotations = { ...baseAnnotations, ...metadata?.annotations };
  return { ...base, metadata: { ...base.metadata, labels, annotations } };
}

/** The template a ReplicaSet was created from, without the hash label or injected role metadata (for `undo`). */
export function originalTemplate(replicaSet: ObservedReplicaSet): PodTemplateSpec {
  const injected = injectedEphemeralMetadata(replicaSet.annotations);
  const labels = withoutKeys(replicaSet.template.metadata?.labels, { ...injected?.labels, [POD_TEMPLATE_HASH_LABEL]: '' });
  const annotations = withoutKeys(replicaSet.template.metadata?.annotations, injected?.annotations);
  return { ...replicaSet.template, metadata: { ...replicaSet.template.metadata, labels, annotations } };
}

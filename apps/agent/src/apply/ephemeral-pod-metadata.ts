import type { PodTemplateMetadata } from '@flotilla/argo-spec';
import type { PodObject } from '../kube/kube-object.js';

function roleMapPatch(
  current: Record<string, string> | undefined,
  before: Record<string, string> | undefined,
  after: Record<string, string> | undefined,
  untouchable: Record<string, string> = {},
): Record<string, string | null> | undefined {
  const patch: Record<string, string | null> = {};
  for (const key of Object.keys(before ?? {})) {
    if (!Object.hasOwn(after ?? {}, key) && current?.[key] !== undefined) patch[key] = null;
  }
  for (const [key, value] of Object.entries(after ?? {})) if (current?.[key] !== value) patch[key] = value;
  for (const key of Object.keys(untouchable)) delete patch[key];
  return Object.keys(patch).length === 0 ? undefined : patch;
}

/**
 * The merge patch that moves a running pod from the role metadata injected before to the metadata injected now, as
 * upstream `SyncEphemeralPodMetadata` does: keys injected before and no longer are removed, the new ones set, every
 * other label and annotation left alone. Labels of the ReplicaSet's selector are never changed, so that the pod is
 * never orphaned. Undefined when the pod already matches or is being deleted.
 * @example podMetadataPatch({ metadata: { labels: { app: 'web', role: 'canary', track: 'a' } } }, { labels: { role: 'canary', track: 'a' } },
 *   { labels: { role: 'stable' }, annotations: { tier: 'gold' } })
 * // → { metadata: { labels: { track: null, role: 'stable' }, annotations: { tier: 'gold' } } }
 */
export function podMetadataPatch(
  pod: PodObject,
  injectedBefore: PodTemplateMetadata | undefined,
  injectedNow: PodTemplateMetadata | undefined,
  selector: Record<string, string> = {},
): object | undefined {
  if (pod.metadata.deletionTimestamp !== undefined) return undefined;
  const labels = roleMapPatch(pod.metadata.labels, injectedBefore?.labels, injectedNow?.labels, selector);
  const annotations = roleMapPatch(pod.metadata.annotations, injectedBefore?.annotations, injectedNow?.annotations);
  if (labels === undefined && annotations === undefined) return undefined;
  return { metadata: { ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) } };
}

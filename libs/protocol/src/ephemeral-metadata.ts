import type { PodTemplateMetadata } from '@flotilla/argo-spec';
import { EPHEMERAL_METADATA_ANNOTATION } from './object-labels.js';

/**
 * The role metadata a ReplicaSet's annotations say is injected into its pods; undefined when there is none or the
 * annotation is not JSON.
 * @example injectedEphemeralMetadata({ 'rollout.argoproj.io/ephemeral-metadata': '{"labels":{"role":"canary"}}' })
 * // → { labels: { role: 'canary' } }
 */
export function injectedEphemeralMetadata(annotations: Record<string, string> | undefined): PodTemplateMetadata | undefined {
  const injected = annotations?.[EPHEMERAL_METADATA_ANNOTATION];
  if (injected === undefined) return undefined;
  try {
    return JSON.parse(injected) as PodTemplateMetadata;
  } catch {
    return undefined;
  }
}

import { findSecretMarkers, replaceSecretMarkers } from '@flotilla/analysis';
import type { SecretKeyRef } from '@flotilla/argo-spec';
import { mapStrings, stringsOf } from '@flotilla/metric-providers';

/**
 * Every Secret key the markers of a value refer to, each once, in order of first appearance.
 * @example secretReferencesIn({ headers: [{ key: 'Authorization', value: 'Bearer $(flotilla-secret:api/token)' }] })
 * // [{ name: 'api', key: 'token' }]
 */
export function secretReferencesIn(value: unknown): SecretKeyRef[] {
  const references = new Map<string, SecretKeyRef>();
  for (const reference of stringsOf(value).flatMap(findSecretMarkers)) references.set(`${reference.name}/${reference.key}`, reference);
  return [...references.values()];
}

/**
 * Replaces every secret marker in every string of a value with the value `lookup` gives; the first reference it
 * cannot give is returned instead.
 * @example resolveSecretMarkers({ query: 'k=$(flotilla-secret:api/token)' }, () => 's3cr3t') // { resolved: { query: 'k=s3cr3t' } }
 */
export function resolveSecretMarkers<T>(
  value: T,
  lookup: (reference: SecretKeyRef) => string | undefined,
): { resolved: T } | { missing: SecretKeyRef } {
  let missing: SecretKeyRef | undefined;
  const resolved = mapStrings(value, (text) => {
    if (missing !== undefined) return text;
    const replaced = replaceSecretMarkers(text, lookup);
    if (typeof replaced === 'string') return replaced;
    missing = replaced.missing;
    return text;
  });
  return missing === undefined ? { resolved } : { missing };
}

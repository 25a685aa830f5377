import { cloneJson, isJsonObject } from './kube-object.js';

/**
 * Applies a JSON merge patch (RFC 7386): objects merge recursively, `null` removes a field, anything else replaces.
 * @example applyMergePatch({ spec: { replicas: 1, paused: true } }, { spec: { replicas: 3, paused: null } })
 *   // → { spec: { replicas: 3 } }
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const result: Record<string, unknown> = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

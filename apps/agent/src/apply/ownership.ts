import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, ROLLOUT_LABEL, type RolloutKey } from '@flotilla/protocol';
import type { KubeObject } from '../kube/kube-object.js';

/** Labels that mark an object as created by the agent for one rollout. */
export const ownershipLabels = (rollout: RolloutKey): Record<string, string> => ({ [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [ROLLOUT_LABEL]: rollout.name });

/** Whether the agent created this object for this rollout; anything else it only touches field by field, if at all. */
export function isOwnedBy(object: KubeObject, rollout: RolloutKey): boolean {
  const labels = object.metadata.labels ?? {};
  return object.metadata.namespace === rollout.namespace && labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && labels[ROLLOUT_LABEL] === rollout.name;
}

/** An object exists under the name the agent needs, but someone else created it. */
export class NotOwnedError extends Error {
  constructor(
    readonly kind: string,
    readonly namespace: string,
    readonly objectName: string,
  ) {
    super(`${kind} ${namespace}/${objectName} exists and was not created by the agent; it is left alone`);
    this.name = 'NotOwnedError';
  }
}

/** An object the rollout names (a Service, a stable Ingress, a VirtualService…) does not exist. */
export class MissingObjectError extends Error {
  constructor(
    readonly kind: string,
    readonly namespace: string,
    readonly objectName: string,
  ) {
    super(`${kind} ${namespace}/${objectName} named by the rollout does not exist`);
    this.name = 'MissingObjectError';
  }
}

/**
 * A merge patch that turns `current` into exactly `desired` for a string map: changed keys set, extra keys nulled.
 * Undefined when they already match.
 * @example exactMapPatch({ a: '1', b: '2' }, { a: '1', c: '3' }) // { b: null, c: '3' }
 */
export function exactMapPatch(current: Record<string, string> | undefined, desired: Record<string, string>): Record<string, string | null> | undefined {
  const patch: Record<string, string | null> = {};
  for (const key of Object.keys(current ?? {})) if (!(key in desired)) patch[key] = null;
  for (const [key, value] of Object.entries(desired)) if (current?.[key] !== value) patch[key] = value;
  return Object.keys(patch).length === 0 ? undefined : patch;
}

const isJsonRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

const definedKeys = (record: Record<string, unknown>): string[] => Object.keys(record).filter((key) => record[key] !== undefined);

/**
 * Whether two parts of objects the agent writes are the same JSON: key order does not count, a key holding
 * `undefined` counts as absent and `undefined` as a value as `null`, as they would be sent.
 */
export function sameJson(left: unknown, right: unknown): boolean {
  if ((left ?? null) === (right ?? null)) return true;
  if (Array.isArray(left)) return Array.isArray(right) && left.length === right.length && left.every((item, index) => sameJson(item, right[index]));
  if (!isJsonRecord(left) || !isJsonRecord(right)) return false;
  const keys = definedKeys(left);
  return keys.length === definedKeys(right).length && keys.every((key) => right[key] !== undefined && sameJson(left[key], right[key]));
}

import { EXPERIMENT_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, ROLLOUT_LABEL, rolloutKeyString, type RolloutKey } from '@flotilla/protocol';
import type { KubeObject } from '../kube/kube-object.js';

/**
 * Labels that mark an object as created by the agent for one key: a rollout, or a standalone experiment. A standalone
 * experiment's objects carry no rollout label, so that a rollout of the same name never takes them for its own.
 * @example ownershipLabels({ namespace: 'shop', name: 'web' }) // { 'app.kubernetes.io/managed-by': 'flotilla', 'flotilla.io/rollout': 'web' }
 *          ownershipLabels({ namespace: 'shop', name: 'web', kind: 'Experiment' }) // { …managed-by, 'flotilla.io/experiment': 'web' }
 */
export const ownershipLabels = (key: RolloutKey): Record<string, string> =>
  key.kind === 'Experiment'
    ? { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [EXPERIMENT_LABEL]: key.name }
    : { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [ROLLOUT_LABEL]: key.name };

/** `labels` with the ownership labels of `key` over them, so that no desired label can disown the object. */
export function withOwnershipLabels(key: RolloutKey, labels: Record<string, string>): Record<string, string> {
  const owned = { ...labels, ...ownershipLabels(key) };
  if (key.kind === 'Experiment') delete owned[ROLLOUT_LABEL];
  return owned;
}

/**
 * The key the agent created an object for: its rollout's when it has a rollout label (an experiment of a rollout
 * belongs to the rollout), else its standalone experiment's; undefined for objects the agent did not create.
 */
export function ownerOf(object: KubeObject): RolloutKey | undefined {
  const labels = object.metadata.labels ?? {};
  if (labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) return undefined;
  const namespace = object.metadata.namespace ?? '';
  const rollout = labels[ROLLOUT_LABEL];
  if (rollout !== undefined) return { namespace, name: rollout };
  const experiment = labels[EXPERIMENT_LABEL];
  return experiment === undefined ? undefined : { namespace, name: experiment, kind: 'Experiment' };
}

/** Whether the agent created this object for this key; anything else it only touches field by field, if at all. */
export function isOwnedBy(object: KubeObject, key: RolloutKey): boolean {
  const owner = ownerOf(object);
  return owner !== undefined && rolloutKeyString(owner) === rolloutKeyString(key);
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
export function exactMapPatch(
  current: Record<string, string> | undefined,
  desired: Record<string, string>,
): Record<string, string | null> | undefined {
  const patch: Record<string, string | null> = {};
  for (const key of Object.keys(current ?? {})) if (!(key in desired)) patch[key] = null;
  for (const [key, value] of Object.entries(desired)) if (current?.[key] !== value) patch[key] = value;
  return Object.keys(patch).length === 0 ? undefined : patch;
}

const isJsonRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const definedKeys = (record: Record<string, unknown>): string[] => Object.keys(record).filter((key) => record[key] !== undefined);

/**
 * Whether two parts of objects the agent writes are the same JSON: key order does not count, a key holding
 * `undefined` counts as absent and `undefined` as a value as `null`, as they would be sent.
 */
export function sameJson(left: unknown, right: unknown): boolean {
  if ((left ?? null) === (right ?? null)) return true;
  if (Array.isArray(left))
    return Array.isArray(right) && left.length === right.length && left.every((item, index) => sameJson(item, right[index]));
  if (!isJsonRecord(left) || !isJsonRecord(right)) return false;
  const keys = definedKeys(left);
  return keys.length === definedKeys(right).length && keys.every((key) => right[key] !== undefined && sameJson(left[key], right[key]));
}

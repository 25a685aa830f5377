import { isJsonObject, jsonEqual, scalarText } from './kube-object.js';
import { PatchError } from './patch-error.js';

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  imagePullSecrets: 'name',
  conditions: 'type',
  ownerReferences: 'uid',
};

/** Lists of scalars the built-in types declare with `patchStrategy: merge` (set union). */
const MERGED_SCALAR_LISTS = new Set(['finalizers']);

const SET_ORDER = '$setElementOrder/';
const DELETE_FROM = '$deleteFromPrimitiveList/';

/** Merge key of a list field given the field names leading to it; `ports` depends on whether a container holds it. */
function mergeKeyOf(path: readonly string[]): string | undefined {
  const field = path.at(-1);
  if (field === 'ports') return CONTAINER_LISTS.has(path.at(-2) ?? '') ? 'containerPort' : 'port';
  return field === undefined ? undefined : MERGE_KEYS[field];
}

/**
 * Applies a strategic merge patch as the API server does for built-in types: like a merge patch, except that
 * lists of containers, env, ports, volumes, conditions… merge element by element on their merge key, and the
 * `$patch`, `$retainKeys`, `$setElementOrder/…` and `$deleteFromPrimitiveList/…` directives are honoured.
 * @example applyStrategicMergePatch(
 *   { spec: { containers: [{ name: 'app', image: 'a:1' }, { name: 'proxy', image: 'p:1' }] } },
 *   { spec: { containers: [{ name: 'app', image: 'a:2' }] } })
 *   // → { spec: { containers: [{ name: 'app', image: 'a:2' }, { name: 'proxy', image: 'p:1' }] } }
 */
export function applyStrategicMergePatch(original: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) throw new PatchError('a strategic merge patch must be a JSON object', true);
  return mergeObject(original, patch, []);
}

function mergeObject(original: unknown, patch: Record<string, unknown>, path: readonly string[]): unknown {
  const directive = patch['$patch'];
  if (directive === 'replace') return withoutDirectives(patch);
  if (directive !== undefined && directive !== 'merge') throw new PatchError(`unknown $patch directive "${scalarText(directive)}"`, true);
  const result: Record<string, unknown> = isJsonObject(original) ? { ...original } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    const fieldPath = [...path, key];
    if (value === null) delete result[key];
    else if (isJsonObject(value) && value['$patch'] === 'delete') delete result[key];
    else if (Array.isArray(value)) result[key] = mergeList(result[key], value, fieldPath);
    else if (isJsonObject(value)) result[key] = mergeObject(result[key], value, fieldPath);
    else result[key] = value;
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_FROM)) {
      const field = key.slice(DELETE_FROM.length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value))
        result[field] = current.filter((item) => !value.some((removed) => jsonEqual(removed, item)));
    } else if (key.startsWith(SET_ORDER)) {
      const field = key.slice(SET_ORDER.length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value)) result[field] = orderList(current, value, mergeKeyOf([...path, field]));
    }
  }
  const retained = patch['$retainKeys'];
  if (Array.isArray(retained)) {
    for (const key of Object.keys(result)) if (!retained.includes(key)) delete result[key];
  }
  return result;
}

function withoutDirectives(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !key.startsWith('$')));
}

function mergeList(original: unknown, patch: unknown[], path: readonly string[]): unknown[] {
  const replaceMarker = patch.findIndex((item) => isJsonObject(item) && item['$patch'] === 'replace');
  if (replaceMarker >= 0)
    return patch.filter((_, index) => index !== replaceMarker).map((item) => (isJsonObject(item) ? withoutDirectives(item) : item));
  const field = path.at(-1) ?? '';
  const current: unknown[] = Array.isArray(original) ? original : [];
  if (MERGED_SCALAR_LISTS.has(field))
    return [...current, ...patch.filter((item) => !current.some((existing) => jsonEqual(existing, item)))];
  const mergeKey = mergeKeyOf(path);
  if (mergeKey === undefined) return patch.map((item) => (isJsonObject(item) ? withoutDirectives(item) : item));
  const merged = [...current];
  for (const item of patch) {
    if (!isJsonObject(item)) throw new PatchError(`list ${path.join('.')} merges on "${mergeKey}" and needs objects`, true);
    const key = item[mergeKey];
    if (key === undefined) throw new PatchError(`an element of ${path.join('.')} lacks its merge key "${mergeKey}"`, true);
    const position = merged.findIndex((existing) => isJsonObject(existing) && jsonEqual(existing[mergeKey], key));
    if (item['$patch'] === 'delete') {
      if (position >= 0) merged.splice(position, 1);
    } else if (position >= 0) {
      merged[position] = mergeObject(merged[position], item, path);
    } else {
      merged.push(mergeObject(undefined, item, path));
    }
  }
  return merged;
}

/** Sorts the elements named in a `$setElementOrder` list into that order; the rest keep their place after them. */
function orderList(list: unknown[], order: unknown[], mergeKey: string | undefined): unknown[] {
  const identity = (item: unknown): unknown => (mergeKey !== undefined && isJsonObject(item) ? item[mergeKey] : item);
  const rank = (item: unknown): number => {
    const position = order.findIndex((entry) => jsonEqual(identity(entry), identity(item)));
    return position < 0 ? order.length : position;
  };
  return list
    .map((item, index) => ({ item, index, rank: rank(item) }))
    .sort((left, right) => left.rank - right.rank || left.index - right.index)
    .map(({ item }) => item);
}

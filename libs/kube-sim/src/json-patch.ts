import { cloneJson, isJsonObject, jsonEqual } from './kube-object.js';
import { PatchError } from './patch-error.js';

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

type Container = Record<string, unknown> | unknown[];

/**
 * Applies a JSON patch (RFC 6902: add, remove, replace, move, copy, test) to a copy of the document.
 * @example applyJsonPatch({ spec: { replicas: 1 } }, [{ op: 'replace', path: '/spec/replicas', value: 3 }])
 *   // → { spec: { replicas: 3 } }
 */
export function applyJsonPatch(document: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw new PatchError('a JSON patch must be an array of operations', true);
  let result = cloneJson(document);
  for (const entry of patch) {
    if (!isJsonObject(entry) || typeof entry['op'] !== 'string' || typeof entry['path'] !== 'string') {
      throw new PatchError(`invalid JSON patch operation: ${JSON.stringify(entry)}`, true);
    }
    result = applyOperation(result, entry as unknown as Operation);
  }
  return result;
}

function applyOperation(document: unknown, operation: Operation): unknown {
  switch (operation.op) {
    case 'add':
      return insert(document, operation.path, requireValue(operation));
    case 'remove':
      return remove(document, operation.path).document;
    case 'replace':
      return insert(remove(document, operation.path).document, operation.path, requireValue(operation));
    case 'move': {
      const removed = remove(document, requireFrom(operation));
      return insert(removed.document, operation.path, removed.value);
    }
    case 'copy':
      return insert(document, operation.path, cloneJson(lookup(document, requireFrom(operation))));
    case 'test':
      if (!jsonEqual(lookup(document, operation.path), operation.value)) {
        throw new PatchError(`testing value at ${operation.path} failed`, false);
      }
      return document;
    default:
      throw new PatchError(`unknown JSON patch operation "${operation.op}"`, true);
  }
}

function requireValue(operation: Operation): unknown {
  if (!('value' in operation)) throw new PatchError(`operation "${operation.op}" at ${operation.path} has no value`, true);
  return cloneJson(operation.value);
}

function requireFrom(operation: Operation): string {
  if (typeof operation.from !== 'string') throw new PatchError(`operation "${operation.op}" at ${operation.path} has no "from"`, true);
  return operation.from;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`JSON pointer "${pointer}" must start with "/"`, true);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function arrayIndex(array: unknown[], token: string, allowEnd: boolean, pointer: string): number {
  if (allowEnd && token === '-') return array.length;
  const index = /^(0|[1-9]\d*)$/.test(token) ? Number(token) : Number.NaN;
  const limit = allowEnd ? array.length : array.length - 1;
  if (Number.isNaN(index) || index > limit) throw new PatchError(`index "${token}" is out of bounds at ${pointer}`, false);
  return index;
}

/** The container holding the pointer's last token, and that token. */
function parentOf(document: unknown, pointer: string): { parent: Container; token: string } {
  const tokens = parsePointer(pointer);
  const token = tokens.pop();
  if (token === undefined) throw new PatchError('the root of a document cannot be the target here', false);
  const parent = tokens.reduce<unknown>((current, step) => child(current, step, pointer), document);
  if (!Array.isArray(parent) && !isJsonObject(parent)) throw new PatchError(`path ${pointer} does not exist`, false);
  return { parent, token };
}

function child(current: unknown, token: string, pointer: string): unknown {
  if (Array.isArray(current)) return current[arrayIndex(current, token, false, pointer)];
  if (isJsonObject(current) && Object.hasOwn(current, token)) return current[token];
  throw new PatchError(`path ${pointer} does not exist`, false);
}

function lookup(document: unknown, pointer: string): unknown {
  return parsePointer(pointer).reduce<unknown>((current, token) => child(current, token, pointer), document);
}

function insert(document: unknown, pointer: string, value: unknown): unknown {
  if (pointer === '') return value;
  const { parent, token } = parentOf(document, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, token, true, pointer), 0, value);
  else parent[token] = value;
  return document;
}

function remove(document: unknown, pointer: string): { document: unknown; value: unknown } {
  const { parent, token } = parentOf(document, pointer);
  if (Array.isArray(parent)) {
    const [value] = parent.splice(arrayIndex(parent, token, false, pointer), 1);
    return { document, value };
  }
  if (!Object.hasOwn(parent, token)) throw new PatchError(`path ${pointer} does not exist`, false);
  const value = parent[token];
  delete parent[token];
  return { document, value };
}

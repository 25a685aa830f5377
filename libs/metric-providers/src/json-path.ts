import { JSONPath } from 'jsonpath-plus';

/**
 * A Kubernetes-style JSONPath (`{$.results.ok}`, `{.data[0]}`) in the form jsonpath-plus reads: braces
 * stripped and a leading `$` added when missing. An empty path selects the whole document.
 * @example toJsonPathPlus('{.results.ok}') // '$.results.ok'
 */
export function toJsonPathPlus(path: string | undefined): string {
  const trimmed = (path ?? '').trim();
  const unbraced = trimmed.startsWith('{') && trimmed.endsWith('}') ? trimmed.slice(1, -1).trim() : trimmed;
  if (unbraced === '' || unbraced === '$') return '$';
  if (unbraced.startsWith('$')) return unbraced;
  return unbraced.startsWith('[') ? `$${unbraced}` : `$${unbraced.startsWith('.') ? '' : '.'}${unbraced}`;
}

/** Every match of `path` in `document`, in document order. Filter expressions run in jsonpath-plus' safe evaluator. */
export function findJsonPath(document: unknown, path: string | undefined): unknown[] {
  const matches: unknown = JSONPath({ path: toJsonPathPlus(path), json: document as object, wrap: true, eval: 'safe' });
  return Array.isArray(matches) ? matches : [];
}

import { MAX_NESTING_DEPTH, unstorableTextProblem } from '../limits.js';
import { childPath, indexPath, type IssueList, keyPath } from './issues.js';
import { isPlainObject } from './schema.js';

const IDENTIFIER = /^[A-Za-z_][\w-]*$/;

function walk(value: unknown, path: string, depth: number, issues: IssueList): void {
  if (typeof value === 'string') {
    const problem = unstorableTextProblem(value);
    if (problem !== undefined) issues.add(path, problem);
    return;
  }
  const isList = Array.isArray(value);
  if (!isList && !isPlainObject(value)) return;
  if (depth >= MAX_NESTING_DEPTH) {
    issues.add(path, `nests deeper than ${MAX_NESTING_DEPTH} levels of objects and lists`);
    return;
  }
  if (isList) {
    value.forEach((element, index) => walk(element, indexPath(path, index), depth + 1, issues));
    return;
  }
  for (const [key, element] of Object.entries(value)) {
    const keyProblem = unstorableTextProblem(key);
    // A key that cannot be stored is named by its position, since it cannot be printed either.
    const elementPath =
      keyProblem !== undefined ? keyPath(path, JSON.stringify(key)) : IDENTIFIER.test(key) ? childPath(path, key) : keyPath(path, key);
    if (keyProblem !== undefined) issues.add(elementPath, `has a key that ${keyProblem}`);
    walk(element, elementPath, depth + 1, issues);
  }
}

/**
 * Refuses what no JSON store keeps and no check should walk into: NUL characters and lone surrogates in any key
 * or string, and nesting deeper than MAX_NESTING_DEPTH.
 * @example checkStorableData({ spec: { a: 'x\u0000' } }, issues) reports `spec.a`: 'must not contain the NUL character'
 */
export function checkStorableData(document: Record<string, unknown>, issues: IssueList): void {
  walk(document, '', 0, issues);
}

/** As `checkStorableData`, for a value given on its own at `path` (an operation's argument rather than a document). */
export function checkStorableValue(value: unknown, path: string, issues: IssueList): void {
  walk(value, path, 0, issues);
}

import { describe, expect, it } from 'vitest';
import { findJsonPath, toJsonPathPlus } from './json-path.js';

describe('JSONPath in Kubernetes syntax', () => {
  it.each([
    ['{$.results.ok}', '$.results.ok'],
    ['{.results.count}', '$.results.count'],
    ['results', '$.results'],
    ['[0]', '$[0]'],
    ['{$}', '$'],
    ['', '$'],
    [undefined, '$'],
  ])('reads %s as %s', (path, converted) => {
    expect(toJsonPathPlus(path)).toBe(converted);
  });

  const document = {
    results: [
      { ok: true, 'weird-key': 1 },
      { ok: false, 'weird-key': 2 },
    ],
  };
  it.each([
    ['{$.results[*].ok}', [true, false]],
    ["{$.results[?(@.ok==false)]['weird-key']}", [2]],
    ['{$.results[-1:].ok}', [false]],
    ['{$.missing}', []],
  ])('finds %s', (path, matches) => {
    expect(findJsonPath(document, path)).toEqual(matches);
  });

  it('does not evaluate code inside filters', () => {
    expect(() => findJsonPath(document, '$.results[?(@.constructor.constructor("return process")())]')).toThrow();
  });
});

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { reportAbuse } from '../../../../test/support/abuse-report.js';
import { unstorableTextProblem } from '../limits.js';
import { context } from './documents.fixtures.js';
import { hostileDocument } from './hostile-documents.fixtures.js';
import { parseManifests } from './parse-manifests.js';
import { fuzzSeed } from '../../../../test/support/fuzz-seed.js';

const WHOLE_DOCUMENT_REASONS = /^(invalid YAML|must be a mapping)/;

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, element]) => [key, ...strings(element)]);
  return [];
}

const tally = { tried: 0, accepted: 0, refusedCleanly: 0, crashes: 0 };

describe('parseManifests on hostile documents', () => {
  afterAll(() => {
    reportAbuse({
      kind: 'fuzz',
      surface: 'manifests through the validator',
      inputs: tally.tried,
      refusedCleanly: tally.refusedCleanly,
      accepted: tally.accepted,
      internalErrors: 0,
      crashes: tally.crashes,
    });
  });

  it('answers every document with a result, each problem at a path, and accepts nothing unstorable', () => {
    fc.assert(
      fc.property(hostileDocument, (document) => {
        tally.tried += 1;
        let result: ReturnType<typeof parseManifests>;
        try {
          // JSON is YAML, and prints any value, however deep.
          result = parseManifests(JSON.stringify(document) ?? 'null', context);
        } catch (error) {
          tally.crashes += 1;
          throw error;
        }
        if (result.ok) {
          tally.accepted += 1;
          expect(strings(result.documents).map(unstorableTextProblem).filter(Boolean)).toEqual([]);
          return;
        }
        tally.refusedCleanly += 1;
        expect(result.errors.length).toBeGreaterThan(0);
        for (const error of result.errors) {
          expect(error).toEqual({ documentIndex: 0, path: expect.any(String) as unknown, message: expect.any(String) as unknown });
          if (error.path === '') expect(error.message).toMatch(WHOLE_DOCUMENT_REASONS);
        }
      }),
      { numRuns: 200, seed: fuzzSeed(20261204) },
    );
  });
});

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { hostileDocument } from '../../libs/argo-spec/src/manifests/hostile-documents.fixtures.js';
import { reportAbuse } from '../support/abuse-report.js';
import { graphql } from '../support/graphql-client.js';
import { canaryRollout, toYaml } from '../support/manifests.js';
import { apiForThisFile } from '../support/test-api.js';
import { fuzzSeed } from '../support/fuzz-seed.js';

const APPLY = 'mutation($yaml: String!) { applyManifests(cluster: "staging", namespace: "shop", yaml: $yaml) { name action } }';
const SET_IMAGE =
  'mutation($image: String!, $reason: String) { setImage(rollout: { cluster: "staging", namespace: "shop", name: "checkout" }, container: "checkout", image: $image, reason: $reason) { id } }';

const { api, org } = await apiForThisFile({ cluster: 'staging' });

beforeAll(async () => {
  const created = await graphql(api.url, org.tokens.admin, APPLY, { yaml: toYaml(canaryRollout('checkout')) });
  expect(created.errors).toBeUndefined();
});

/** Rows any accepted apply or operation would write, for this test's organization. */
async function writtenRows(): Promise<number[]> {
  const organizationId = org.id;
  return Promise.all([
    api.database.rollout.count({ where: { organizationId } }),
    api.database.analysisTemplate.count({ where: { organizationId } }),
    api.database.clusterAnalysisTemplate.count({ where: { organizationId } }),
    api.database.experiment.count({ where: { organizationId } }),
    api.database.rolloutOperation.count({ where: { organizationId } }),
    api.database.auditEvent.count({ where: { organizationId } }),
  ]);
}

describe('setImage refuses what is no image reference, recording nothing', () => {
  it.each([
    ['empty', '', 'must not be empty', 'image'],
    ['blank', ' ', 'is not an image reference', 'image'],
    ['a shell command', 'a b\nc;rm -rf /', 'is not an image reference', 'image'],
    // Over the bound of every string argument, the request is refused before the resolver sees it.
    ['of 200,000 characters', 'a'.repeat(200_000), 'at most 4096 characters', 'setImage.image'],
    ['with capitals', 'shop/Checkout:2', 'lowercase', 'image'],
  ])('refuses an image %s', async (_title, image, reason, path) => {
    const before = await writtenRows();
    const response = await graphql(api.url, org.tokens.deployer, SET_IMAGE, { image });
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'input/invalid',
      problems: [{ path, message: expect.stringContaining(reason) as unknown }],
    });
    expect(await writtenRows()).toEqual(before);
  });

  it.each([
    ['r'.repeat(1025), 'at most 1024 characters', 'reason'],
    ['why\u0000not', 'NUL', 'setImage.reason'],
  ])('refuses a reason: %#', async (reason, message, path) => {
    const before = await writtenRows();
    const response = await graphql(api.url, org.tokens.deployer, SET_IMAGE, { image: 'shop/checkout:2', reason });
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'input/invalid',
      problems: [{ path, message: expect.stringContaining(message) as unknown }],
    });
    expect(await writtenRows()).toEqual(before);
  });

  it('still takes a valid image with a reason', async () => {
    const response = await graphql(api.url, org.tokens.deployer, SET_IMAGE, {
      image: `registry.example.com:5000/shop/checkout:2@sha256:${'a'.repeat(64)}`,
      reason: 'r'.repeat(1024),
    });
    expect(response.errors).toBeUndefined();
  });
});

describe('applyManifests on hostile documents', () => {
  it('answers manifest/invalid with every problem at a path and writes nothing, never internal', async () => {
    const tally = { tried: 0, refusedCleanly: 0, accepted: 0, internal: 0 };
    await fc.assert(
      fc.asyncProperty(hostileDocument, async (document) => {
        tally.tried += 1;
        const before = await writtenRows();
        const response = await graphql<{ applyManifests: unknown[] }>(api.url, org.tokens.admin, APPLY, {
          yaml: JSON.stringify(document) ?? 'null',
        });
        const code = response.errors?.[0]?.extensions?.code;
        if (code === 'internal') tally.internal += 1;
        if (response.errors === undefined) {
          tally.accepted += 1;
          return;
        }
        expect(code).toBe('manifest/invalid');
        for (const problem of response.errors[0]?.extensions?.problems ?? [])
          expect(problem).toEqual({ documentIndex: 0, path: expect.any(String) as unknown, message: expect.any(String) as unknown });
        expect(await writtenRows()).toEqual(before);
        tally.refusedCleanly += 1;
      }),
      { numRuns: 25, seed: fuzzSeed(20261204) },
    );
    reportAbuse({
      kind: 'fuzz',
      surface: 'manifests through applyManifests',
      inputs: tally.tried,
      refusedCleanly: tally.refusedCleanly,
      accepted: tally.accepted,
      internalErrors: tally.internal,
      crashes: 0,
    });
  });
});

describe('applyManifests refuses YAML nested too deep to read, writing nothing', () => {
  const indentedMapping = (depth: number): string =>
    Array.from({ length: depth }, (_, level) => `${' '.repeat(level)}a:`).join('\n') + ' leaf\n';

  it.each([
    ['a sequence of sequences 50,000 deep', `${'- '.repeat(50_000)}leaf\n`, 1],
    // Closing 50,000 levels at once overflows the stack of the YAML parser itself, not only of its reader.
    ['a sequence of sequences 50,000 deep, then a sibling', `${'- '.repeat(50_000)}leaf\n- next\n`, 1],
    ['a mapping indented one space deeper a line, 1,000 deep', indentedMapping(1000), 129],
  ])('refuses %s at the line where it goes too deep', async (_title, yaml, line) => {
    const before = await writtenRows();
    const response = await graphql(api.url, org.tokens.admin, APPLY, { yaml });
    expect(response.errors?.[0]?.extensions).toEqual({
      code: 'manifest/invalid',
      problems: [{ documentIndex: 0, path: '', message: `invalid YAML at line ${line}: block collections nest deeper than 64 levels` }],
    });
    expect(await writtenRows()).toEqual(before);
  });
});

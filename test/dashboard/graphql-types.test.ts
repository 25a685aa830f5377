import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const committedTypes = join(root, 'apps/dashboard/src/api/graphql-env.d.ts');
const scratch = mkdtempSync(join(tmpdir(), 'flotilla-graphql-types-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the dashboard's GraphQL types", () => {
  it('are generated from the committed schema.gql (regenerate them with `npm run schema:graphql`)', async () => {
    const regenerated = join(scratch, 'graphql-env.d.ts');
    await promisify(execFile)(
      join(root, 'node_modules/.bin/gql-tada'),
      ['generate', 'output', '--tsconfig', join(root, 'apps/dashboard/tsconfig.json'), '--output', regenerated],
      { cwd: root },
    );
    expect(readFileSync(regenerated, 'utf8')).toBe(readFileSync(committedTypes, 'utf8'));
  });
});

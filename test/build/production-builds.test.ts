import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const PRODUCTION_APPS = ['api', 'worker', 'agent', 'cli'];
/** What only tests, benchmarks and the demo use. */
const NOT_FOR_PRODUCTION = ['@flotilla/kube-sim', '@flotilla/tools', 'vitest', 'fast-check', 'playwright-core'];

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(directory, entry.name)) : [join(directory, entry.name)],
  );
}

describe('production builds', () => {
  it.each(PRODUCTION_APPS)('apps/%s/dist holds no test support, benchmark or simulator', (app) => {
    const files = filesUnder(join(root, 'apps', app, 'dist')).filter((file) => file.endsWith('.js'));
    expect(files.length).toBeGreaterThan(0);
    const paths = files.map((file) => relative(root, file));
    expect(paths.filter((path) => /\/(bench|testing|test-support)\/|\.test\.js$/.test(path))).toEqual([]);
    const importing = paths.filter((path) => {
      const text = readFileSync(join(root, path), 'utf8');
      return NOT_FOR_PRODUCTION.some((name) => text.includes(`'${name}'`) || text.includes(`"${name}"`));
    });
    expect(importing).toEqual([]);
  });
});

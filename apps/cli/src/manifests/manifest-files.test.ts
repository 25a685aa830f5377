import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { combineManifests, countDocuments, namespaceOfDocuments, onlyOrganizationScoped, readManifestFiles } from './manifest-files.js';

describe('countDocuments', () => {
  it.each([
    { text: '', count: 0 },
    { text: 'a: 1\n', count: 1 },
    { text: 'a: 1\n---\n---\nb: 2\n---\n', count: 2 },
    { text: '# only a comment\n---\nnull\n---\na: 1\n', count: 1 },
    { text: 'a: 1\n---\nb: [\n', count: 2 },
    { text: 'a: 1\na: 2\n', count: 1 },
  ])('$count in $text', ({ text, count }) => {
    expect(countDocuments(text)).toBe(count);
  });
});

describe('combineManifests', () => {
  it('numbers documents within each file, skipping empty ones as the API does', () => {
    const combined = combineManifests([
      { label: 'a.yaml', text: 'kind: A\n---\n' },
      { label: 'empty.yaml', text: '# nothing\n' },
      { label: 'b.yaml', text: '---\nkind: B\n---\nkind: C' },
    ]);
    expect(countDocuments(combined.yaml)).toBe(3);
    expect([0, 1, 2, 3].map(combined.label)).toEqual(['a.yaml:doc[0]', 'b.yaml:doc[0]', 'b.yaml:doc[1]', 'doc[3]']);
  });
});

describe('namespaceOfDocuments', () => {
  it.each([
    { yaml: 'kind: A\n---\nmetadata: { namespace: shop }\n---\nmetadata: { namespace: other }\n', namespace: 'shop' },
    { yaml: 'metadata: { name: x }\n', namespace: undefined },
    { yaml: 'metadata: [\n---\nmetadata: { namespace: "" }\n', namespace: undefined },
  ])('$namespace', ({ yaml, namespace }) => {
    expect(namespaceOfDocuments(yaml)).toBe(namespace);
  });
});

describe('readManifestFiles', () => {
  it('reads files, folders recursively by name (manifests only) and stdin', async () => {
    const root = mkdtempSync(join(tmpdir(), 'flotilla-manifests-'));
    mkdirSync(join(root, 'deploy', 'nested'), { recursive: true });
    writeFileSync(join(root, 'deploy', 'b.yaml'), 'b: 1\n');
    writeFileSync(join(root, 'deploy', 'a.yml'), 'a: 1\n');
    writeFileSync(join(root, 'deploy', 'notes.txt'), 'not a manifest');
    writeFileSync(join(root, 'deploy', 'nested', 'c.json'), '{"c": 1}');
    writeFileSync(join(root, 'single.yaml'), 'single: 1\n');
    const files = await readManifestFiles([join(root, 'single.yaml'), join(root, 'deploy'), '-'], () => Promise.resolve('from: stdin\n'));
    expect(files.map((file) => file.label.replace(root, '<root>'))).toEqual([
      '<root>/single.yaml',
      '<root>/deploy/a.yml',
      '<root>/deploy/b.yaml',
      '<root>/deploy/nested/c.json',
      '<stdin>',
    ]);
    expect(files.at(-1)?.text).toBe('from: stdin\n');
  });

  it('names a path that does not exist', async () => {
    await expect(readManifestFiles(['/nonexistent/rollout.yaml'], () => Promise.resolve(''))).rejects.toThrow(
      '/nonexistent/rollout.yaml: no such file or folder',
    );
  });
});

describe('onlyOrganizationScoped', () => {
  it.each([
    { yaml: 'kind: FleetRollout\nmetadata: { name: a }\n', only: true },
    { yaml: '# fleets\n---\nkind: FleetRollout\n---\n---\nkind: FleetRollout\n', only: true },
    { yaml: 'kind: FleetRollout\n---\nkind: FreezeWindow\n', only: true },
    { yaml: 'kind: FleetRollout\n---\nkind: Rollout\n', only: false },
    { yaml: 'kind: Rollout\n', only: false },
    { yaml: 'kind: FleetRollout\n---\nkind: [\n', only: false },
    { yaml: '', only: false },
  ])('$yaml: $only', ({ yaml, only }) => {
    expect(onlyOrganizationScoped(yaml)).toBe(only);
  });
});

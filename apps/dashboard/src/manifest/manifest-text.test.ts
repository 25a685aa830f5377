import { describe, expect, it } from 'vitest';
import { rolloutManifestYaml, unifiedDiff } from './manifest-text.js';

const spec = (image: string) => ({ replicas: 2, template: { spec: { containers: [{ name: 'web', image }] } } });

describe('rolloutManifestYaml', () => {
  it('writes apiVersion, kind, metadata and spec, leaving out empty labels and annotations', () => {
    expect(rolloutManifestYaml({ name: 'web', namespace: 'shop', labels: {}, annotations: {} }, { replicas: 2 })).toBe(
      'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 2\n',
    );
  });

  it('takes only the names, labels and annotations from the metadata it is given, and never writes an alias', () => {
    const rollout = { name: 'web', namespace: 'shop', labels: {}, spec: { replicas: 2 } };
    expect(rolloutManifestYaml(rollout, rollout.spec)).toBe(
      'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 2\n',
    );
  });

  it('keeps labels and annotations that are set', () => {
    expect(rolloutManifestYaml({ name: 'web', namespace: 'shop', labels: { app: 'web' } }, {})).toContain('  labels:\n    app: web\n');
  });
});

describe('unifiedDiff', () => {
  it('is empty for the same text', () => {
    expect(unifiedDiff('a: 1\n', 'a: 1\n')).toEqual([]);
  });

  it('gives the changed image line as removed then added, with the lines around it unchanged', () => {
    const before = rolloutManifestYaml({ name: 'web', namespace: 'shop' }, spec('shop/web:1'));
    const after = rolloutManifestYaml({ name: 'web', namespace: 'shop' }, spec('shop/web:2'));
    const lines = unifiedDiff(before, after);
    expect(lines[0]?.kind).toBe('hunk');
    expect(lines.filter((line) => line.kind === 'removed').map((line) => line.text)).toEqual(['-          image: shop/web:1']);
    expect(lines.filter((line) => line.kind === 'added').map((line) => line.text)).toEqual(['+          image: shop/web:2']);
    expect(lines.filter((line) => line.kind === 'unchanged').length).toBe(3);
  });

  it('reads a text without a last newline', () => {
    expect(unifiedDiff('a: 1', 'a: 2').map((line) => line.kind)).toEqual(['hunk', 'removed', 'added']);
  });
});

import { structuredPatch } from 'diff';
import { stringify } from 'yaml';

/** What names a rollout in its manifest; labels and annotations only where they are known (the current revision). */
export interface ManifestMetadata {
  name: string;
  namespace: string;
  labels?: unknown;
  annotations?: unknown;
}

const isEmptyObject = (value: unknown): boolean =>
  value === undefined || value === null || (typeof value === 'object' && Object.keys(value).length === 0);

/**
 * A rollout's manifest as YAML, in the order Argo's own manifests are written: apiVersion, kind, metadata, spec.
 * Empty labels and annotations are left out.
 * @example rolloutManifestYaml({ name: 'web', namespace: 'shop' }, { replicas: 2 })
 * // 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 2\n'
 */
export function rolloutManifestYaml(metadata: ManifestMetadata, spec: unknown): string {
  const { name, namespace, labels, annotations } = metadata;
  return stringify(
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: {
        name,
        namespace,
        ...(isEmptyObject(labels) ? {} : { labels }),
        ...(isEmptyObject(annotations) ? {} : { annotations }),
      },
      spec,
    },
    // Written out in full: an object met twice stays two copies, never a YAML anchor and alias.
    { lineWidth: 0, aliasDuplicateObjects: false },
  );
}

export type DiffLineKind = 'hunk' | 'added' | 'removed' | 'unchanged';

export interface DiffLine {
  kind: DiffLineKind;
  /** The line as a unified diff prints it: `@@ … @@`, or its text after a `+`, `-` or space. */
  text: string;
}

const LINE_KINDS: Record<string, DiffLineKind> = { '+': 'added', '-': 'removed', ' ': 'unchanged' };

/**
 * The unified diff of two texts, line by line with three lines of context around each change; empty when they are
 * the same.
 * @example unifiedDiff('image: web:1\n', 'image: web:2\n')
 * // [{ kind: 'hunk', text: '@@ -1,1 +1,1 @@' }, { kind: 'removed', text: '-image: web:1' }, { kind: 'added', text: '+image: web:2' }]
 */
export function unifiedDiff(before: string, after: string): DiffLine[] {
  const patch = structuredPatch('before', 'after', before, after, undefined, undefined, { context: 3 });
  return patch.hunks.flatMap((hunk) => [
    { kind: 'hunk' as const, text: `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@` },
    // jsdiff marks a last line without a newline with a `\` line of its own; YAML always ends in one.
    ...hunk.lines.flatMap((line) => {
      const kind = LINE_KINDS[line.charAt(0)];
      return kind === undefined ? [] : [{ kind, text: line }];
    }),
  ]);
}

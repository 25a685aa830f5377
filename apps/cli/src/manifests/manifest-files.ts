import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ORGANIZATION_SCOPED_KINDS } from '@flotilla/argo-spec';
import { parseAllDocuments } from 'yaml';
import { plainDocumentLabel, type DocumentLabel } from '../api/api-error.js';
import { CliError, ExitCode } from '../cli/cli-error.js';

/** One source of manifests: a file, or stdin for `-`. */
export interface ManifestFile {
  /** How problems name it: the path as given, or `<stdin>`. */
  label: string;
  text: string;
}

const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];
export const STDIN_LABEL = '<stdin>';

async function filesUnder(directory: string): Promise<string[]> {
  const entries = (await readdir(directory, { withFileTypes: true })).sort((left, right) => left.name.localeCompare(right.name));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(path)));
    else if (MANIFEST_EXTENSIONS.some((extension) => entry.name.endsWith(extension))) files.push(path);
  }
  return files;
}

/** Reads `-f` arguments: files, folders (their .yaml, .yml and .json files, recursively, by name) and `-` for stdin. */
export async function readManifestFiles(paths: readonly string[], readStdin: () => Promise<string>): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  for (const path of paths) {
    if (path === '-') {
      files.push({ label: STDIN_LABEL, text: await readStdin() });
      continue;
    }
    const found = await stat(path).catch(() => undefined);
    if (found === undefined) throw new CliError(ExitCode.Failure, `${path}: no such file or folder`);
    const inside = found.isDirectory() ? await filesUnder(path) : [path];
    if (found.isDirectory() && inside.length === 0)
      throw new CliError(ExitCode.Failure, `${path}: the folder holds no .yaml, .yml or .json file`);
    for (const file of inside) files.push({ label: file, text: await readFile(file, 'utf8') });
  }
  return files;
}

/**
 * How many documents of a YAML text the API numbers: empty ones (nothing between two `---`, only comments, a bare
 * `null`) take no index, unreadable ones do, as in `parseManifests`.
 * @example countDocuments('a: 1\n---\n---\n# note\n---\nb: [\n') === 2
 */
export function countDocuments(text: string): number {
  let count = 0;
  for (const document of parseAllDocuments(text, { version: '1.2', schema: 'core', uniqueKeys: true })) {
    if (document.errors.length > 0) {
      count += 1;
      continue;
    }
    try {
      const value: unknown = document.toJS({ maxAliasCount: 100 });
      if (value !== null && value !== undefined) count += 1;
    } catch {
      count += 1;
    }
  }
  return count;
}

/** Several files sent as one multi-document YAML, and how to name each of its documents by file. */
export interface CombinedManifests {
  yaml: string;
  label: DocumentLabel;
}

/**
 * Joins files into one YAML stream so that they are validated and applied together, all or nothing, and maps the
 * API's document indexes back to `file:doc[i]`, counting within each file.
 * @example
 * combineManifests([{ label: 'a.yaml', text: 'x: 1\n' }, { label: 'b.yaml', text: 'y: 1\n---\nz: 1\n' }]).label(2) === 'b.yaml:doc[1]'
 */
export function combineManifests(files: readonly ManifestFile[]): CombinedManifests {
  const yaml = files.map((file) => file.text).join('\n---\n');
  const counts = files.map((file) => countDocuments(file.text));
  const total = counts.reduce((sum, count) => sum + count, 0);
  // A file with YAML directives could shift documents once joined; plain indexes are then the honest answer.
  if (total !== countDocuments(yaml)) return { yaml, label: plainDocumentLabel };
  const label: DocumentLabel = (documentIndex) => {
    let first = 0;
    for (const [position, count] of counts.entries()) {
      if (documentIndex < first + count) return `${(files[position] as ManifestFile).label}:doc[${documentIndex - first}]`;
      first += count;
    }
    return plainDocumentLabel(documentIndex);
  };
  return { yaml, label };
}

/** The first `metadata.namespace` the documents set, which an apply or lint targets when no --namespace is given. */
export function namespaceOfDocuments(yaml: string): string | undefined {
  for (const document of parseAllDocuments(yaml)) {
    if (document.errors.length > 0) continue;
    const namespace = document.getIn(['metadata', 'namespace']);
    if (typeof namespace === 'string' && namespace !== '') return namespace;
  }
  return undefined;
}

/**
 * Whether every document is organization-scoped (a FleetRollout), so that an apply names no cluster or namespace;
 * false for no documents, and for any document that cannot be read (the API then says what is wrong with it).
 * @example onlyOrganizationScoped('kind: FleetRollout\n---\nkind: FleetRollout\n') === true
 */
export function onlyOrganizationScoped(yaml: string): boolean {
  const kinds: unknown[] = [];
  for (const document of parseAllDocuments(yaml)) {
    if (document.errors.length > 0) return false;
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: 100 });
    } catch {
      return false;
    }
    if (value === null || value === undefined) continue;
    kinds.push(typeof value === 'object' && 'kind' in value ? value.kind : undefined);
  }
  return (
    kinds.length > 0 && kinds.every((kind) => typeof kind === 'string' && (ORGANIZATION_SCOPED_KINDS as readonly string[]).includes(kind))
  );
}

const READ_GROUPS = ['argoproj.io', 'flotilla.io'];

/** A document of another API group (a Service, an Ingress, a Namespace), which lint passes over with a note. */
export interface OtherKindDocument {
  documentIndex: number;
  kind: string;
  name: string;
}

/**
 * The documents of the stream whose `apiVersion` is of a group Flotilla does not read, such as `v1` or
 * `networking.k8s.io/v1`; a document without a string `apiVersion` is not among them, so that it is reported.
 * @example otherKindDocuments('apiVersion: v1\nkind: Service\nmetadata: { name: web }\n') // => [{ documentIndex: 0, kind: 'Service', name: 'web' }]
 */
export function otherKindDocuments(yaml: string): OtherKindDocument[] {
  const others: OtherKindDocument[] = [];
  let documentIndex = 0;
  for (const document of parseAllDocuments(yaml)) {
    const apiVersion: unknown = document.errors.length > 0 ? undefined : document.get('apiVersion');
    const empty = document.errors.length === 0 && document.contents === null;
    if (empty) continue;
    const group = typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : 'core';
    if (typeof apiVersion === 'string' && !READ_GROUPS.includes(group)) {
      const kind: unknown = document.get('kind');
      const name: unknown = document.getIn(['metadata', 'name']);
      others.push({ documentIndex, kind: typeof kind === 'string' ? kind : apiVersion, name: typeof name === 'string' ? name : '' });
    }
    documentIndex += 1;
  }
  return others;
}

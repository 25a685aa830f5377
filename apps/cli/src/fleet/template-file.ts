import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { CliError, ExitCode, usageError } from '../cli/cli-error.js';
import { STDIN_LABEL } from '../manifests/manifest-files.js';

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The pod template of `fleet release --template-file`: one YAML or JSON document holding a pod template
 * (`metadata`, `spec`) as in a Rollout's `spec.template`, or a whole Rollout manifest, whose `spec.template` is taken.
 * The API validates the template itself; this only finds it.
 * @example templateFromText('kind: Rollout\nspec:\n  template:\n    spec: { containers: [] }\n', 'r.yaml') // => { spec: { containers: [] } }
 */
export function templateFromText(text: string, label: string): Record<string, unknown> {
  const documents = parseAllDocuments(text, { version: '1.2', schema: 'core', uniqueKeys: true }).filter(
    (document) => document.errors.length > 0 || document.contents !== null,
  );
  const [document] = documents;
  if (document === undefined) throw usageError(`${label} holds no template`);
  if (documents.length > 1) throw usageError(`${label} holds ${documents.length} documents: give one pod template or one Rollout`);
  const [problem] = document.errors;
  if (problem !== undefined) throw usageError(`${label} is not valid YAML: ${problem.message}`);
  const value: unknown = document.toJS({ maxAliasCount: 100 });
  if (!isMapping(value)) throw usageError(`${label} must hold a pod template (metadata, spec) or a Rollout`);
  if (value.kind === 'Rollout') {
    const template = isMapping(value.spec) ? value.spec.template : undefined;
    if (!isMapping(template)) throw usageError(`${label}: the Rollout has no spec.template`);
    return template;
  }
  if (!isMapping(value.spec)) throw usageError(`${label} must hold a pod template with a spec, or a Rollout`);
  return value;
}

/** Reads the template of `--template-file PATH`, `-` meaning stdin. */
export async function readTemplateFile(path: string, readStdin: () => Promise<string>): Promise<Record<string, unknown>> {
  if (path === '-') return templateFromText(await readStdin(), STDIN_LABEL);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(ExitCode.Failure, `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return templateFromText(text, path);
}

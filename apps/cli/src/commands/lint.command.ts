import { dirname } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseManifests, type ManifestIssue } from '@flotilla/argo-spec';
import { ExitCode, usageError } from '../cli/cli-error.js';
import type { Command } from '../cli/command.js';
import {
  combineManifests,
  namespaceOfDocuments,
  otherKindDocuments,
  readManifestFiles,
  type ManifestFile,
  type OtherKindDocument,
} from '../manifests/manifest-files.js';
import { printedStructured } from '../output/structured.js';
import { NAMESPACE_FLAG } from '../rollouts/rollout-lookup.js';
import { FILE_FLAG } from './apply.command.js';

export const lintCommand: Command = {
  path: ['lint'],
  synopsis: '-f PATH... [--namespace NAMESPACE] [--template NAME]...',
  summary: 'Validate manifests offline, as apply would, printing every problem as file:doc[index] path: reason',
  details: [
    'No server is needed. Templates a rollout refers to must be among the files or named with --template, since',
    'the templates already stored by the API are not known offline. Each folder is checked on its own, as each',
    "cluster's folder is applied on its own; documents of other API groups (Services, Ingresses, Namespaces) are",
    'passed over with a note.',
  ],
  flags: [
    FILE_FLAG,
    NAMESPACE_FLAG,
    {
      name: 'template',
      kind: 'string',
      repeatable: true,
      valueName: 'NAME',
      description: 'an AnalysisTemplate or ClusterAnalysisTemplate assumed to exist already',
    },
  ],
  outputs: ['json', 'yaml'],
  online: false,
  async run({ invocation, terminal, output, readStdin }) {
    invocation.atMostPositionals(0);
    const paths = invocation.strings('filename');
    if (paths.length === 0) throw usageError('lint needs -f PATH');
    // Each folder on its own, as each cluster's folder is applied on its own.
    const results: LintResult[] = [];
    for (const path of paths)
      for (const folder of byFolder(await readManifestFiles([path], readStdin)))
        results.push(lintPath(folder, invocation.strings('template'), invocation.string('namespace')));
    const problems = results.flatMap((result) => result.problems);
    if (printedStructured(terminal, output, problems)) return problems.length === 0 ? ExitCode.Ok : ExitCode.Failure;
    for (const skipped of results.flatMap((result) => result.skipped))
      terminal.out(`${skipped.document} ${skipped.kind}${skipped.name ? `/${skipped.name}` : ''}: skipped, not a kind Flotilla reads\n`);
    if (problems.length === 0) {
      const count = results.reduce((sum, result) => sum + result.checked, 0);
      const files = results.reduce((sum, result) => sum + result.files, 0);
      terminal.out(
        `${terminal.style.green('✔')} ${count} document${count === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}: no problems\n`,
      );
      return ExitCode.Ok;
    }
    for (const problem of problems)
      terminal.out(`${problem.document} ${problem.path ? `${problem.path}: ` : ''}${terminal.style.red(problem.message)}\n`);
    terminal.err(`${problems.length} problem${problems.length === 1 ? '' : 's'} found\n`);
    return ExitCode.Failure;
  },
};

interface LintResult {
  problems: (ManifestIssue & { document: string })[];
  skipped: (OtherKindDocument & { document: string })[];
  checked: number;
  files: number;
}

/** Validates the files of one path together, passing over documents of other API groups. */
function lintPath(files: ManifestFile[], templates: readonly string[], namespace: string | undefined): LintResult {
  const combined = combineManifests(files);
  const others = otherKindDocuments(combined.yaml);
  const otherIndexes = new Set(others.map((other) => other.documentIndex));
  const read =
    others.length === 0 ? { yaml: combined.yaml, originalIndex: (index: number) => index } : withoutDocuments(combined.yaml, otherIndexes);
  // Offline, an assumed template's arguments are unknown: none is required of it.
  const assumed = new Map(templates.map((name) => [name, []]));
  const result = parseManifests(read.yaml, {
    namespace: namespace ?? namespaceOfDocuments(read.yaml) ?? 'default',
    knownAnalysisTemplates: assumed,
    knownClusterAnalysisTemplates: assumed,
  });
  return {
    problems: result.ok
      ? []
      : result.errors.map((issue) => {
          const documentIndex = read.originalIndex(issue.documentIndex);
          return { ...issue, documentIndex, document: combined.label(documentIndex) };
        }),
    skipped: others.map((other) => ({ ...other, document: combined.label(other.documentIndex) })),
    checked: result.ok ? result.documents.length : 0,
    files: files.length,
  };
}

/** The stream without the documents at `indexes`, and the index each remaining document had before. */
function withoutDocuments(yaml: string, indexes: ReadonlySet<number>): { yaml: string; originalIndex: (index: number) => number } {
  const kept: number[] = [];
  const texts: string[] = [];
  let index = 0;
  for (const document of parseAllDocuments(yaml)) {
    if (document.errors.length === 0 && document.contents === null) continue;
    if (!indexes.has(index)) {
      kept.push(index);
      texts.push(document.toString());
    }
    index += 1;
  }
  return { yaml: texts.join('---\n'), originalIndex: (position) => kept[position] ?? position };
}

/** The files grouped by the folder holding them, in the order read. */
function byFolder(files: readonly ManifestFile[]): ManifestFile[][] {
  const folders = new Map<string, ManifestFile[]>();
  for (const file of files) folders.set(dirname(file.label), [...(folders.get(dirname(file.label)) ?? []), file]);
  return [...folders.values()];
}

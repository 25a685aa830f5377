import { parseManifests, type ManifestIssue } from '@flotilla/argo-spec';
import { ExitCode, usageError } from '../cli/cli-error.js';
import type { Command } from '../cli/command.js';
import { combineManifests, namespaceOfDocuments, readManifestFiles } from '../manifests/manifest-files.js';
import { printedStructured } from '../output/structured.js';
import { NAMESPACE_FLAG } from '../rollouts/rollout-lookup.js';
import { FILE_FLAG } from './apply.command.js';

export const lintCommand: Command = {
  path: ['lint'],
  synopsis: '-f PATH... [--namespace NAMESPACE] [--template NAME]...',
  summary: 'Validate manifests offline, as apply would, printing every problem as file:doc[index] path: reason',
  details: [
    'No server is needed. Templates a rollout refers to must be among the files or named with --template, since',
    'the templates already stored by the API are not known offline.',
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
    const files = await readManifestFiles(paths, readStdin);
    const combined = combineManifests(files);
    // Offline, an assumed template's arguments are unknown: none is required of it.
    const assumed = new Map(invocation.strings('template').map((name) => [name, []]));
    const result = parseManifests(combined.yaml, {
      namespace: invocation.string('namespace') ?? namespaceOfDocuments(combined.yaml) ?? 'default',
      knownAnalysisTemplates: assumed,
      knownClusterAnalysisTemplates: assumed,
    });
    const problems: (ManifestIssue & { document: string })[] = result.ok
      ? []
      : result.errors.map((issue) => ({ ...issue, document: combined.label(issue.documentIndex) }));
    if (printedStructured(terminal, output, problems)) return problems.length === 0 ? ExitCode.Ok : ExitCode.Failure;
    if (problems.length === 0) {
      const count = result.ok ? result.documents.length : 0;
      terminal.out(
        `${terminal.style.green('✔')} ${count} document${count === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}: no problems\n`,
      );
      return ExitCode.Ok;
    }
    for (const problem of problems)
      terminal.out(`${problem.document} ${problem.path ? `${problem.path}: ` : ''}${terminal.style.red(problem.message)}\n`);
    terminal.err(`${problems.length} problem${problems.length === 1 ? '' : 's'} found\n`);
    return ExitCode.Failure;
  },
};

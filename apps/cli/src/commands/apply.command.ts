import { ApiError } from '../api/api-error.js';
import { APPLY_MANIFESTS, CLUSTERS, type AppliedDocument } from '../api/queries.js';
import type { FlagSpec } from '../cli/flags.js';
import { CliError, ExitCode, usageError } from '../cli/cli-error.js';
import type { Command, CommandContext } from '../cli/command.js';
import { combineManifests, namespaceOfDocuments, onlyOrganizationScoped, readManifestFiles } from '../manifests/manifest-files.js';
import { printedStructured } from '../output/structured.js';
import { CLUSTER_FLAG, NAMESPACE_FLAG, rolloutLocation } from '../rollouts/rollout-lookup.js';

export const FILE_FLAG: FlagSpec = {
  name: 'filename',
  short: 'f',
  kind: 'string',
  repeatable: true,
  valueName: 'PATH',
  description: 'file, folder (recursively) or - for stdin',
};

/** The cluster named by --cluster or the current context, or the organization's only cluster. */
async function targetCluster(context: CommandContext): Promise<string> {
  const given = rolloutLocation(context).cluster;
  if (given !== undefined) return given;
  const { clusters } = await context.api().request<{ clusters: { name: string }[] }>(CLUSTERS);
  const [only] = clusters;
  if (only !== undefined && clusters.length === 1) return only.name;
  throw usageError(
    `apply needs --cluster: the organization has ${clusters.length === 0 ? 'no cluster' : `clusters ${clusters.map((cluster) => cluster.name).join(', ')}`}`,
  );
}

export const applyCommand: Command = {
  path: ['apply'],
  aliases: ['create'],
  synopsis: '-f PATH... [--cluster CLUSTER] [--namespace NAMESPACE]',
  summary: 'Apply manifests (Rollout, AnalysisTemplate, ClusterAnalysisTemplate, Experiment, FleetRollout)',
  details: [
    'All files are validated and applied together: on any problem, every problem is listed and nothing is applied.',
    "Without --cluster, the current context's cluster, else the organization's only cluster; without --namespace, the",
    'first metadata.namespace of the documents, else the context\'s namespace, else "default". FleetRollouts and FreezeWindows belong to the organization: applied alone, they need neither.',
  ],
  flags: [FILE_FLAG, CLUSTER_FLAG, NAMESPACE_FLAG],
  outputs: ['json', 'yaml'],
  online: true,
  async run(context) {
    const { invocation, terminal, output } = context;
    invocation.atMostPositionals(0);
    const paths = invocation.strings('filename');
    if (paths.length === 0) throw usageError('apply needs -f PATH');
    const files = await readManifestFiles(paths, context.readStdin);
    const combined = combineManifests(files);
    if (combined.yaml.trim() === '') throw new CliError(ExitCode.Failure, 'no manifests to apply');
    const organizationWide = onlyOrganizationScoped(combined.yaml);
    const namespace = organizationWide
      ? invocation.string('namespace')
      : (invocation.string('namespace') ?? namespaceOfDocuments(combined.yaml) ?? rolloutLocation(context).namespace ?? 'default');
    const cluster = organizationWide ? invocation.string('cluster') : await targetCluster(context);
    let applied: AppliedDocument[];
    try {
      ({ applyManifests: applied } = await context
        .api()
        .request<{ applyManifests: AppliedDocument[] }>(APPLY_MANIFESTS, { cluster, namespace, yaml: combined.yaml }));
    } catch (error) {
      throw error instanceof ApiError ? error.withDocumentLabels(combined.label) : error;
    }
    if (printedStructured(terminal, output, applied)) return ExitCode.Ok;
    for (const document of applied) {
      const where = document.namespace ? ` in ${cluster}/${document.namespace}` : '';
      const version = ['Rollout', 'Experiment', 'FleetRollout', 'FreezeWindow'].includes(document.kind) ? 'generation' : 'version';
      terminal.out(
        `${document.kind.toLowerCase()}/${terminal.style.bold(document.name)} ${document.action.toLowerCase()}${where} (${version} ${document.generation})\n`,
      );
    }
    return ExitCode.Ok;
  },
};

import type { ApiClient } from '../api/api-client.js';
import { ROLLOUTS, type PageInfo, type RolloutRef, type RolloutSummary } from '../api/queries.js';
import type { FlagSpec } from '../cli/arguments.js';
import { CliError, ExitCode } from '../cli/cli-error.js';
import type { CommandContext } from '../cli/command.js';

export const CLUSTER_FLAG: FlagSpec = { name: 'cluster', kind: 'string', valueName: 'CLUSTER', description: 'cluster name' };
export const NAMESPACE_FLAG: FlagSpec = {
  name: 'namespace',
  short: 'n',
  kind: 'string',
  valueName: 'NAMESPACE',
  description: 'Kubernetes namespace',
};

/** --cluster and --namespace; either may be left out when the rollout's name alone finds it. */
export const ROLLOUT_LOCATION_FLAGS: readonly FlagSpec[] = [CLUSTER_FLAG, NAMESPACE_FLAG];

export interface RolloutFilter {
  cluster?: string;
  namespace?: string;
  phase?: string;
  labels?: string[];
}

const PAGE_SIZE = 500;

/** Every rollout matching `filter`, reading page after page. */
export async function listAllRollouts(api: ApiClient, filter: RolloutFilter): Promise<RolloutSummary[]> {
  const rollouts: RolloutSummary[] = [];
  let after: string | null = null;
  do {
    const page: { rollouts: { nodes: RolloutSummary[]; pageInfo: PageInfo } } = await api.request(ROLLOUTS, {
      filter,
      page: { first: PAGE_SIZE, after },
    });
    rollouts.push(...page.rollouts.nodes);
    after = page.rollouts.pageInfo.hasNextPage ? page.rollouts.pageInfo.endCursor : null;
  } while (after !== null);
  return rollouts;
}

/**
 * Names the rollout a command acts on: NAME with --cluster and --namespace as given, and when either is left out,
 * the one rollout of that name the API lists within what was given.
 */
export async function resolveRolloutRef(context: CommandContext, name: string): Promise<RolloutRef> {
  const cluster = context.invocation.string('cluster');
  const namespace = context.invocation.string('namespace');
  if (cluster !== undefined && namespace !== undefined) return { cluster, namespace, name };
  const filter = { ...(cluster === undefined ? {} : { cluster }), ...(namespace === undefined ? {} : { namespace }) };
  const matches = (await listAllRollouts(context.api(), filter)).filter((rollout) => rollout.name === name);
  const [only] = matches;
  if (only === undefined) {
    const within = [cluster && `cluster ${cluster}`, namespace && `namespace ${namespace}`].filter(Boolean).join(', ');
    throw new CliError(ExitCode.NotFound, `rollout/not_found: no rollout named ${name}${within ? ` in ${within}` : ''}`);
  }
  if (matches.length > 1) {
    throw new CliError(
      ExitCode.Usage,
      `${matches.length} rollouts are named ${name}: pass --cluster and --namespace`,
      matches.map((rollout) => `--cluster ${rollout.cluster} --namespace ${rollout.namespace}`),
    );
  }
  return { cluster: only.cluster, namespace: only.namespace, name };
}

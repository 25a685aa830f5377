import type { ApiClient } from '../api/api-client.js';
import { ROLLOUTS, type PageInfo, type RolloutRef, type RolloutSummary } from '../api/queries.js';
import type { FlagSpec } from '../cli/flags.js';
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

/** Where a command looks: --cluster and --namespace as given, else the current context's cluster and namespace. */
export interface RolloutLocation {
  cluster?: string;
  namespace?: string;
  /** The context the location came from, named in errors. */
  contextName?: string;
}

/**
 * The cluster and namespace a command acts in. Without --cluster, the current context's cluster, and its namespace
 * unless --namespace is given; with --cluster, the flags alone, since a context's namespace belongs to its cluster.
 * @example rolloutLocation(context) // with context staging (cluster staging, namespace guestbook) and no flags
 * // => { cluster: 'staging', namespace: 'guestbook', contextName: 'staging' }
 */
export function rolloutLocation(context: Pick<CommandContext, 'invocation' | 'currentContext'>): RolloutLocation {
  const cluster = context.invocation.string('cluster');
  const namespace = context.invocation.string('namespace');
  const chosen = cluster === undefined ? context.currentContext() : undefined;
  const location: RolloutLocation = {};
  const inCluster = cluster ?? chosen?.cluster;
  const inNamespace = namespace ?? chosen?.namespace;
  if (inCluster !== undefined) location.cluster = inCluster;
  if (inNamespace !== undefined) location.namespace = inNamespace;
  if (chosen !== undefined) location.contextName = chosen.name;
  return location;
}

/**
 * Names the rollout a command acts on: NAME in the cluster and namespace of {@link rolloutLocation}, and when either
 * is unknown, the one rollout of that name the API lists within what is known.
 */
export async function resolveRolloutRef(context: CommandContext, name: string): Promise<RolloutRef> {
  const { cluster, namespace, contextName } = rolloutLocation(context);
  if (cluster !== undefined && namespace !== undefined) return { cluster, namespace, name };
  const filter = { ...(cluster === undefined ? {} : { cluster }), ...(namespace === undefined ? {} : { namespace }) };
  const matches = (await listAllRollouts(context.api(), filter)).filter((rollout) => rollout.name === name);
  const [only] = matches;
  if (only === undefined) {
    const within = [cluster && `cluster ${cluster}`, namespace && `namespace ${namespace}`].filter(Boolean).join(', ');
    const chosen = contextName === undefined ? '' : ` (context ${contextName})`;
    throw new CliError(ExitCode.NotFound, `rollout/not_found: no rollout named ${name}${within ? ` in ${within}${chosen}` : ''}`);
  }
  if (matches.length > 1) {
    throw new CliError(ExitCode.Usage, `${matches.length} rollouts are named ${name}: pass --cluster and --namespace`, [
      ...matches.map((rollout) => `--cluster ${rollout.cluster} --namespace ${rollout.namespace}`),
      'or choose a context: flotilla config set-context NAME --cluster CLUSTER, then flotilla config use-context NAME',
    ]);
  }
  return { cluster: only.cluster, namespace: only.namespace, name };
}

import type { ApiClient } from '../api/api-client.js';
import { allPages } from '../api/all-pages.js';
import { ROLLOUTS, type RolloutRef, type RolloutSummary } from '../api/queries.js';
import type { FlagSpec } from '../cli/flags.js';
import { CliError, ExitCode, usageError } from '../cli/cli-error.js';
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

/** Every rollout matching `filter`, reading page after page. */
export function listAllRollouts(api: ApiClient, filter: RolloutFilter): Promise<RolloutSummary[]> {
  return allPages<RolloutSummary>(api, ROLLOUTS, 'rollouts', { filter });
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

/** What a command acts on by name: a rollout, an experiment or an analysis run, as its API error codes name it. */
export type NamedKind = 'rollout' | 'experiment' | 'analysis_run';

const KIND_WORDS: Record<NamedKind, { one: string; many: string }> = {
  rollout: { one: 'rollout', many: 'rollouts' },
  experiment: { one: 'experiment', many: 'experiments' },
  analysis_run: { one: 'analysis run', many: 'analysis runs' },
};

/**
 * Names the object a command acts on: NAME in the cluster and namespace of {@link rolloutLocation}, and when either
 * is unknown, the one object of that name that `listNamed` finds within what is known.
 */
export async function resolveNamedRef(
  context: CommandContext,
  kind: NamedKind,
  name: string,
  listNamed: (filter: { cluster?: string; namespace?: string; name: string }) => Promise<RolloutRef[]>,
): Promise<RolloutRef> {
  const { cluster, namespace, contextName } = rolloutLocation(context);
  if (cluster !== undefined && namespace !== undefined) return { cluster, namespace, name };
  const filter = { ...(cluster === undefined ? {} : { cluster }), ...(namespace === undefined ? {} : { namespace }), name };
  const matches = (await listNamed(filter)).filter((candidate) => candidate.name === name);
  const [only] = matches;
  const words = KIND_WORDS[kind];
  if (only === undefined) {
    const within = [cluster && `cluster ${cluster}`, namespace && `namespace ${namespace}`].filter(Boolean).join(', ');
    const chosen = contextName === undefined ? '' : ` (context ${contextName})`;
    throw new CliError(ExitCode.NotFound, `${kind}/not_found: no ${words.one} named ${name}${within ? ` in ${within}${chosen}` : ''}`);
  }
  if (matches.length > 1) {
    throw new CliError(ExitCode.Usage, `${matches.length} ${words.many} are named ${name}: pass --cluster and --namespace`, [
      ...matches.map((match) => `--cluster ${match.cluster} --namespace ${match.namespace}`),
      'or choose a context: flotilla config set-context NAME --cluster CLUSTER, then flotilla config use-context NAME',
    ]);
  }
  return { cluster: only.cluster, namespace: only.namespace, name };
}

/** The rollout a command acts on (see {@link resolveNamedRef}). */
export function resolveRolloutRef(context: CommandContext, name: string): Promise<RolloutRef> {
  return resolveNamedRef(context, 'rollout', name, ({ name: _name, ...filter }) => listAllRollouts(context.api(), filter));
}

export const ALL_NAMESPACES_FLAG: FlagSpec = {
  name: 'all-namespaces',
  short: 'A',
  kind: 'boolean',
  description: 'list every namespace, not only the one of --namespace or of the context',
};

/**
 * Where a list command looks: {@link rolloutLocation}, every namespace of it with --all-namespaces.
 * @example listedLocation(context) // with context staging (cluster staging, namespace guestbook) and -A
 * // => { cluster: 'staging' }
 */
export function listedLocation(context: Pick<CommandContext, 'invocation' | 'currentContext'>): { cluster?: string; namespace?: string } {
  const { cluster, namespace } = rolloutLocation(context);
  const everyNamespace = context.invocation.boolean('all-namespaces');
  if (everyNamespace && context.invocation.string('namespace') !== undefined)
    throw usageError('--all-namespaces and --namespace exclude each other');
  return { ...(cluster === undefined ? {} : { cluster }), ...(namespace === undefined || everyNamespace ? {} : { namespace }) };
}

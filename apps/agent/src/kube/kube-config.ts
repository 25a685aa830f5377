import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { KubeConfig, type User } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { TokenFileAuthenticator, tokenFileProvider } from './token-file-authenticator.js';

/** The kubeconfig or service account cannot be used; `source` names the file or directory that was read. */
export class KubeCredentialsError extends Error {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
    this.name = 'KubeCredentialsError';
  }
}

export const SERVICE_ACCOUNT_DIRECTORY = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConfigSources {
  /** `KUBECONFIG`: one file or a list separated as PATH is (`:` on Linux). */
  kubeconfig: string | undefined;
  /** The home directory whose `.kube/config` is read when `kubeconfig` is not set. */
  home?: string;
  /** A folder standing for `/` where the pod's service account is looked for (`/var/run/secrets/…`); `/` in a pod. */
  serviceAccountRoot?: string;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The agent's one source of cluster credentials, found as kubectl finds them: every file of `KUBECONFIG` merged (the
 * first file to set a context, cluster, user or the current context wins), else `~/.kube/config`, else the pod's
 * service account. Exec credential plugins, auth providers, `proxy-url` and `tls-server-name` are the library's.
 * @example loadKubeConfig({ kubeconfig: process.env.KUBECONFIG }).getCurrentCluster()?.server // 'https://10.0.0.1:6443'
 */
export function loadKubeConfig(sources: KubeConfigSources): KubeConfig {
  const files = (sources.kubeconfig ?? '').split(delimiter).filter((file) => file !== '');
  if (files.length === 0) {
    const userConfig = join(sources.home ?? homedir(), '.kube', 'config');
    if (existsSync(userConfig)) files.push(userConfig);
  }
  if (files.length === 0) return inClusterConfig(sources.serviceAccountRoot ?? '');

  const kubeConfig = readKubeconfigFile(files[0] ?? '');
  files.slice(1).forEach((file) => mergeFirstWins(kubeConfig, readKubeconfigFile(file)));
  kubeConfig.addAuthenticator(new TokenFileAuthenticator());
  const source = files.join(delimiter);
  const contextName = kubeConfig.getCurrentContext();
  if (!contextName) throw new KubeCredentialsError(source, 'the kubeconfig has no current-context');
  const context = kubeConfig.getContextObject(contextName);
  if (context === null) throw new KubeCredentialsError(source, `no context named ${JSON.stringify(contextName)}`);
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null) throw new KubeCredentialsError(source, `context ${JSON.stringify(contextName)} names no known cluster`);
  if (!cluster.server) throw new KubeCredentialsError(source, `cluster ${JSON.stringify(cluster.name)} has no server`);
  try {
    new URL(cluster.server);
  } catch {
    throw new KubeCredentialsError(
      source,
      `cluster ${JSON.stringify(cluster.name)} has an invalid server ${JSON.stringify(cluster.server)}`,
    );
  }
  if (context.user && kubeConfig.getUser(context.user) === null)
    throw new KubeCredentialsError(source, `context ${JSON.stringify(contextName)} names no known user ${JSON.stringify(context.user)}`);
  return kubeConfig;
}

/** One kubeconfig file as the library reads it, with relative paths resolved against the file's folder. */
function readKubeconfigFile(file: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
    kubeConfig.loadFromString(text);
  } catch (error) {
    throw new KubeCredentialsError(file, `cannot read the kubeconfig: ${messageOf(error)}`);
  }
  kubeConfig.makePathsAbsolute(dirname(file));
  readTokenFiles(kubeConfig, text, file);
  return kubeConfig;
}

/** kubectl's `tokenFile` user field, which the library does not read, is handed to `TokenFileAuthenticator`. */
function readTokenFiles(kubeConfig: KubeConfig, text: string, file: string): void {
  const document: unknown = parseYaml(text);
  const users = typeof document === 'object' && document !== null ? (document as { users?: unknown }).users : undefined;
  if (!Array.isArray(users)) return;
  const tokenFiles = new Map<string, string>();
  for (const entry of users as Array<{ name?: unknown; user?: { tokenFile?: unknown } }>) {
    const tokenFile = entry.user?.tokenFile;
    if (typeof entry.name === 'string' && typeof tokenFile === 'string' && tokenFile !== '')
      tokenFiles.set(entry.name, isAbsolute(tokenFile) ? tokenFile : join(dirname(file), tokenFile));
  }
  kubeConfig.users = kubeConfig.users.map((user: User): User => {
    const tokenFile = tokenFiles.get(user.name);
    if (tokenFile === undefined || user.token || user.exec || user.authProvider) return user;
    return { ...user, authProvider: tokenFileProvider(tokenFile) };
  });
}

/** Adds what a later file of a list names and the earlier ones do not, as kubectl merges `KUBECONFIG`. */
function mergeFirstWins(kubeConfig: KubeConfig, later: KubeConfig): void {
  const known = (names: Array<{ name: string }>): Set<string> => new Set(names.map((entry) => entry.name));
  const clusters = known(kubeConfig.getClusters());
  const users = known(kubeConfig.getUsers());
  const contexts = known(kubeConfig.getContexts());
  const additions = new KubeConfig();
  additions.loadFromOptions({
    clusters: later.getClusters().filter((cluster) => !clusters.has(cluster.name)),
    users: later.getUsers().filter((user) => !users.has(user.name)),
    contexts: later.getContexts().filter((context) => !contexts.has(context.name)),
    currentContext: later.getCurrentContext(),
  });
  kubeConfig.mergeConfig(additions, Boolean(kubeConfig.getCurrentContext()));
}

/** The pod's service account: the API server from `KUBERNETES_SERVICE_HOST`/`_PORT`, its CA and rotating token. */
function inClusterConfig(root: string): KubeConfig {
  const directory = join(root, SERVICE_ACCOUNT_DIRECTORY);
  if (!process.env.KUBERNETES_SERVICE_HOST || !process.env.KUBERNETES_SERVICE_PORT)
    throw new KubeCredentialsError(
      directory,
      'no kubeconfig was found (KUBECONFIG, ~/.kube/config) and KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set for the in-cluster service account',
    );
  if (!existsSync(join(directory, 'token'))) throw new KubeCredentialsError(directory, 'no service account token is mounted');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromCluster(root.replace(/\/$/, ''));
  return kubeConfig;
}

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** How the agent reaches and authenticates to its API server. */
export interface KubeCredentials {
  server: URL;
  /** PEM; undefined means the system trust store. */
  ca: Buffer | undefined;
  clientCertificate: Buffer | undefined;
  clientKey: Buffer | undefined;
  skipTlsVerify: boolean;
  /** A bearer token, given as is or read from a file that may be rotated. */
  token: { kind: 'none' } | { kind: 'value'; token: string } | { kind: 'file'; path: string };
}

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

interface KubeconfigCluster {
  server?: unknown;
  'certificate-authority'?: unknown;
  'certificate-authority-data'?: unknown;
  'insecure-skip-tls-verify'?: unknown;
}

interface KubeconfigUser {
  token?: unknown;
  tokenFile?: unknown;
  'client-certificate'?: unknown;
  'client-certificate-data'?: unknown;
  'client-key'?: unknown;
  'client-key-data'?: unknown;
  exec?: unknown;
  'auth-provider'?: unknown;
  username?: unknown;
}

const asString = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function entryNamed<T>(document: Record<string, unknown>, listField: string, itemField: string, name: string, source: string): T {
  const list = document[listField];
  const entry = Array.isArray(list) ? (list as Record<string, unknown>[]).find((candidate) => candidate.name === name) : undefined;
  const item = entry?.[itemField];
  if (typeof item !== 'object' || item === null)
    throw new KubeCredentialsError(source, `no ${itemField} named ${JSON.stringify(name)} in ${listField}`);
  return item as T;
}

/** Inline base64 data wins over a file path; relative paths are relative to the kubeconfig, as kubectl reads them. */
function pemFrom(data: unknown, path: unknown, baseDirectory: string, source: string, what: string): Buffer | undefined {
  const inline = asString(data);
  if (inline !== undefined) return Buffer.from(inline, 'base64');
  const file = asString(path);
  if (file === undefined) return undefined;
  const resolved = isAbsolute(file) ? file : join(baseDirectory, file);
  try {
    return readFileSync(resolved);
  } catch (error) {
    throw new KubeCredentialsError(
      source,
      `cannot read the ${what} ${resolved}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * Reads the current context of a kubeconfig file: the cluster's server and TLS settings and the user's token or
 * client certificate. Credential plugins (`exec`, `auth-provider`) and basic auth are refused, naming the user.
 * @example loadKubeconfig('/home/ops/.kube/config').server.href // 'https://10.0.0.1:6443/'
 */
export function loadKubeconfig(path: string): KubeCredentials {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new KubeCredentialsError(path, `cannot read the kubeconfig: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof document !== 'object' || document === null) throw new KubeCredentialsError(path, 'the kubeconfig is not a YAML mapping');
  const config = document as Record<string, unknown>;
  const contextName = asString(config['current-context']);
  if (contextName === undefined) throw new KubeCredentialsError(path, 'the kubeconfig has no current-context');
  const context = entryNamed<{ cluster?: unknown; user?: unknown }>(config, 'contexts', 'context', contextName, path);
  const clusterName = asString(context.cluster);
  if (clusterName === undefined) throw new KubeCredentialsError(path, `context ${JSON.stringify(contextName)} names no cluster`);
  const cluster = entryNamed<KubeconfigCluster>(config, 'clusters', 'cluster', clusterName, path);
  const userName = asString(context.user);
  const user: KubeconfigUser = userName === undefined ? {} : entryNamed<KubeconfigUser>(config, 'users', 'user', userName, path);

  const unsupported = (['exec', 'auth-provider', 'username'] as const).filter((field) => user[field] !== undefined);
  if (unsupported.length > 0) {
    const names = unsupported.map((field) => (field === 'username' ? 'basic auth (username/password)' : `${field} credential plugins`));
    throw new KubeCredentialsError(
      path,
      `user ${JSON.stringify(userName)} uses ${names.join(' and ')}, which the agent does not support; give it a token, tokenFile or client certificate`,
    );
  }
  const serverText = asString(cluster.server);
  if (serverText === undefined) throw new KubeCredentialsError(path, `cluster ${JSON.stringify(clusterName)} has no server`);
  let server: URL;
  try {
    server = new URL(serverText);
  } catch {
    throw new KubeCredentialsError(path, `cluster ${JSON.stringify(clusterName)} has an invalid server ${JSON.stringify(serverText)}`);
  }

  const base = dirname(path);
  const tokenValue = asString(user.token);
  const tokenFile = asString(user.tokenFile);
  return {
    server,
    ca: pemFrom(cluster['certificate-authority-data'], cluster['certificate-authority'], base, path, 'certificate authority'),
    clientCertificate: pemFrom(user['client-certificate-data'], user['client-certificate'], base, path, 'client certificate'),
    clientKey: pemFrom(user['client-key-data'], user['client-key'], base, path, 'client key'),
    skipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    token:
      tokenValue !== undefined
        ? { kind: 'value', token: tokenValue }
        : tokenFile !== undefined
          ? { kind: 'file', path: isAbsolute(tokenFile) ? tokenFile : join(base, tokenFile) }
          : { kind: 'none' },
  };
}

/**
 * The credentials of the pod's service account: the API server from `KUBERNETES_SERVICE_HOST`/`_PORT`, its CA and
 * the projected token (read again as it rotates).
 * @example loadInClusterCredentials({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }).server.href
 * // 'https://10.96.0.1/'
 */
export function loadInClusterCredentials(env: Record<string, string | undefined>, directory = SERVICE_ACCOUNT_DIRECTORY): KubeCredentials {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port)
    throw new KubeCredentialsError(
      directory,
      'KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set to use the in-cluster service account',
    );
  const tokenPath = join(directory, 'token');
  if (!existsSync(tokenPath)) throw new KubeCredentialsError(directory, 'no service account token is mounted');
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return {
    server: new URL(`https://${hostInUrl}:${port}`),
    ca: pemFrom(undefined, join(directory, 'ca.crt'), directory, directory, 'certificate authority'),
    clientCertificate: undefined,
    clientKey: undefined,
    skipTlsVerify: false,
    token: { kind: 'file', path: tokenPath },
  };
}

/**
 * The kubeconfig at `path` when given; otherwise `~/.kube/config` when it exists, else the in-cluster service account.
 * @example loadKubeCredentials(process.env.KUBECONFIG, process.env)
 */
export function loadKubeCredentials(path: string | undefined, env: Record<string, string | undefined>): KubeCredentials {
  if (path !== undefined) return loadKubeconfig(path);
  const home = env.HOME ?? homedir();
  const userConfig = join(home, '.kube', 'config');
  return existsSync(userConfig) ? loadKubeconfig(userConfig) : loadInClusterCredentials(env);
}

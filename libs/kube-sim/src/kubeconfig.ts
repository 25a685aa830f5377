import { parse, stringify } from 'yaml';

/**
 * A kubeconfig for one simulated cluster with a bearer token. Over https it trusts the simulator's certificate
 * (`certificateAuthority`, PEM); over plain http it sets `insecure-skip-tls-verify`, as the official client refuses
 * http otherwise, and kubectl sends it no credentials at all.
 * @example kubeconfigYaml('staging', 'https://127.0.0.1:6443/clusters/staging', 't0k3n', certificatePem) // current-context: staging
 */
export function kubeconfigYaml(clusterName: string, server: string, token: string, certificateAuthority?: string): string {
  const user = `${clusterName}-admin`;
  const trust =
    certificateAuthority === undefined
      ? { 'insecure-skip-tls-verify': true }
      : { 'certificate-authority-data': Buffer.from(certificateAuthority).toString('base64') };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster: { server, ...trust } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: clusterName, context: { cluster: clusterName, user, namespace: 'default' } }],
    'current-context': clusterName,
    preferences: {},
  });
}

/** How to reach a simulated cluster, as a kubeconfig written by `kubeconfigYaml` says it. */
export interface SimulatorAccess {
  server: string;
  token: string;
  /** PEM of the certificate to trust, for an https server. */
  certificateAuthority: string | undefined;
}

/** The server, token and trusted certificate of a kubeconfig `kubeconfigYaml` wrote; `undefined` when it names no server or token. */
export function readKubeconfig(text: string): SimulatorAccess | undefined {
  const kubeconfig = parse(text) as {
    clusters?: { cluster?: { server?: string; 'certificate-authority-data'?: string } }[];
    users?: { user?: { token?: string } }[];
  } | null;
  const cluster = kubeconfig?.clusters?.[0]?.cluster;
  const token = kubeconfig?.users?.[0]?.user?.token;
  if (!cluster?.server || !token) return undefined;
  const authority = cluster['certificate-authority-data'];
  return {
    server: cluster.server,
    token,
    certificateAuthority: authority === undefined ? undefined : Buffer.from(authority, 'base64').toString('utf8'),
  };
}

import { stringify } from 'yaml';

/**
 * A kubeconfig for one simulated cluster: plain http, so `insecure-skip-tls-verify` is set (the official client
 * refuses http otherwise), and a bearer token.
 * @example kubeconfigYaml('staging', 'http://127.0.0.1:6443/clusters/staging', 't0k3n') // current-context: staging
 */
export function kubeconfigYaml(clusterName: string, server: string, token: string): string {
  const user = `${clusterName}-admin`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: clusterName, context: { cluster: clusterName, user, namespace: 'default' } }],
    'current-context': clusterName,
    preferences: {},
  });
}

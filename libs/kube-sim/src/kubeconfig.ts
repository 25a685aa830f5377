import { stringify } from 'yaml';

/**
 * A kubeconfig for one simulated cluster with a bearer token. Over https it trusts the simulator's certificate
 * (`certificateAuthority`, PEM); over plain http it sets `insecure-skip-tls-verify`, as the official client refuses
 * http otherwise, and kubectl sends it no credentials at all.
 * @example kubeconfigYaml('staging', 'https://127.0.0.1:6443/clusters/staging', 't0k3n', certificatePem) // current-context: staging
 */
export function kubeconfigYaml(clusterName: string, server: string, token: string, certificateAuthority?: string): string {
  const user = `${clusterName}-admin`;
  const trust = certificateAuthority === undefined ? { 'insecure-skip-tls-verify': true } : { 'certificate-authority-data': Buffer.from(certificateAuthority).toString('base64') };
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

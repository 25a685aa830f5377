import { graphqlData } from './graphql-client.js';
import { canaryRollout, toYaml } from './manifests.js';

const REGISTER = 'mutation($name: String!, $labels: JSON) { registerCluster(name: $name, labels: $labels) { agentToken } }';
const APPLY = 'mutation($yaml: String!) { applyManifests(yaml: $yaml) { action } }';
const APPLY_IN_SHOP =
  'mutation($cluster: String!, $yaml: String!) { applyManifests(cluster: $cluster, namespace: "shop", yaml: $yaml) { action } }';

interface OrganizationTokens {
  admin: string;
  deployer: string;
}

/**
 * Clusters `staging` and `prod` (labelled `env` as named) registered, with the canary Rollouts `rollouts` of image
 * `shop/app:1` in namespace `shop` of each, and the organization's notification ConfigMap: the webhook service `hooks`
 * (a port nothing answers) and the keys of `configuration`.
 */
export async function notifyingOrganization(
  url: string,
  tokens: OrganizationTokens,
  rollouts: readonly string[],
  configuration: Readonly<Record<string, string>> = {},
): Promise<void> {
  for (const cluster of ['staging', 'prod']) {
    await graphqlData(url, tokens.admin, REGISTER, { name: cluster, labels: { env: cluster } });
    for (const name of rollouts)
      await graphqlData(url, tokens.deployer, APPLY_IN_SHOP, { cluster, yaml: toYaml(canaryRollout(name, 'shop/app:1')) });
  }
  const configMap = toYaml({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'argo-rollouts-notification-configmap' },
    data: { 'service.webhook.hooks': 'url: http://127.0.0.1:9/hooks\n', ...configuration },
  });
  await graphqlData(url, tokens.admin, APPLY, { yaml: configMap });
}

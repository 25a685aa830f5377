import { fileURLToPath } from 'node:url';

/** `deploy/demo/`, from the sources and from the build alike. */
export const DEMO_DIRECTORY = fileURLToPath(new URL('../../../deploy/demo/', import.meta.url));

/**
 * One application of the demo in one cluster, from a folder of `deploy/demo`: `cluster.yaml` holds the team's own
 * objects (namespace, Services, Ingress), created in the simulated cluster; `rollouts.yaml` the Rollouts, applied
 * through Flotilla, and where there are, `analysis.yaml` the AnalysisTemplates they name and `experiments.yaml`
 * standalone Experiments. All live in `namespace`.
 */
export interface DemoApplication {
  namespace: string;
  folder: string;
}

export interface DemoCluster {
  /** The cluster's name in the simulator (its kubeconfig is `kube/<name>.yaml`) and in Flotilla. */
  name: string;
  /** Given at registration: what the FleetRollouts' selectors match. */
  labels: Readonly<Record<string, string>>;
  applications: readonly DemoApplication[];
}

/** guestbook, released cluster by cluster: a canary behind NGINX in staging, blue-green in production. */
const guestbook = (cluster: 'staging' | 'production'): DemoApplication => ({ namespace: 'guestbook', folder: `guestbook/${cluster}` });
/** podinfo, the same Rollout in every cluster, released across the fleet by its FleetRollout. */
const podinfo: DemoApplication = { namespace: 'podinfo', folder: 'podinfo' };

/** The simulated clusters `scripts/demo.sh` starts (its `CLUSTERS`, in this order), one agent each. */
export const DEMO_CLUSTERS: readonly DemoCluster[] = [
  { name: 'staging', labels: { env: 'staging', region: 'eu-west-1' }, applications: [guestbook('staging'), podinfo] },
  { name: 'production', labels: { env: 'prod', region: 'eu-west-1' }, applications: [guestbook('production'), podinfo] },
  { name: 'production-us', labels: { env: 'prod', region: 'us-east-1' }, applications: [podinfo] },
  { name: 'production-ap', labels: { env: 'prod', region: 'ap-southeast-1' }, applications: [podinfo] },
];

/** Files of organization-scoped documents (FleetRollouts), applied once every cluster has its Rollouts. */
export const DEMO_FLEET_FILES: readonly string[] = ['podinfo/fleet-rollout.yaml'];

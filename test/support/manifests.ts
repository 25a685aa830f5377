import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';

/** A YAML file of the Argo Rollouts documentation examples kept in libs/argo-spec/examples. */
export function exampleManifest(file: string): string {
  return readFileSync(new URL(`../../libs/argo-spec/examples/${file}`, import.meta.url), 'utf8');
}

export function parseYamlDocuments(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text).map((document) => document.toJS() as Record<string, unknown>);
}

export const toYaml = (...documents: unknown[]): string => documents.map((document) => stringify(document)).join('---\n');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests edit manifests freely, as a person editing YAML would
type ManifestValue = any;
export type Manifest = { [key: string]: ManifestValue };

/** A manifest with the metadata every Kubernetes object carries. */
export interface NamedManifest extends Manifest {
  metadata: Manifest & { name: string };
}

/** A rollout as `canaryRollout` builds it: the objects tests reach into are named, and each stays open to any edit. */
export interface RolloutManifest extends NamedManifest {
  metadata: Manifest & { name: string; labels: Manifest };
  spec: Manifest & {
    selector: Manifest & { matchLabels: Manifest };
    strategy: Manifest & { canary: Manifest & { steps: ManifestValue[] } };
    template: Manifest & { spec: Manifest & { containers: [Manifest, ...Manifest[]] } };
  };
}

/** The parts of a canary Rollout manifest that tests edit. */
export interface CanaryManifestSpec {
  replicas: number;
  strategy: { canary: { steps: [Record<string, unknown>, ...Record<string, unknown>[]] } };
}

/** The spec of a manifest made by `canaryRollout`, typed for editing. */
export const canarySpec = (rollout: Manifest): CanaryManifestSpec => rollout.spec as CanaryManifestSpec;

/** The canary of Argo's getting-started guide: 5 replicas, steps 20 / pause / 40 / pause 10s / 60 / 80. */
export function canaryRollout(name = 'rollouts-demo', image = 'argoproj/rollouts-demo:blue'): RolloutManifest {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 5,
      strategy: {
        canary: {
          steps: [
            { setWeight: 20 },
            { pause: {} },
            { setWeight: 40 },
            { pause: { duration: '10s' } },
            { setWeight: 60 },
            { setWeight: 80 },
          ],
        },
      },
      revisionHistoryLimit: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image, ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }] },
      },
    },
  };
}

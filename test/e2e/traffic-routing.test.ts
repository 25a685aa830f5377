import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eNamespace, POD_TEMPLATE_HASH_LABEL } from '../support/e2e-rollouts.js';
import { E2eSystem } from '../support/e2e-system.js';
import { canaryRollout, toYaml, type Manifest } from '../support/manifests.js';
import type { SimulatedObject } from '../support/simulator-client.js';

let system: E2eSystem;

beforeAll(async () => {
  system = await E2eSystem.start();
});
afterAll(async () => {
  await system?.stop();
});

const WEIGHTS = [20, 50, 80];

/** A canary that pauses after each weight, so that the test can read the router at every step. */
function routedCanary(name: string, image: string, trafficRouting: object, services: { canaryService?: string; stableService?: string }): Manifest {
  const rollout = canaryRollout(name, image);
  rollout.spec.strategy.canary = { ...services, trafficRouting, steps: WEIGHTS.flatMap((weight) => [{ setWeight: weight }, { pause: {} }]) };
  return rollout;
}

const service = (name: string): SimulatedObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } });

/**
 * Releases `web:2` over `web:1` and, at each pause, reads the weight the router serves; returns the weights seen,
 * step by step, and the final weight once the rollout is Healthy.
 */
async function weightsServed(space: E2eNamespace, manifest: (image: string) => Manifest, servedWeight: () => Promise<number | undefined>): Promise<{ atSteps: (number | undefined)[]; final: number | undefined; canaryHash: string }> {
  await space.applyManifests(toYaml(manifest('shop/web:1')));
  await space.waitForPhase('web', 'Healthy');
  await space.setImage('web', 'web', 'shop/web:2');
  const atSteps: (number | undefined)[] = [];
  let canaryHash = '';
  for (const [index, weight] of WEIGHTS.entries()) {
    const paused = await space.waitForPhase('web', 'Paused', (rollout) => rollout.currentStepIndex === index * 2 + 1);
    canaryHash = paused.status?.currentPodHash ?? '';
    await space.waitFor('web', `to serve ${weight}% to the canary`, async () => (await servedWeight()) === weight, 10_000).catch(() => undefined);
    atSteps.push(await servedWeight());
    await space.operate('promote', 'web');
  }
  await space.waitForPhase('web', 'Healthy', (rollout) => rollout.currentStepIndex === WEIGHTS.length * 2);
  await space.waitFor('web', 'to send every request to stable', async () => (await servedWeight()) === 0, 10_000).catch(() => undefined);
  return { atSteps, final: await servedWeight(), canaryHash };
}

describe.concurrent('traffic-routed canaries across the API, workers, agent and cluster', { timeout: 90_000 }, () => {
  it('NGINX: the canary Ingress carries each step’s weight, and the stable Ingress is left alone', async () => {
    // Given the team's Services and stable Ingress
    const space = await E2eNamespace.create(system, 'staging', 'nginx');
    const stableIngress: SimulatedObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
      spec: { ingressClassName: 'nginx', rules: [{ host: 'web.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web-stable', port: { number: 80 } } } }] } }] },
    };
    await space.seed(service('web-stable'), service('web-canary'), stableIngress);
    const before = await space.kube.get('Ingress', space.namespace, 'web');
    const canaryWeight = async () => {
      const weight = (await space.kube.get('Ingress', space.namespace, 'web-web-canary'))?.metadata.annotations?.['nginx.ingress.kubernetes.io/canary-weight'];
      return weight === undefined ? undefined : Number(weight);
    };

    // When a new image is released through the steps 20 / 50 / 80
    const served = await weightsServed(space, (image) => routedCanary('web', image, { nginx: { stableIngress: 'web' } }, { canaryService: 'web-canary', stableService: 'web-stable' }), canaryWeight);

    // Then at each step the canary Ingress sends that share to the canary Service, and none once it is stable
    expect(served.atSteps).toEqual(WEIGHTS);
    expect(served.final).toBe(0);
    const canaryIngress = await space.kube.get('Ingress', space.namespace, 'web-web-canary');
    expect(canaryIngress?.metadata.annotations?.['nginx.ingress.kubernetes.io/canary']).toBe('true');
    expect(canaryIngress?.spec.rules[0].http.paths[0].backend.service.name).toBe('web-canary');
    expect((await space.kube.get('Ingress', space.namespace, 'web'))?.spec).toEqual(before?.spec);
    expect((await space.serviceSelector('web-stable'))?.[POD_TEMPLATE_HASH_LABEL]).toBe(served.canaryHash);
  });

  it('Istio: the VirtualService route weights follow each step, and the DestinationRule subsets select each side', async () => {
    // Given the team's DestinationRule with stable and canary subsets, and a VirtualService splitting between them
    const space = await E2eNamespace.create(system, 'production', 'istio');
    await space.seed(
      service('web'),
      {
        apiVersion: 'networking.istio.io/v1beta1',
        kind: 'DestinationRule',
        metadata: { name: 'web-destrule' },
        spec: { host: 'web', subsets: [{ name: 'canary', labels: { app: 'web' } }, { name: 'stable', labels: { app: 'web' } }] },
      },
      {
        apiVersion: 'networking.istio.io/v1beta1',
        kind: 'VirtualService',
        metadata: { name: 'web-vsvc' },
        spec: {
          hosts: ['web.example'],
          http: [{ name: 'primary', route: [{ destination: { host: 'web', subset: 'stable' }, weight: 100 }, { destination: { host: 'web', subset: 'canary' }, weight: 0 }] }],
        },
      },
    );
    const routeWeights = async (): Promise<Record<string, number>> => {
      const route = (await space.kube.get('VirtualService', space.namespace, 'web-vsvc'))?.spec.http[0].route as { destination: { subset: string }; weight: number }[];
      return Object.fromEntries(route.map((destination) => [destination.destination.subset, destination.weight]));
    };
    const trafficRouting = { istio: { virtualService: { name: 'web-vsvc', routes: ['primary'] }, destinationRule: { name: 'web-destrule', canarySubsetName: 'canary', stableSubsetName: 'stable' } } };

    // When a new image is released through the steps 20 / 50 / 80
    const served = await weightsServed(space, (image) => routedCanary('web', image, trafficRouting, {}), async () => {
      const weights = await routeWeights();
      // Both sides always add up to the whole.
      return weights.canary !== undefined && weights.canary + (weights.stable ?? 0) === 100 ? weights.canary : undefined;
    });

    // Then at each step the canary subset gets that weight, and none once it is stable
    expect(served.atSteps).toEqual(WEIGHTS);
    expect(served.final).toBe(0);
    const subsets = (await space.kube.get('DestinationRule', space.namespace, 'web-destrule'))?.spec.subsets as { name: string; labels: Record<string, string> }[];
    expect(subsets.map((subset) => [subset.name, subset.labels[POD_TEMPLATE_HASH_LABEL]])).toEqual([
      ['canary', served.canaryHash],
      ['stable', served.canaryHash],
    ]);
  });
});

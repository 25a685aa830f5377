import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eNamespace, POD_TEMPLATE_HASH_LABEL } from '../support/e2e-rollouts.js';
import { E2eSystem } from '../support/e2e-system.js';
import { toYaml, type Manifest } from '../support/manifests.js';

let system: E2eSystem;

beforeAll(async () => {
  system = await E2eSystem.start();
});
afterAll(async () => {
  await system?.stop();
});

const SCALE_DOWN_DELAY_SECONDS = 3;

function blueGreenRollout(name: string, image: string): Manifest {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name },
    spec: {
      replicas: 3,
      revisionHistoryLimit: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image, ports: [{ containerPort: 8080 }] }] } },
      strategy: { blueGreen: { activeService: `${name}-active`, previewService: `${name}-preview`, autoPromotionEnabled: false, scaleDownDelaySeconds: SCALE_DOWN_DELAY_SECONDS } },
    },
  };
}

const service = (name: string, app: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app }, ports: [{ port: 80, targetPort: 8080 }] } });

describe('blue-green releases across the API, workers, agent and cluster', { timeout: 90_000 }, () => {
  it('previews the new pods, switches the active Service on promote, and scales the old ones down after the delay', async () => {
    // Given the team's active and preview Services, and a blue-green rollout released at v1 in production
    const space = await E2eNamespace.create(system, 'production', 'blue-green');
    await space.seed(service('checkout-active', 'checkout'), service('checkout-preview', 'checkout'));
    await space.applyManifests(toYaml(blueGreenRollout('checkout', 'shop/checkout:1')));
    const first = await space.waitForPhase('checkout', 'Healthy');
    const blue = first.status?.stableRS ?? '';
    await space.waitFor('checkout', 'to serve v1 from the active Service', async () => (await space.serviceSelector('checkout-active'))?.[POD_TEMPLATE_HASH_LABEL] === blue);

    // When the image is set to v2
    await space.setImage('checkout', 'checkout', 'shop/checkout:2');

    // Then the preview Service selects the new pods while the active Service stays on the old ones
    const paused = await space.waitForPhase('checkout', 'Paused');
    const green = paused.status?.currentPodHash ?? '';
    expect(green).not.toBe(blue);
    await space.waitFor('checkout', 'to preview v2', async () => (await space.serviceSelector('checkout-preview'))?.[POD_TEMPLATE_HASH_LABEL] === green);
    expect(await space.serviceSelector('checkout-active')).toEqual({ app: 'checkout', [POD_TEMPLATE_HASH_LABEL]: blue });
    await space.waitFor('checkout', 'to run both colours in full', async () => isDeepStrictEqual(await space.readyPodsByHash('checkout'), { [blue]: 3, [green]: 3 }));

    // When it is promoted
    await space.operate('promote', 'checkout');

    // Then the active Service switches to the new pods, and the old ones stay up for the scale-down delay
    await space.waitFor('checkout', 'to serve v2 from the active Service', async () => (await space.serviceSelector('checkout-active'))?.[POD_TEMPLATE_HASH_LABEL] === green);
    const switchedAt = Date.now();
    expect((await space.replicaSets('checkout')).find((replicaSet) => replicaSet.hash === blue)?.replicas).toBe(3);
    const healthy = await space.waitForPhase('checkout', 'Healthy');
    expect(healthy.status?.stableRS).toBe(green);

    // And after the delay the old ReplicaSet is scaled to zero
    await space.waitFor('checkout', 'to scale v1 down', async () => (await space.replicaSets('checkout')).find((replicaSet) => replicaSet.hash === blue)?.replicas === 0, 20_000);
    expect(Date.now() - switchedAt).toBeGreaterThanOrEqual((SCALE_DOWN_DELAY_SECONDS - 1) * 1000);
    await space.waitFor('checkout', 'to run v2 pods only', async () => isDeepStrictEqual(await space.readyPodsByHash('checkout'), { [green]: 3 }));
    expect(await space.serviceSelector('checkout-preview')).toEqual({ app: 'checkout', [POD_TEMPLATE_HASH_LABEL]: green });
  });
});

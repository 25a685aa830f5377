import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POD_TEMPLATE_HASH_LABEL } from '@flotilla/protocol';
import { E2eNamespace } from '../support/e2e-rollouts.js';
import { E2eSystem } from '../support/e2e-system.js';
import { canaryRollout, toYaml, type Manifest } from '../support/manifests.js';
import type { SimulatedObject } from '../support/simulator-client.js';
import type { V1IngressSpec } from '@kubernetes/client-node';

// One system for every release scenario of this file: starting the processes costs more than most scenarios,
// and each scenario has its own namespace, so they run side by side.
let system: E2eSystem;

beforeAll(async () => {
  system = await E2eSystem.start();
});
afterAll(async () => {
  await system?.stop();
});

/** The getting-started canary with shorter timed pauses, for scenarios that are not about timing. */
function quickCanary(
  name: string,
  image: string,
  edit: (rollout: ReturnType<typeof canaryRollout>) => void = () => {},
): ReturnType<typeof canaryRollout> {
  const rollout = canaryRollout(name, image);
  rollout.spec.strategy.canary.steps = [
    { setWeight: 20 },
    { pause: {} },
    { setWeight: 40 },
    { pause: { duration: '2s' } },
    { setWeight: 60 },
    { setWeight: 80 },
  ];
  edit(rollout);
  return rollout;
}

/** A rollout released once, Healthy with every pod of its first revision ready in the cluster. */
async function released(
  prefix: string,
  manifest: Manifest & { metadata: { name: string } },
): Promise<{ space: E2eNamespace; stableHash: string }> {
  const space = await E2eNamespace.create(system, 'staging', prefix);
  await space.applyManifests(toYaml(manifest));
  const healthy = await space.waitForPhase(manifest.metadata.name, 'Healthy');
  const stableHash = healthy.status?.stableRS ?? '';
  await space.waitFor(manifest.metadata.name, 'to run every pod of its first revision', async () =>
    isDeepStrictEqual(await space.readyPodsByHash(manifest.metadata.name), { [stableHash]: 5 }),
  );
  return { space, stableHash };
}

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
      strategy: {
        blueGreen: {
          activeService: `${name}-active`,
          previewService: `${name}-preview`,
          autoPromotionEnabled: false,
          scaleDownDelaySeconds: SCALE_DOWN_DELAY_SECONDS,
        },
      },
    },
  };
}

const appService = (name: string, app: string): SimulatedObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { selector: { app }, ports: [{ port: 80, targetPort: 8080 }] },
});

const WEIGHTS = [20, 50, 80];

/** A canary that pauses after each weight, so that the test can read the router at every step. */
function routedCanary(
  name: string,
  image: string,
  trafficRouting: object,
  services: { canaryService?: string; stableService?: string },
): Manifest {
  const rollout = canaryRollout(name, image);
  rollout.spec.strategy.canary = {
    ...services,
    trafficRouting,
    steps: WEIGHTS.flatMap((weight) => [{ setWeight: weight }, { pause: {} }]),
  };
  return rollout;
}

const webService = (name: string): SimulatedObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
});

/**
 * Releases `web:2` over `web:1` and, at each pause, reads the weight the router serves; returns the weights seen,
 * step by step, and the final weight once the rollout is Healthy.
 */
async function weightsServed(
  space: E2eNamespace,
  manifest: (image: string) => Manifest,
  servedWeight: () => Promise<number | undefined>,
): Promise<{ atSteps: (number | undefined)[]; final: number | undefined; canaryHash: string }> {
  await space.applyManifests(toYaml(manifest('shop/web:1')));
  await space.waitForPhase('web', 'Healthy');
  await space.setImage('web', 'web', 'shop/web:2');
  const atSteps: (number | undefined)[] = [];
  let canaryHash = '';
  for (const [index, weight] of WEIGHTS.entries()) {
    const paused = await space.waitForPhase('web', 'Paused', (rollout) => rollout.currentStepIndex === index * 2 + 1);
    canaryHash = paused.status?.currentPodHash ?? '';
    await space
      .waitFor('web', `to serve ${weight}% to the canary`, async () => (await servedWeight()) === weight, 10_000)
      .catch(() => undefined);
    atSteps.push(await servedWeight());
    await space.operate('promote', 'web');
  }
  await space.waitForPhase('web', 'Healthy', (rollout) => rollout.currentStepIndex === WEIGHTS.length * 2);
  await space.waitFor('web', 'to send every request to stable', async () => (await servedWeight()) === 0, 10_000).catch(() => undefined);
  return { atSteps, final: await servedWeight(), canaryHash };
}

describe.concurrent('releasing software across the API, workers, agents and the simulated clusters', { timeout: 120_000 }, () => {
  describe('canary', () => {
    it('steps through 20 / pause / 40 / pause 10s / 60 / 80 to a new stable revision', async () => {
      // Given the getting-started rollout released at blue
      const { space, stableHash } = await released('getting-started', canaryRollout('rollouts-demo', 'argoproj/rollouts-demo:blue'));

      // When the image is set to yellow
      await space.setImage('rollouts-demo', 'rollouts-demo', 'argoproj/rollouts-demo:yellow');

      // Then it pauses at the indefinite pause with one canary and four stable pods running
      const paused = await space.waitForPhase('rollouts-demo', 'Paused', (rollout) => rollout.currentStepIndex === 1);
      const canaryHash = paused.status?.currentPodHash ?? '';
      expect(canaryHash).not.toBe(stableHash);
      await space.waitFor('rollouts-demo', 'to run 1 canary and 4 stable pods', async () =>
        isDeepStrictEqual(await space.readyPodsByHash('rollouts-demo'), { [stableHash]: 4, [canaryHash]: 1 }),
      );
      expect(await space.replicaSets('rollouts-demo')).toEqual(
        expect.arrayContaining([
          { hash: stableHash, image: 'argoproj/rollouts-demo:blue', replicas: 4, readyReplicas: 4 },
          { hash: canaryHash, image: 'argoproj/rollouts-demo:yellow', replicas: 1, readyReplicas: 1 },
        ]),
      );

      // When it is promoted
      await space.operate('promote', 'rollouts-demo');

      // Then it holds at the 10 s pause for its whole duration, with two canary pods of five
      const timedPause = await space.waitForPhase('rollouts-demo', 'Paused', (rollout) => rollout.currentStepIndex === 3, 30_000);
      await space.waitFor('rollouts-demo', 'to run 2 canary and 3 stable pods', async () =>
        isDeepStrictEqual(await space.readyPodsByHash('rollouts-demo'), { [stableHash]: 3, [canaryHash]: 2 }),
      );
      await space.waitFor('rollouts-demo', 'to leave the 10 s pause', (rollout) => (rollout.currentStepIndex ?? 0) > 3, 30_000);
      const pauseStartedAt = Date.parse(timedPause.status?.pauseConditions?.[0]?.startTime ?? '');
      const pauseEndedAt = Date.parse((await space.completedSteps('rollouts-demo')).find((step) => step.stepIndex === 3)?.occurredAt ?? '');
      expect(pauseEndedAt - pauseStartedAt).toBeGreaterThanOrEqual(10_000);

      // And it ends Healthy with yellow as the stable revision on all five pods and blue scaled away
      const healthy = await space.waitForPhase('rollouts-demo', 'Healthy', (rollout) => rollout.currentStepIndex === 6, 30_000);
      expect(healthy.status?.stableRS).toBe(canaryHash);
      await space.waitFor('rollouts-demo', 'to run 5 yellow pods only', async () =>
        isDeepStrictEqual(await space.readyPodsByHash('rollouts-demo'), { [canaryHash]: 5 }),
      );
      expect((await space.replicaSets('rollouts-demo')).find((replicaSet) => replicaSet.hash === stableHash)?.replicas).toBe(0);
      expect(await space.revisions('rollouts-demo')).toEqual([
        { revision: 2, images: ['argoproj/rollouts-demo:yellow'], outcome: 'Healthy' },
        { revision: 1, images: ['argoproj/rollouts-demo:blue'], outcome: 'Healthy' },
      ]);
    });

    it('aborts back to the stable pods, stays Degraded, and rolls back without steps when the image is reverted', async () => {
      // Given a rollout paused at its first pause with one canary pod
      const { space, stableHash } = await released('abort', quickCanary('cart', 'shop/cart:1'));
      await space.setImage('cart', 'cart', 'shop/cart:2');
      const paused = await space.waitForPhase('cart', 'Paused', (rollout) => rollout.currentStepIndex === 1);
      const canaryHash = paused.status?.currentPodHash ?? '';

      // And the API reports its status in typed fields: the step, the weights and why it is paused
      const midCanary = await space.progress('cart');
      expect(midCanary.progress).toMatchObject({
        currentStep: { index: 1, count: 6, step: { index: 1, description: 'Pause until promoted', state: 'current' } },
        weights: { setWeight: 20, actualWeight: 20, canary: null, stable: null },
        replicas: { desired: 5, updated: 1 },
        pause: { paused: true, specPaused: false, conditions: [{ reason: 'CanaryPauseStep' }] },
        abort: { aborted: false, message: null, abortedAt: null },
        podTemplateHashes: { current: canaryHash, stable: stableHash },
      });
      expect(Date.parse(midCanary.progress.pause.conditions[0]?.startTime ?? '')).not.toBeNaN();
      expect(midCanary.revisionRoles).toEqual([
        { podTemplateHash: canaryHash, roles: ['canary'] },
        { podTemplateHash: stableHash, roles: ['stable'] },
      ]);

      // When it is aborted
      await space.operate('abort', 'cart');

      // Then stable is back at full size, the canary has no pods, and the rollout is Degraded
      const degraded = await space.waitForPhase('cart', 'Degraded');
      expect(degraded.message).toMatch(/abort/i);
      const aborted = (await space.progress('cart')).progress;
      expect(aborted).toMatchObject({
        weights: { setWeight: 0 },
        abort: { aborted: true, message: expect.stringMatching(/abort/i) as unknown },
      });
      expect(Date.parse(aborted.abort.abortedAt ?? '')).not.toBeNaN();
      expect(aborted.conditions).toContainEqual(
        expect.objectContaining({ type: 'Progressing', status: 'False', reason: 'RolloutAborted' }),
      );
      await space.waitFor('cart', 'to run 5 stable pods only', async () =>
        isDeepStrictEqual(await space.readyPodsByHash('cart'), { [stableHash]: 5 }),
      );
      expect((await space.replicaSets('cart')).find((replicaSet) => replicaSet.hash === canaryHash)?.replicas).toBe(0);

      // And it stays Degraded while the spec still names the aborted image
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await space.rollout('cart')).phase).toBe('Degraded');

      // When the image is set back to the stable one
      await space.setImage('cart', 'cart', 'shop/cart:1');

      // Then it is Healthy at once on the stable pods, no step having run, and no new ReplicaSet made
      const healthy = await space.waitForPhase('cart', 'Healthy', (rollout) => rollout.images[0] === 'shop/cart:1');
      expect(healthy.status?.stableRS).toBe(stableHash);
      expect(healthy.currentStepIndex).toBe(6);
      expect((await space.replicaSets('cart')).map((replicaSet) => replicaSet.hash).sort()).toEqual([stableHash, canaryHash].sort());
      expect(await space.readyPodsByHash('cart')).toEqual({ [stableHash]: 5 });
      const completed = await space.completedSteps('cart');
      expect(completed.map((step) => step.stepIndex).filter((index) => index > 1)).toEqual([]);
    });

    it('keeps its history true through abort, retry and promote --full, and undoes onto the first ReplicaSet', async () => {
      // Given a two-pod rollout that rolls back within one revision without steps, and an update paused at its first pause
      const till = quickCanary('till', 'shop/till:1', (rollout) =>
        Object.assign(rollout.spec, { replicas: 2, rollbackWindow: { revisions: 1 } }),
      );
      const space = await E2eNamespace.create(system, 'staging', 'undo');
      await space.applyManifests(toYaml(till));
      const firstHash = (await space.waitForPhase('till', 'Healthy')).status?.stableRS ?? '';
      await space.setImage('till', 'till', 'shop/till:2');
      const paused = await space.waitForPhase('till', 'Paused', (rollout) => rollout.currentStepIndex === 1);
      const secondHash = paused.status?.currentPodHash ?? '';
      const outcomes = async () => (await space.revisions('till')).map(({ revision, outcome }) => `${revision}:${outcome}`);

      // When it is aborted, the revision is Aborted; retried, it is in progress again
      await space.operate('abort', 'till');
      await space.waitForPhase('till', 'Degraded');
      expect(await outcomes()).toEqual(['2:Aborted', '1:Healthy']);
      await space.operate('retry', 'till');
      await space.waitForPhase('till', 'Paused', (rollout) => rollout.currentStepIndex === 1);
      expect(await outcomes()).toEqual(['2:Progressing', '1:Healthy']);

      // And promoted fully, it is Healthy at 100/100
      await space.promoteFully('till');
      await space.waitForPhase('till', 'Healthy', (rollout) => rollout.status?.stableRS === secondHash);
      expect(await outcomes()).toEqual(['2:Healthy', '1:Healthy']);
      expect((await space.progress('till')).progress).toMatchObject({ weights: { setWeight: 100, actualWeight: 100 } });

      // When it is undone to revision 1
      await space.undo('till', 1);

      // Then revision 3 runs on the first ReplicaSet, scaled back up: no new ReplicaSet, no step
      await space.waitForPhase('till', 'Healthy', (rollout) => rollout.status?.stableRS === firstHash);
      await space.waitFor('till', 'to run every pod on the first ReplicaSet', async () =>
        isDeepStrictEqual(await space.readyPodsByHash('till'), { [firstHash]: 2 }),
      );
      expect((await space.replicaSets('till')).map((replicaSet) => replicaSet.hash)).toEqual([firstHash, secondHash].sort());
      expect(await outcomes()).toEqual(['3:Healthy', '2:Healthy', '1:Healthy']);
    });

    it('goes Degraded with ProgressDeadlineExceeded when the new pods crash-loop', async () => {
      // Given a rollout with a 15 s progress deadline
      const { space, stableHash } = await released(
        'bad-image',
        quickCanary('search', 'shop/search:1', (rollout) => {
          rollout.spec.progressDeadlineSeconds = 15;
        }),
      );

      // When the new image crashes on start
      const updatedAt = Date.now();
      await space.setImage('search', 'search', 'shop/search:bad');

      // Then its pods crash-loop in the cluster, and the agent reports it to the control plane
      await space.waitFor('search', 'to have a crash-looping pod', async () =>
        (await space.pods('search')).some((pod) => pod.waitingReason === 'CrashLoopBackOff'),
      );
      await space.waitFor('search', 'to be reported crash-looping by the agent', async () => {
        const row = await system.database.rollout.findFirstOrThrow({
          where: { namespace: space.namespace, name: 'search' },
          select: { observed: true },
        });
        const observed = row.observed as { replicaSets: { podProblems: { reason: string }[] }[] } | null;
        return (observed?.replicaSets ?? []).some((replicaSet) =>
          replicaSet.podProblems.some((problem) => problem.reason === 'CrashLoopBackOff'),
        );
      });

      // And once the deadline has passed, not before, it is Degraded, while the stable pods keep serving
      const degraded = await space.waitForPhase('search', 'Degraded', () => true, 60_000);
      expect(degraded.message).toContain('ProgressDeadlineExceeded');
      const timedOut = degraded.status?.conditions?.find((condition) => condition.type === 'Progressing');
      expect(timedOut).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
      expect(Date.parse(timedOut?.lastTransitionTime ?? '') - updatedAt).toBeGreaterThanOrEqual(15_000);
      expect((await space.readyPodsByHash('search'))[stableHash]).toBeGreaterThanOrEqual(4);
    });
  });

  describe('blue-green', () => {
    it('previews the new pods, switches the active Service on promote, and scales the old ones down after the delay', async () => {
      // Given the team's active and preview Services, and a blue-green rollout released at v1 in production
      const space = await E2eNamespace.create(system, 'production', 'blue-green');
      await space.seed(appService('checkout-active', 'checkout'), appService('checkout-preview', 'checkout'));
      await space.applyManifests(toYaml(blueGreenRollout('checkout', 'shop/checkout:1')));
      const first = await space.waitForPhase('checkout', 'Healthy');
      const blue = first.status?.stableRS ?? '';
      await space.waitFor(
        'checkout',
        'to serve v1 from the active Service',
        async () => (await space.serviceSelector('checkout-active'))?.[POD_TEMPLATE_HASH_LABEL] === blue,
      );

      // When the image is set to v2
      await space.setImage('checkout', 'checkout', 'shop/checkout:2');

      // Then the preview Service selects the new pods while the active Service stays on the old ones
      const paused = await space.waitForPhase('checkout', 'Paused');
      const green = paused.status?.currentPodHash ?? '';
      expect(green).not.toBe(blue);
      await space.waitFor(
        'checkout',
        'to preview v2',
        async () => (await space.serviceSelector('checkout-preview'))?.[POD_TEMPLATE_HASH_LABEL] === green,
      );
      expect(await space.serviceSelector('checkout-active')).toEqual({ app: 'checkout', [POD_TEMPLATE_HASH_LABEL]: blue });
      await space.waitFor('checkout', 'to run both colours in full', async () =>
        isDeepStrictEqual(await space.readyPodsByHash('checkout'), { [blue]: 3, [green]: 3 }),
      );

      // When it is promoted
      await space.operate('promote', 'checkout');

      // Then the active Service switches to the new pods, and the old ones stay up for the scale-down delay
      await space.waitFor(
        'checkout',
        'to serve v2 from the active Service',
        async () => (await space.serviceSelector('checkout-active'))?.[POD_TEMPLATE_HASH_LABEL] === green,
      );
      const switchedAt = Date.now();
      expect((await space.replicaSets('checkout')).find((replicaSet) => replicaSet.hash === blue)?.replicas).toBe(3);
      const healthy = await space.waitForPhase('checkout', 'Healthy');
      expect(healthy.status?.stableRS).toBe(green);

      // And after the delay the old ReplicaSet is scaled to zero
      await space.waitFor(
        'checkout',
        'to scale v1 down',
        async () => (await space.replicaSets('checkout')).find((replicaSet) => replicaSet.hash === blue)?.replicas === 0,
        20_000,
      );
      expect(Date.now() - switchedAt).toBeGreaterThanOrEqual((SCALE_DOWN_DELAY_SECONDS - 1) * 1000);
      await space.waitFor('checkout', 'to run v2 pods only', async () =>
        isDeepStrictEqual(await space.readyPodsByHash('checkout'), { [green]: 3 }),
      );
      expect(await space.serviceSelector('checkout-preview')).toEqual({ app: 'checkout', [POD_TEMPLATE_HASH_LABEL]: green });
    });
  });

  describe('traffic-routed canary', () => {
    it('NGINX: the canary Ingress carries each step’s weight, and the stable Ingress is left alone', async () => {
      // Given the team's Services and stable Ingress
      const space = await E2eNamespace.create(system, 'staging', 'nginx');
      const stableIngress: SimulatedObject = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'web', annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
        spec: {
          ingressClassName: 'nginx',
          rules: [
            {
              host: 'web.example',
              http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web-stable', port: { number: 80 } } } }] },
            },
          ],
        },
      };
      await space.seed(webService('web-stable'), webService('web-canary'), stableIngress);
      const before = await space.kube.get('Ingress', space.namespace, 'web');
      const canaryWeight = async () => {
        const weight = (await space.kube.get('Ingress', space.namespace, 'web-web-canary'))?.metadata.annotations?.[
          'nginx.ingress.kubernetes.io/canary-weight'
        ];
        return weight === undefined ? undefined : Number(weight);
      };

      // When a new image is released through the steps 20 / 50 / 80
      const served = await weightsServed(
        space,
        (image) =>
          routedCanary('web', image, { nginx: { stableIngress: 'web' } }, { canaryService: 'web-canary', stableService: 'web-stable' }),
        canaryWeight,
      );

      // Then at each step the canary Ingress sends that share to the canary Service, and none once it is stable
      expect(served.atSteps).toEqual(WEIGHTS);
      expect(served.final).toBe(0);
      const canaryIngress = await space.kube.get<V1IngressSpec>('Ingress', space.namespace, 'web-web-canary');
      expect(canaryIngress?.metadata.annotations?.['nginx.ingress.kubernetes.io/canary']).toBe('true');
      expect(canaryIngress?.spec?.rules?.[0]?.http?.paths[0]?.backend.service?.name).toBe('web-canary');
      expect((await space.kube.get('Ingress', space.namespace, 'web'))?.spec).toEqual(before?.spec);
      expect((await space.serviceSelector('web-stable'))?.[POD_TEMPLATE_HASH_LABEL]).toBe(served.canaryHash);
    });

    it('Istio: the VirtualService route weights follow each step, and the DestinationRule subsets select each side', async () => {
      // Given the team's DestinationRule with stable and canary subsets, and a VirtualService splitting between them
      const space = await E2eNamespace.create(system, 'production', 'istio');
      await space.seed(
        webService('web'),
        {
          apiVersion: 'networking.istio.io/v1beta1',
          kind: 'DestinationRule',
          metadata: { name: 'web-destrule' },
          spec: {
            host: 'web',
            subsets: [
              { name: 'canary', labels: { app: 'web' } },
              { name: 'stable', labels: { app: 'web' } },
            ],
          },
        },
        {
          apiVersion: 'networking.istio.io/v1beta1',
          kind: 'VirtualService',
          metadata: { name: 'web-vsvc' },
          spec: {
            hosts: ['web.example'],
            http: [
              {
                name: 'primary',
                route: [
                  { destination: { host: 'web', subset: 'stable' }, weight: 100 },
                  { destination: { host: 'web', subset: 'canary' }, weight: 0 },
                ],
              },
            ],
          },
        },
      );
      const routeWeights = async (): Promise<Record<string, number>> => {
        const virtualService = await space.kube.get<{ http: { route: { destination: { subset: string }; weight: number }[] }[] }>(
          'VirtualService',
          space.namespace,
          'web-vsvc',
        );
        const route = virtualService?.spec?.http[0]?.route ?? [];
        return Object.fromEntries(route.map((destination) => [destination.destination.subset, destination.weight]));
      };
      const trafficRouting = {
        istio: {
          virtualService: { name: 'web-vsvc', routes: ['primary'] },
          destinationRule: { name: 'web-destrule', canarySubsetName: 'canary', stableSubsetName: 'stable' },
        },
      };

      // When a new image is released through the steps 20 / 50 / 80
      const served = await weightsServed(
        space,
        (image) => routedCanary('web', image, trafficRouting, {}),
        async () => {
          const weights = await routeWeights();
          // Both sides always add up to the whole.
          return weights.canary !== undefined && weights.canary + (weights.stable ?? 0) === 100 ? weights.canary : undefined;
        },
      );

      // Then at each step the canary subset gets that weight, and none once it is stable
      expect(served.atSteps).toEqual(WEIGHTS);
      expect(served.final).toBe(0);
      const destinationRule = await space.kube.get<{ subsets: { name: string; labels: Record<string, string> }[] }>(
        'DestinationRule',
        space.namespace,
        'web-destrule',
      );
      const subsets = destinationRule?.spec?.subsets ?? [];
      expect(subsets.map((subset) => [subset.name, subset.labels[POD_TEMPLATE_HASH_LABEL]])).toEqual([
        ['canary', served.canaryHash],
        ['stable', served.canaryHash],
      ]);
    });
  });
});

import { startKubeSim, type KubeSim } from '@flotilla/kube-sim';
import {
  EPHEMERAL_METADATA_ANNOTATION,
  EXPERIMENT_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  POD_TEMPLATE_HASH_LABEL,
  ROLLOUT_LABEL,
  type AgentMessage,
  type DesiredReplicaSet,
} from '@flotilla/protocol';
import type { PodTemplateMetadata } from '@flotilla/argo-spec';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PodObject, ReplicaSetObject, ServiceObject } from '../../apps/agent/src/kube/kube-object.js';
import { startAgentUnderTest, eventually, type AgentUnderTest } from './support/agent-harness.js';
import { canaryRollout, desiredReplicaSet } from '../../tools/src/agent-harness/desired-rollouts.js';

type Observed = Extract<AgentMessage, { type: 'observed' }>;

const CLUSTER = 'prod-eu';
let sim: KubeSim;
let running: AgentUnderTest | undefined;
let namespaceCounter = 0;

function nextNamespace(): string {
  const name = `scenario-${++namespaceCounter}`;
  sim.apply(CLUSTER, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

async function start(options?: Parameters<typeof startAgentUnderTest>[2]): Promise<AgentUnderTest> {
  running = await startAgentUnderTest(sim, CLUSTER, options);
  return running;
}

const replicaSet = (namespace: string, name: string): ReplicaSetObject | undefined =>
  sim.get<ReplicaSetObject>(CLUSTER, { kind: 'ReplicaSet', namespace, name });

function service(namespace: string, name: string, selector: Record<string, string>): void {
  sim.apply(CLUSTER, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector, ports: [{ port: 80 }] } });
}

const observedFor = (namespace: string, name: string, check: (message: Observed) => boolean) => (message: AgentMessage) =>
  message.type === 'observed' && message.rollout.namespace === namespace && message.rollout.name === name && check(message);

beforeAll(async () => {
  sim = await startKubeSim({ clusters: [CLUSTER], podReadyDelayMs: 40, crashLoopIntervalMs: 60 });
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
});

afterAll(async () => {
  await sim.stop();
});

describe('connection', () => {
  it('says hello with its version and the Kubernetes version, then sends heartbeats', async () => {
    const { controlPlane } = await start({ heartbeatIntervalSeconds: 1 });
    const hello = await controlPlane.waitFor((message) => message.type === 'hello');
    expect(hello).toMatchObject({
      type: 'hello',
      protocolVersion: 1,
      agentVersion: '0.1.0',
      kubernetesVersion: expect.stringMatching(/^v1\./) as unknown,
    });
    const heartbeat = await controlPlane.waitFor((message) => message.type === 'heartbeat', 3000);
    expect(Date.parse((heartbeat as Extract<AgentMessage, { type: 'heartbeat' }>).sentAt)).not.toBeNaN();
  });

  it('is refused with a wrong token, logs it as an error and keeps retrying slowly', async () => {
    const { controlPlane, logs, agent } = await start({ agentToken: 'stale-token' });
    await eventually(() => expect(controlPlane.refusals).toBeGreaterThanOrEqual(2), 5000);
    expect(controlPlane.connections).toBe(0);
    expect(agent.stats().connected).toBe(false);
    expect(logs.some((record) => record.level === 50 && record.status === 401)).toBe(true);
  });

  it('ignores frames it cannot decode and keeps working', async () => {
    const namespace = nextNamespace();
    const { controlPlane, logs } = await start();
    await controlPlane.waitFor((message) => message.type === 'hello');
    await eventually(() => expect(controlPlane.connected).toBe(true));
    controlPlane.sendRaw('{"type":"desired","desired":{}}');
    controlPlane.sendRaw('not json');
    controlPlane.publish(canaryRollout({ namespace, name: 'web', version: 1, stable: { hash: 'aaa111', replicas: 1 } }));
    await controlPlane.waitFor((message) => message.type === 'applied' && message.rollout.namespace === namespace);
    expect(logs.filter((record) => record.msg === 'ignoring an invalid frame from the control plane')).toHaveLength(2);
  });
});

describe('converging ReplicaSets', () => {
  it('creates the ReplicaSets of a canary snapshot, named and labelled as Argo does, and reports them ready', async () => {
    const namespace = nextNamespace();
    const { controlPlane } = await start();
    controlPlane.desired.set(
      `${namespace}/shop`,
      canaryRollout({
        namespace,
        name: 'shop',
        version: 3,
        stable: { hash: 'st4ble', replicas: 3 },
        canary: { hash: 'c4nary', replicas: 1 },
      }),
    );
    await controlPlane.waitFor((message) => message.type === 'applied' && message.desiredVersion === 3);
    const stable = replicaSet(namespace, 'shop-st4ble');
    expect(stable?.metadata.labels).toEqual({
      app: 'shop',
      [POD_TEMPLATE_HASH_LABEL]: 'st4ble',
      [MANAGED_BY_LABEL]: 'flotilla',
      [ROLLOUT_LABEL]: 'shop',
    });
    expect(stable?.spec.selector).toEqual({ matchLabels: { app: 'shop', [POD_TEMPLATE_HASH_LABEL]: 'st4ble' } });
    expect(stable?.metadata.ownerReferences).toBeUndefined();
    expect(stable?.spec.replicas).toBe(3);
    expect(replicaSet(namespace, 'shop-c4nary')?.spec.replicas).toBe(1);
    const observed = await controlPlane.waitFor<Observed>(
      observedFor(
        namespace,
        'shop',
        (message) =>
          message.state.replicaSets.length === 2 && message.state.replicaSets.every((set) => set.availableReplicas === set.replicas),
      ),
    );
    expect(observed.desiredVersion).toBe(3);
    expect(observed.state.replicaSets.map((set) => [set.podTemplateHash, set.replicas, set.readyReplicas, set.availableReplicas])).toEqual([
      ['c4nary', 1, 1, 1],
      ['st4ble', 3, 3, 3],
    ]);
    expect(observed.state.replicaSets[0]?.oldestPodCreatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(observed.state.replicaSets[0]?.podProblems).toEqual([]);
  });

  it('sets minReadySeconds on the ReplicaSet, so that its pods count as available only after that long ready', async () => {
    const namespace = nextNamespace();
    const { controlPlane } = await start();
    const desired = canaryRollout({ namespace, name: 'slow', version: 1, stable: { hash: 'sl0w', replicas: 2 } });
    const [stable] = desired.state.replicaSets;
    if (stable === undefined) throw new Error('no stable ReplicaSet');
    // Long enough that the first report of the pods ready comes before they count as available, even on a loaded machine.
    stable.minReadySeconds = 4;
    controlPlane.desired.set(`${namespace}/slow`, desired);
    const ready = await controlPlane.waitFor<Observed>(
      observedFor(namespace, 'slow', (message) => message.state.replicaSets[0]?.readyReplicas === 2),
    );
    expect(replicaSet(namespace, 'slow-sl0w')?.spec.minReadySeconds).toBe(4);
    expect(ready.state.replicaSets[0]?.availableReplicas).toBe(0);
    await controlPlane.waitFor<Observed>(
      observedFor(namespace, 'slow', (message) => message.state.replicaSets[0]?.availableReplicas === 2),
      10_000,
    );
  });

  it('scales with each newer desired version, ignores an older one, and deletes ReplicaSets no longer desired', async () => {
    const namespace = nextNamespace();
    const { controlPlane } = await start();
    controlPlane.desired.set(
      `${namespace}/cart`,
      canaryRollout({ namespace, name: 'cart', version: 1, stable: { hash: 'old1', replicas: 4 }, canary: { hash: 'new2', replicas: 1 } }),
    );
    await controlPlane.waitFor((message) => message.type === 'applied' && message.rollout.namespace === namespace);
    controlPlane.publish(
      canaryRollout({ namespace, name: 'cart', version: 2, stable: { hash: 'old1', replicas: 2 }, canary: { hash: 'new2', replicas: 3 } }),
    );
    await controlPlane.waitFor((message) => message.type === 'applied' && message.desiredVersion === 2);
    expect([replicaSet(namespace, 'cart-old1')?.spec.replicas, replicaSet(namespace, 'cart-new2')?.spec.replicas]).toEqual([2, 3]);
    controlPlane.send({
      type: 'desired',
      desired: canaryRollout({ namespace, name: 'cart', version: 1, stable: { hash: 'old1', replicas: 9 } }),
    });
    controlPlane.publish(canaryRollout({ namespace, name: 'cart', version: 3, stable: { hash: 'new2', replicas: 5 } }));
    await controlPlane.waitFor((message) => message.type === 'applied' && message.desiredVersion === 3);
    await eventually(() => expect(replicaSet(namespace, 'cart-old1')).toBeUndefined());
    expect(replicaSet(namespace, 'cart-new2')?.spec.replicas).toBe(5);
    const applied = controlPlane.received.filter((message) => message.type === 'applied' && message.rollout.namespace === namespace);
    expect(applied.map((message) => (message.type === 'applied' ? message.desiredVersion : -1))).toEqual([1, 2, 3]);
  });
});

describe('ephemeral metadata', () => {
  /** A ReplicaSet carrying role metadata, as the engine renders it: in its pod template and recorded in its annotation. */
  function withRole(replicaSet: DesiredReplicaSet, metadata: PodTemplateMetadata): DesiredReplicaSet {
    const labels = { ...replicaSet.template.metadata?.labels, ...metadata.labels };
    return {
      ...replicaSet,
      template: { ...replicaSet.template, metadata: { labels, annotations: { ...metadata.annotations } } },
      labels,
      annotations: { ...replicaSet.annotations, [EPHEMERAL_METADATA_ANNOTATION]: JSON.stringify(metadata) },
    };
  }

  const podsOf = (namespace: string, hash: string): PodObject[] =>
    sim.list<PodObject>(CLUSTER, { kind: 'Pod', namespace, labelSelector: `${POD_TEMPLATE_HASH_LABEL}=${hash}` });

  it("moves a promoted canary's running pods from canary to stable metadata in place, and leaves other labels alone", async () => {
    const namespace = nextNamespace();
    const { controlPlane, agent } = await start();
    const canaryMetadata = { labels: { role: 'canary' } };
    const stableMetadata = { labels: { role: 'stable' }, annotations: { 'example.com/dashboard': 'stable-pods' } };
    const rollout = (version: number, roleMetadata: PodTemplateMetadata) => {
      const desired = canaryRollout({ namespace, name: 'promo', version, stable: { hash: 'c1', replicas: 2 } });
      desired.state.replicaSets = desired.state.replicaSets.map((replicaSet) => withRole(replicaSet, roleMetadata));
      return desired;
    };
    controlPlane.desired.set(`${namespace}/promo`, rollout(1, canaryMetadata));
    await controlPlane.waitFor(observedFor(namespace, 'promo', (message) => message.state.replicaSets[0]?.availableReplicas === 2));
    const [first, second] = podsOf(namespace, 'c1');
    if (first === undefined || second === undefined) throw new Error('the canary has no two pods');
    expect(first.metadata.labels).toMatchObject({ role: 'canary' });
    sim.apply(CLUSTER, {
      ...first,
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...first.metadata, labels: { ...first.metadata.labels, team: 'checkout' }, annotations: { 'team/note': 'keep' } },
    });
    const uids = [first.metadata.uid, second.metadata.uid].sort();

    controlPlane.publish(rollout(2, stableMetadata));
    await controlPlane.waitFor(
      (message) => message.type === 'applied' && message.rollout.namespace === namespace && message.desiredVersion === 2,
    );
    const pods = podsOf(namespace, 'c1');
    expect(pods.map((pod) => pod.metadata.uid).sort()).toEqual(uids);
    const metadataOf = (uid: string | undefined) => pods.find((pod) => pod.metadata.uid === uid)?.metadata;
    expect(metadataOf(first.metadata.uid)?.labels).toEqual({
      app: 'promo',
      [POD_TEMPLATE_HASH_LABEL]: 'c1',
      role: 'stable',
      team: 'checkout',
    });
    expect(metadataOf(first.metadata.uid)?.annotations).toEqual({ 'team/note': 'keep', 'example.com/dashboard': 'stable-pods' });
    expect(metadataOf(second.metadata.uid)?.labels).toEqual({ app: 'promo', [POD_TEMPLATE_HASH_LABEL]: 'c1', role: 'stable' });
    expect(metadataOf(second.metadata.uid)?.annotations).toEqual({ 'example.com/dashboard': 'stable-pods' });
    expect(replicaSet(namespace, 'promo-c1')?.spec.selector).toEqual({ matchLabels: { app: 'promo', [POD_TEMPLATE_HASH_LABEL]: 'c1' } });

    const writesBefore = agent.stats().writes;
    controlPlane.publish(rollout(3, stableMetadata));
    await controlPlane.waitFor(
      (message) => message.type === 'applied' && message.rollout.namespace === namespace && message.desiredVersion === 3,
    );
    expect(agent.stats().writes).toBe(writesBefore);
    expect(
      podsOf(namespace, 'c1')
        .map((pod) => pod.metadata.uid)
        .sort(),
    ).toEqual(uids);
  });
});

describe('Services', () => {
  it('switches only the hash key of the stable and canary selectors, and reports a missing Service without stopping', async () => {
    const namespace = nextNamespace();
    service(namespace, 'pay-stable', { app: 'pay', tier: 'web' });
    const { controlPlane, logs } = await start();
    controlPlane.desired.set(
      `${namespace}/pay`,
      canaryRollout({
        namespace,
        name: 'pay',
        version: 1,
        stable: { hash: 'aaa', replicas: 2 },
        canary: { hash: 'bbb', replicas: 1 },
        services: { stable: 'pay-stable', canary: 'pay-canary' },
      }),
    );
    await eventually(() =>
      expect(sim.get<ServiceObject>(CLUSTER, { kind: 'Service', namespace, name: 'pay-stable' })?.spec.selector).toEqual({
        app: 'pay',
        tier: 'web',
        [POD_TEMPLATE_HASH_LABEL]: 'aaa',
      }),
    );
    expect(replicaSet(namespace, 'pay-bbb')?.spec.replicas).toBe(1);
    await eventually(() =>
      expect(
        logs.some(
          (record) =>
            String((record.err as { message?: string } | undefined)?.message).includes('Service scenario-') &&
            record.msg === 'could not converge rollout',
        ),
      ).toBe(true),
    );
    const observed = await controlPlane.waitFor<Observed>(
      observedFor(namespace, 'pay', (message) => message.state.serviceSelectors['pay-stable'] === 'aaa'),
    );
    expect(observed.state.serviceSelectors).toEqual({ 'pay-stable': 'aaa', 'pay-canary': undefined });

    service(namespace, 'pay-canary', { app: 'pay' });
    controlPlane.publish(
      canaryRollout({
        namespace,
        name: 'pay',
        version: 2,
        stable: { hash: 'bbb', replicas: 2 },
        services: { stable: 'pay-stable', canary: 'pay-canary' },
      }),
    );
    await controlPlane.waitFor(
      observedFor(
        namespace,
        'pay',
        (message) =>
          message.desiredVersion === 2 &&
          message.state.serviceSelectors['pay-stable'] === 'bbb' &&
          message.state.serviceSelectors['pay-canary'] === 'bbb',
      ),
    );
    expect(sim.get<ServiceObject>(CLUSTER, { kind: 'Service', namespace, name: 'pay-stable' })?.spec.selector).toEqual({
      app: 'pay',
      tier: 'web',
      [POD_TEMPLATE_HASH_LABEL]: 'bbb',
    });
  });
});

describe('ownership', () => {
  it('removes only what it created when a rollout leaves the snapshot or is deleted', async () => {
    const namespace = nextNamespace();
    const lookalike = { ...desiredReplicaSet('api', { hash: 'zzz', replicas: 1 }) };
    sim.apply(CLUSTER, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'api-zzz', namespace, labels: { ...lookalike.labels, [ROLLOUT_LABEL]: 'api' } },
      spec: { replicas: 1, selector: { matchLabels: lookalike.labels }, template: lookalike.template },
    });
    const { controlPlane } = await start();
    controlPlane.desired.set(
      `${namespace}/api`,
      canaryRollout({ namespace, name: 'api', version: 1, stable: { hash: 'aaa', replicas: 1 } }),
    );
    controlPlane.desired.set(
      `${namespace}/worker`,
      canaryRollout({ namespace, name: 'worker', version: 1, stable: { hash: 'www', replicas: 1 } }),
    );
    await eventually(() => expect([replicaSet(namespace, 'api-aaa'), replicaSet(namespace, 'worker-www')].every(Boolean)).toBe(true));

    controlPlane.send({
      type: 'snapshot',
      rollouts: [...controlPlane.desired.values()].filter((desired) => desired.rollout.name === 'worker'),
    });
    await eventually(() => expect(replicaSet(namespace, 'api-aaa')).toBeUndefined());
    controlPlane.deleteRollout({ namespace, name: 'worker' }, 2);
    await eventually(() => expect(replicaSet(namespace, 'worker-www')).toBeUndefined());
    expect(replicaSet(namespace, 'api-zzz')?.spec.replicas).toBe(1);

    // Each removal is confirmed, and so is a deletion sent again after the objects went (its confirmation was lost).
    const removed = (name: string) => (message: AgentMessage) =>
      message.type === 'removed' && message.rollout.namespace === namespace && message.rollout.name === name;
    await controlPlane.waitFor(removed('api'));
    await controlPlane.waitFor(removed('worker'));
    const confirmed = controlPlane.received.length;
    controlPlane.deleteRollout({ namespace, name: 'worker' }, 2);
    await controlPlane.waitFor(removed('worker'), 10_000, confirmed);
  });

  it('removes what it created for rollouts deleted while it was not running, and nothing of the team', async () => {
    // Given the objects a previous agent run created for rollout `gone` (a ReplicaSet, an experiment Service, a canary
    // Ingress) and the team's stable Service that selected its pods, all still in the cluster
    const namespace = nextNamespace();
    const owned = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [ROLLOUT_LABEL]: 'gone' };
    const revision = desiredReplicaSet('gone', { hash: 'ggg', replicas: 1 });
    sim.apply(CLUSTER, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'gone-ggg', namespace, labels: { ...revision.labels, ...owned } },
      spec: { replicas: 1, selector: { matchLabels: revision.labels }, template: revision.template },
    });
    sim.apply(CLUSTER, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'gone-exp-baseline', namespace, labels: { ...owned, [EXPERIMENT_LABEL]: 'gone-exp' } },
      spec: { selector: revision.labels, ports: [{ port: 80 }] },
    });
    sim.apply(CLUSTER, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'gone-web-canary', namespace, labels: owned },
      spec: { rules: [{ host: 'gone.example' }] },
    });
    service(namespace, 'gone-stable', revision.labels);
    const teamService = sim.get<ServiceObject>(CLUSTER, { kind: 'Service', namespace, name: 'gone-stable' });

    // When the agent starts and its first snapshot leaves `gone` out (the control plane forgot the deletion)
    const { controlPlane } = await start();

    // Then the objects it owns are deleted and their removal confirmed; the team's Service is as it was
    await controlPlane.waitFor(
      (message) => message.type === 'removed' && message.rollout.namespace === namespace && message.rollout.name === 'gone',
    );
    const left = (kind: string, name: string) => sim.get(CLUSTER, { kind, namespace, name });
    expect([left('ReplicaSet', 'gone-ggg'), left('Service', 'gone-exp-baseline'), left('Ingress', 'gone-web-canary')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(sim.get<ServiceObject>(CLUSTER, { kind: 'Service', namespace, name: 'gone-stable' })).toEqual(teamService);
  });

  it('removes what it created for a rollout it does not hold when told of its deletion, then confirms it', async () => {
    // Given a connected agent, and then a ReplicaSet it created for rollout `ghost`, which it does not hold
    const namespace = nextNamespace();
    const { controlPlane } = await start();
    await controlPlane.waitFor((message) => message.type === 'hello');
    await eventually(() => expect(running?.agent.stats().connected).toBe(true));
    const revision = desiredReplicaSet('ghost', { hash: 'hhh', replicas: 1 });
    sim.apply(CLUSTER, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: 'ghost-hhh',
        namespace,
        labels: { ...revision.labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [ROLLOUT_LABEL]: 'ghost' },
      },
      spec: { replicas: 1, selector: { matchLabels: revision.labels }, template: revision.template },
    });
    // The agent's cache has seen it by then (a watch event takes milliseconds); it was never asked to remove it
    await new Promise((resolve) => setTimeout(resolve, 300));

    // When the control plane tells it `ghost` was deleted
    controlPlane.deleteRollout({ namespace, name: 'ghost' }, 3);

    // Then the ReplicaSet is gone by the time the agent answers `removed`
    await controlPlane.waitFor(
      (message) => message.type === 'removed' && message.rollout.namespace === namespace && message.rollout.name === 'ghost',
    );
    expect(replicaSet(namespace, 'ghost-hhh')).toBeUndefined();
  });

  it('never modifies an object it did not create, even under the name it needs', async () => {
    const namespace = nextNamespace();
    const theirs = desiredReplicaSet('legacy', { hash: 'h1', replicas: 1 });
    sim.apply(CLUSTER, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'legacy-h1', namespace, labels: theirs.labels, annotations: { owner: 'team' } },
      spec: { replicas: 1, selector: { matchLabels: theirs.labels }, template: theirs.template },
    });
    const before = replicaSet(namespace, 'legacy-h1');
    const { controlPlane, logs } = await start();
    controlPlane.desired.set(
      `${namespace}/legacy`,
      canaryRollout({ namespace, name: 'legacy', version: 1, stable: { hash: 'h1', replicas: 4 } }),
    );
    await eventually(() =>
      expect(
        logs.some((record) => String((record.err as { message?: string } | undefined)?.message).includes('was not created by the agent')),
      ).toBe(true),
    );
    const after = replicaSet(namespace, 'legacy-h1');
    expect([after?.metadata.labels, after?.metadata.annotations, after?.spec]).toEqual([
      before?.metadata.labels,
      before?.metadata.annotations,
      before?.spec,
    ]);
    expect(after?.spec.replicas).toBe(1);
  });
});

describe('pod problems', () => {
  it('reports a crash-looping canary as CrashLoopBackOff on its ReplicaSet', async () => {
    const namespace = nextNamespace();
    const { controlPlane } = await start();
    controlPlane.desired.set(
      `${namespace}/img`,
      canaryRollout({
        namespace,
        name: 'img',
        version: 1,
        stable: { hash: 'good', replicas: 1 },
        canary: { hash: 'bad', replicas: 2, image: 'registry.example/img:bad' },
      }),
    );
    const observed = await controlPlane.waitFor<Observed>(
      observedFor(namespace, 'img', (message) =>
        message.state.replicaSets.some((set) => set.podTemplateHash === 'bad' && set.podProblems.some((problem) => problem.pods === 2)),
      ),
    );
    const bad = observed.state.replicaSets.find((set) => set.podTemplateHash === 'bad');
    expect(bad?.podProblems).toEqual([{ reason: 'CrashLoopBackOff', message: expect.stringContaining('back-off') as unknown, pods: 2 }]);
    expect(bad?.readyReplicas).toBe(0);
    expect(observed.state.replicaSets.find((set) => set.podTemplateHash === 'good')?.podProblems).toEqual([]);
  });

  it("reports each pod as kubectl shows it, and the recent Events of the rollout's ReplicaSets and pods, newest first", async () => {
    // Given a rollout whose stable pod runs and whose two canary pods crash
    const namespace = nextNamespace();
    const { controlPlane } = await start();
    controlPlane.desired.set(
      `${namespace}/pods`,
      canaryRollout({
        namespace,
        name: 'pods',
        version: 1,
        stable: { hash: 'good', replicas: 1 },
        canary: { hash: 'bad', replicas: 2, image: 'registry.example/img:bad' },
      }),
    );
    // When the canary's pods have restarted and their Events are recorded
    const observed = await controlPlane.waitFor<Observed>(
      observedFor(namespace, 'pods', (message) => {
        const bad = message.state.replicaSets.find((set) => set.podTemplateHash === 'bad');
        const good = message.state.replicaSets.find((set) => set.podTemplateHash === 'good');
        return (
          bad?.pods?.length === 2 &&
          bad.pods.every((pod) => pod.status === 'CrashLoopBackOff' && pod.restarts > 0) &&
          good?.pods?.[0]?.status === 'Running' &&
          (message.state.events ?? []).some((event) => event.involvedObject.kind === 'Pod')
        );
      }),
    );
    // Then each pod carries its status, readiness, restarts, start time and node
    const [good, bad] = [
      observed.state.replicaSets.find((set) => set.podTemplateHash === 'good'),
      observed.state.replicaSets.find((set) => set.podTemplateHash === 'bad'),
    ];
    const stablePod = sim.list<PodObject>(CLUSTER, { kind: 'Pod', namespace }).find((pod) => pod.metadata.name.startsWith('pods-good-'));
    expect(good?.pods).toEqual([
      {
        name: stablePod?.metadata.name,
        status: 'Running',
        readyContainers: 1,
        containers: 1,
        restarts: 0,
        startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) as unknown,
        nodeName: expect.any(String) as unknown,
      },
    ]);
    expect(good?.podsOmitted).toBe(0);
    expect(bad?.pods?.map((pod) => [pod.readyContainers, pod.containers])).toEqual([
      [0, 1],
      [0, 1],
    ]);
    // And the Events are those of its ReplicaSets and pods, newest first, none of another rollout's
    const events = observed.state.events ?? [];
    expect(events.length).toBeLessThanOrEqual(20);
    expect(events.map((event) => event.lastSeenAt)).toEqual([...events.map((event) => event.lastSeenAt)].sort().reverse());
    expect(events).toContainEqual({
      type: 'Normal',
      reason: 'SuccessfulCreate',
      message: `Created pod: ${stablePod?.metadata.name}`,
      count: 1,
      lastSeenAt: expect.any(String) as unknown,
      involvedObject: { kind: 'ReplicaSet', name: 'pods-good' },
    });
    const podNames = new Set([...(good?.pods ?? []), ...(bad?.pods ?? [])].map((pod) => pod.name));
    for (const event of events)
      expect(event.involvedObject.kind === 'ReplicaSet' ? ['pods-good', 'pods-bad'] : [...podNames]).toContain(event.involvedObject.name);
  });

  it('reports pods a ResourceQuota refuses as FailedCreate on their ReplicaSet', async () => {
    const namespace = nextNamespace();
    sim.apply(CLUSTER, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'pods', namespace }, spec: { hard: { pods: '2' } } });
    const { controlPlane } = await start();
    controlPlane.desired.set(
      `${namespace}/capped`,
      canaryRollout({ namespace, name: 'capped', version: 1, stable: { hash: 'c1', replicas: 3 } }),
    );
    const observed = await controlPlane.waitFor<Observed>(
      observedFor(namespace, 'capped', (message) => message.state.replicaSets.some((set) => set.podProblems.length > 0)),
    );
    expect(observed.state.replicaSets[0]?.podProblems).toEqual([
      { reason: 'FailedCreate', message: expect.stringContaining('exceeded quota: pods') as string, pods: 1 },
    ]);
  });

  it('recreates pods created before a restart, never more unavailable than allowed', async () => {
    const namespace = nextNamespace();
    const { controlPlane } = await start();
    const initial = canaryRollout({ namespace, name: 'rs', version: 1, stable: { hash: 'r1', replicas: 3 } });
    controlPlane.desired.set(`${namespace}/rs`, initial);
    await controlPlane.waitFor(observedFor(namespace, 'rs', (message) => message.state.replicaSets[0]?.availableReplicas === 3));
    const restartAt = new Date().toISOString();
    const restarting = structuredClone(canaryRollout({ namespace, name: 'rs', version: 2, stable: { hash: 'r1', replicas: 3 } }));
    const stable = restarting.state.replicaSets[0];
    if (stable) stable.restart = { podsCreatedBefore: restartAt, maxUnavailable: 1 };
    let mostUnavailable = 0;
    controlPlane.onMessage((message) => {
      if (message.type !== 'observed' || message.rollout.namespace !== namespace) return;
      const set = message.state.replicaSets[0];
      if (set) mostUnavailable = Math.max(mostUnavailable, 3 - set.readyReplicas);
    });
    controlPlane.publish(restarting);
    await controlPlane.waitFor(
      observedFor(namespace, 'rs', (message) => {
        const set = message.state.replicaSets[0];
        return set !== undefined && set.readyReplicas === 3 && set.oldestPodCreatedAt !== undefined && set.oldestPodCreatedAt >= restartAt;
      }),
    );
    expect(mostUnavailable).toBe(1);
  });
});

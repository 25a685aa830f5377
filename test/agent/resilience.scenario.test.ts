import { startKubeSim, type KubeSim } from '@flotilla/kube-sim';
import { observationDigest, type AgentMessage } from '@flotilla/protocol';
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ReplicaSetObject } from '../../apps/agent/src/kube/kube-object.js';
import { HUB_LOSS_FALLBACK_ANNOTATION } from '../../apps/agent/src/reconcile/hub-loss.js';
import { startAgentUnderTest, eventually, type AgentUnderTest } from './support/agent-harness.js';
import { canaryRollout } from '../../tools/src/agent-harness/desired-rollouts.js';

const CLUSTER = 'us-east';
let sim: KubeSim;
let running: AgentUnderTest | undefined;
let namespaceCounter = 0;

function nextNamespace(): string {
  const name = `resilience-${++namespaceCounter}`;
  sim.apply(CLUSTER, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

const replicas = (namespace: string, name: string): number | undefined =>
  sim.get<ReplicaSetObject>(CLUSTER, { kind: 'ReplicaSet', namespace, name })?.spec.replicas;

beforeAll(async () => {
  sim = await startKubeSim({ clusters: [CLUSTER], podReadyDelayMs: 40 });
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
});

afterAll(async () => {
  await sim.stop();
});

describe('level-triggered convergence', () => {
  it('undoes a manual change to a ReplicaSet it owns, also after the API server dropped its watches', async () => {
    const namespace = nextNamespace();
    running = await startAgentUnderTest(sim, CLUSTER);
    running.controlPlane.desired.set(
      `${namespace}/web`,
      canaryRollout({ namespace, name: 'web', version: 1, stable: { hash: 'aaa', replicas: 3 } }),
    );
    await eventually(() => expect(replicas(namespace, 'web-aaa')).toBe(3));
    sim.dropWatches(CLUSTER);
    const drifted = sim.get<ReplicaSetObject>(CLUSTER, { kind: 'ReplicaSet', namespace, name: 'web-aaa' });
    if (drifted === undefined) throw new Error('ReplicaSet missing');
    sim.apply(CLUSTER, { ...drifted, spec: { ...drifted.spec, replicas: 7 } } as never);
    expect(replicas(namespace, 'web-aaa')).toBe(7);
    await eventually(() => expect(replicas(namespace, 'web-aaa')).toBe(3));
  });
});

describe('reconnecting', () => {
  it('reconnects after the control plane drops the connection, converges to the new snapshot and sends observations again', async () => {
    const namespace = nextNamespace();
    running = await startAgentUnderTest(sim, CLUSTER);
    const { controlPlane } = running;
    controlPlane.desired.set(
      `${namespace}/api`,
      canaryRollout({ namespace, name: 'api', version: 1, stable: { hash: 'v1', replicas: 2 } }),
    );
    await controlPlane.waitFor(
      (message) =>
        message.type === 'observed' && message.rollout.namespace === namespace && message.state.replicaSets[0]?.availableReplicas === 2,
    );
    controlPlane.dropConnection();
    controlPlane.desired.set(
      `${namespace}/api`,
      canaryRollout({ namespace, name: 'api', version: 2, stable: { hash: 'v1', replicas: 1 }, canary: { hash: 'v2', replicas: 1 } }),
    );
    const mark = controlPlane.received.length;
    await eventually(() => expect(controlPlane.connections).toBe(2));
    await controlPlane.waitFor((message) => message.type === 'observed' && message.rollout.namespace === namespace, 5000, mark);
    await controlPlane.waitFor((message) => message.type === 'applied' && message.desiredVersion === 2, 5000, mark);
    await eventually(() => expect([replicas(namespace, 'api-v1'), replicas(namespace, 'api-v2')]).toEqual([1, 1]));
    expect(controlPlane.received.slice(mark).find((message) => message.type === 'hello')).toBeDefined();
  });
});

describe('periodic reports by digest', () => {
  type Observed = Extract<AgentMessage, { type: 'observed' }>;
  type Digests = Extract<AgentMessage, { type: 'observedDigests' }>;
  const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

  it('lists an unchanged rollout by the digest of its last observation to a control plane that takes digests, and sends it in full when asked again', async () => {
    // Given an agent whose control plane takes digests, and a rollout that has converged
    const namespace = nextNamespace();
    running = await startAgentUnderTest(sim, CLUSTER, { observationDigests: true, env: { FLOTILLA_OBSERVE_INTERVAL_SECONDS: '1' } });
    const { controlPlane } = running;
    const rollout = { namespace, name: 'web' };
    controlPlane.desired.set(
      `${namespace}/web`,
      canaryRollout({ namespace, name: 'web', version: 1, stable: { hash: 'aaa', replicas: 2 } }),
    );
    await controlPlane.waitFor(
      (message) =>
        message.type === 'observed' && message.rollout.namespace === namespace && message.state.replicaSets[0]?.availableReplicas === 2,
    );

    // When the interval passes, then the rollout is listed by the digest of the observation last sent in full
    const listing = await controlPlane.waitFor<Digests>(
      (message) => message.type === 'observedDigests' && message.rollouts.some((entry) => entry.rollout.namespace === namespace),
    );
    const lastSent = controlPlane.received
      .slice(0, controlPlane.received.indexOf(listing))
      .filter((message): message is Observed => message.type === 'observed' && message.rollout.namespace === namespace)
      .at(-1);
    expect(listing.rollouts.filter((entry) => entry.rollout.namespace === namespace)).toEqual([
      { rollout, desiredVersion: 1, digest: observationDigest((lastSent as Observed).state, sha256Hex) },
    ]);

    // When the control plane asks for it again, then it comes in full though nothing changed
    const mark = controlPlane.received.length;
    controlPlane.send({ type: 'observeAgain', rollouts: [rollout] });
    const resent = await controlPlane.waitFor<Observed>(
      (message) => message.type === 'observed' && message.rollout.namespace === namespace,
      5000,
      mark,
    );
    expect(observationDigest(resent.state, sha256Hex)).toBe(observationDigest((lastSent as Observed).state, sha256Hex));
  });
});

describe('hub loss', () => {
  it('keeps every rollout as it is without a policy, switches to the fallback after afterSeconds with one, and lets the snapshot win again', async () => {
    const namespace = nextNamespace();
    running = await startAgentUnderTest(sim, CLUSTER);
    const { controlPlane, agent } = running;
    const guarded = canaryRollout({
      namespace,
      name: 'guarded',
      version: 4,
      stable: { hash: 'st', replicas: 2 },
      canary: { hash: 'cn', replicas: 2 },
    });
    guarded.hubLoss = {
      afterSeconds: 0.3,
      fallback: canaryRollout({
        namespace,
        name: 'guarded',
        version: 4,
        stable: { hash: 'st', replicas: 4 },
        canary: { hash: 'cn', replicas: 0 },
      }).state,
    };
    controlPlane.desired.set(`${namespace}/guarded`, guarded);
    controlPlane.desired.set(
      `${namespace}/plain`,
      canaryRollout({ namespace, name: 'plain', version: 1, stable: { hash: 'p1', replicas: 1 }, canary: { hash: 'p2', replicas: 2 } }),
    );
    await eventually(() => expect([replicas(namespace, 'guarded-cn'), replicas(namespace, 'plain-p2')]).toEqual([2, 2]));

    controlPlane.unavailable = true;
    controlPlane.dropConnection();
    await eventually(() => expect([replicas(namespace, 'guarded-st'), replicas(namespace, 'guarded-cn')]).toEqual([4, 0]), 5000);
    const fallback = sim.get<ReplicaSetObject>(CLUSTER, { kind: 'ReplicaSet', namespace, name: 'guarded-st' });
    expect(fallback?.metadata.annotations?.[HUB_LOSS_FALLBACK_ANNOTATION]).toMatch(/^\d{4}-/);
    expect([replicas(namespace, 'plain-p1'), replicas(namespace, 'plain-p2')]).toEqual([1, 2]);
    expect(agent.stats()).toMatchObject({ connected: false, activeFallbacks: 1, fallbacksTaken: 1 });

    const mark = controlPlane.received.length;
    controlPlane.unavailable = false;
    const report = await controlPlane.waitFor<Extract<AgentMessage, { type: 'observed' }>>(
      (message) => message.type === 'observed' && message.rollout.name === 'guarded' && message.rollout.namespace === namespace,
      5000,
      mark,
    );
    expect(report.state.replicaSets.find((set) => set.podTemplateHash === 'st')?.annotations[HUB_LOSS_FALLBACK_ANNOTATION]).toBeDefined();
    await eventually(() => expect([replicas(namespace, 'guarded-st'), replicas(namespace, 'guarded-cn')]).toEqual([2, 2]));
    await eventually(() =>
      expect(
        sim.get<ReplicaSetObject>(CLUSTER, { kind: 'ReplicaSet', namespace, name: 'guarded-st' })?.metadata.annotations?.[
          HUB_LOSS_FALLBACK_ANNOTATION
        ],
      ).toBeUndefined(),
    );
    expect(agent.stats()).toMatchObject({ connected: true, activeFallbacks: 0, fallbacksTaken: 1 });
  });
});

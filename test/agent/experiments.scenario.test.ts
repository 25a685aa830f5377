import { startKubeSim, type KubeSim } from '@flotilla/kube-sim';
import {
  EXPERIMENT_LABEL,
  EXPERIMENT_TEMPLATE_LABEL,
  MANAGED_BY_LABEL,
  POD_TEMPLATE_HASH_LABEL,
  ROLLOUT_LABEL,
  rolloutKeyString,
  type AgentMessage,
  type DesiredExperimentService,
  type DesiredReplicaSet,
  type DesiredRollout,
  type RolloutKey,
} from '@flotilla/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PodObject, ReplicaSetObject, ServiceObject } from '../../apps/agent/src/kube/kube-object.js';
import { eventually, startAgentUnderTest, type AgentUnderTest } from './support/agent-harness.js';
import { canaryRollout, desiredReplicaSet, type RevisionSpec } from '../../tools/src/agent-harness/desired-rollouts.js';

type Observed = Extract<AgentMessage, { type: 'observed' }>;

const CLUSTER = 'prod-eu';
const EXPERIMENT = 'shop-2-exp';
let sim: KubeSim;
let running: AgentUnderTest | undefined;
let namespaceCounter = 0;

function nextNamespace(): string {
  const name = `experiment-${++namespaceCounter}`;
  sim.apply(CLUSTER, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

async function start(): Promise<AgentUnderTest> {
  running = await startAgentUnderTest(sim, CLUSTER);
  return running;
}

const replicaSet = (namespace: string, name: string): ReplicaSetObject | undefined =>
  sim.get<ReplicaSetObject>(CLUSTER, { kind: 'ReplicaSet', namespace, name });
const service = (namespace: string, name: string): ServiceObject | undefined =>
  sim.get<ServiceObject>(CLUSTER, { kind: 'Service', namespace, name });

const templateLabels = (template: string, experiment = EXPERIMENT): Record<string, string> => ({
  [EXPERIMENT_LABEL]: experiment,
  [EXPERIMENT_TEMPLATE_LABEL]: template,
});

/** An experiment template's ReplicaSet as the control plane asks for it: named `<experiment>-<template>`. */
function experimentReplicaSet(template: string, revision: RevisionSpec, experiment = EXPERIMENT): DesiredReplicaSet {
  const base = desiredReplicaSet('shop', revision);
  const labels = { ...base.labels, ...templateLabels(template, experiment) };
  return { ...base, name: `${experiment}-${template}`, labels, template: { ...base.template, metadata: { labels } } };
}

function experimentService(template: string, port = 80, experiment = EXPERIMENT): DesiredExperimentService {
  const labels = templateLabels(template, experiment);
  return {
    name: `${experiment}-${template}`,
    labels,
    selector: labels,
    ports: [{ name: 'http', protocol: 'TCP', port, targetPort: 8080 }],
  };
}

/** The shop rollout at `version`: a stable revision, plus the given experiment ReplicaSets and Services. */
function shop(
  namespace: string,
  version: number,
  replicaSets: DesiredReplicaSet[] = [],
  experimentServices?: DesiredExperimentService[],
): DesiredRollout {
  const desired = canaryRollout({ namespace, name: 'shop', version, stable: { hash: 'st4ble', replicas: 2 } });
  return { ...desired, state: { ...desired.state, replicaSets: [...desired.state.replicaSets, ...replicaSets], experimentServices } };
}

const observedFor = (key: RolloutKey, check: (message: Observed) => boolean) => (message: AgentMessage) =>
  message.type === 'observed' && rolloutKeyString(message.rollout) === rolloutKeyString(key) && check(message);

const observedShop = (namespace: string, check: (message: Observed) => boolean) => observedFor({ namespace, name: 'shop' }, check);

/** A standalone experiment named `shop`, like the rollout, running one ReplicaSet and one Service per template. */
const standaloneShop = (namespace: string): RolloutKey => ({ namespace, name: 'shop', kind: 'Experiment' });

function standaloneExperiment(namespace: string, version: number, templates: string[]): DesiredRollout {
  return {
    rollout: standaloneShop(namespace),
    desiredVersion: version,
    serviceNames: [],
    state: {
      replicaSets: templates.map((template) => experimentReplicaSet(template, { hash: `x-${template}`, replicas: 1 }, 'shop')),
      services: {},
      trafficRouting: undefined,
      experimentServices: templates.map((template) => experimentService(template, 80, 'shop')),
    },
    hubLoss: undefined,
  };
}

const hashesOf = (message: Observed): string[] => message.state.replicaSets.map((set) => set.podTemplateHash);

const allAvailable = (message: Observed): boolean =>
  message.state.replicaSets.every((set) => set.replicas > 0 && set.availableReplicas === set.replicas);

const removed = (agent: AgentUnderTest, key: RolloutKey): boolean =>
  agent.logs.some((record) => record.msg === 'removed the objects of a deleted rollout' && record.rollout === rolloutKeyString(key));

const convergeFailure = (agent: AgentUnderTest, text: string): boolean =>
  agent.logs.some(
    (record) =>
      record.msg === 'could not converge rollout' && String((record.err as { message?: string } | undefined)?.message).includes(text),
  );

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

describe('experiments', () => {
  it('runs an experiment ReplicaSet under its own name with a Service in front, updates the Service only when it differs, and deletes both once undesired', async () => {
    const namespace = nextNamespace();
    sim.apply(CLUSTER, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'shop', namespace },
      spec: { selector: { app: 'shop' }, ports: [{ port: 80 }] },
    });
    const ownedNotExperiment = { name: 'shop-preview', namespace, labels: { [MANAGED_BY_LABEL]: 'flotilla', [ROLLOUT_LABEL]: 'shop' } };
    sim.apply(CLUSTER, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: ownedNotExperiment,
      spec: { selector: { app: 'shop' }, ports: [{ port: 80 }] },
    });
    const { controlPlane, agent } = await start();
    controlPlane.desired.set(
      `${namespace}/shop`,
      shop(namespace, 1, [experimentReplicaSet('baseline', { hash: 'e1', replicas: 2 })], [experimentService('baseline')]),
    );
    await controlPlane.waitFor((message) => message.type === 'applied' && message.desiredVersion === 1);

    const experimentSet = replicaSet(namespace, `${EXPERIMENT}-baseline`);
    expect(experimentSet?.metadata.labels).toEqual({
      app: 'shop',
      [POD_TEMPLATE_HASH_LABEL]: 'e1',
      ...templateLabels('baseline'),
      [MANAGED_BY_LABEL]: 'flotilla',
      [ROLLOUT_LABEL]: 'shop',
    });
    expect(experimentSet?.spec.replicas).toBe(2);
    expect(replicaSet(namespace, 'shop-e1')).toBeUndefined();
    const created = service(namespace, `${EXPERIMENT}-baseline`);
    expect(created?.metadata.labels).toEqual({ ...templateLabels('baseline'), [MANAGED_BY_LABEL]: 'flotilla', [ROLLOUT_LABEL]: 'shop' });
    expect(created?.spec).toMatchObject({
      type: 'ClusterIP',
      selector: templateLabels('baseline'),
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
    });
    await controlPlane.waitFor(
      observedShop(namespace, (message) =>
        message.state.replicaSets.some((set) => set.podTemplateHash === 'e1' && set.availableReplicas === 2),
      ),
    );
    const selector = Object.entries(templateLabels('baseline'))
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
    const selected = sim.list<PodObject>(CLUSTER, { kind: 'Pod', namespace, labelSelector: selector });
    expect(selected.map((pod) => pod.metadata.ownerReferences?.[0]?.name)).toEqual([`${EXPERIMENT}-baseline`, `${EXPERIMENT}-baseline`]);

    const writesBefore = agent.stats().writes;
    controlPlane.publish(
      shop(namespace, 2, [experimentReplicaSet('baseline', { hash: 'e1', replicas: 2 })], [experimentService('baseline')]),
    );
    await controlPlane.waitFor((message) => message.type === 'applied' && message.desiredVersion === 2);
    expect(agent.stats().writes).toBe(writesBefore);

    controlPlane.publish(
      shop(
        namespace,
        3,
        [experimentReplicaSet('baseline', { hash: 'e1', replicas: 2 })],
        [{ ...experimentService('baseline', 8081), selector: { ...templateLabels('baseline'), app: 'shop' } }],
      ),
    );
    await controlPlane.waitFor((message) => message.type === 'applied' && message.desiredVersion === 3);
    expect(service(namespace, `${EXPERIMENT}-baseline`)?.spec).toMatchObject({
      selector: { ...templateLabels('baseline'), app: 'shop' },
      ports: [{ name: 'http', protocol: 'TCP', port: 8081, targetPort: 8080 }],
    });
    expect(service(namespace, `${EXPERIMENT}-baseline`)?.metadata.uid).toBe(created?.metadata.uid);

    controlPlane.publish(shop(namespace, 4));
    await controlPlane.waitFor((message) => message.type === 'applied' && message.desiredVersion === 4);
    await eventually(() =>
      expect([replicaSet(namespace, `${EXPERIMENT}-baseline`), service(namespace, `${EXPERIMENT}-baseline`)]).toEqual([
        undefined,
        undefined,
      ]),
    );
    expect(replicaSet(namespace, 'shop-st4ble')?.spec.replicas).toBe(2);
    expect(service(namespace, 'shop')?.spec.selector).toEqual({ app: 'shop' });
    expect(service(namespace, 'shop-preview')).toBeDefined();
  });

  it('deletes the experiment Services of a deleted rollout', async () => {
    const namespace = nextNamespace();
    const { controlPlane } = await start();
    controlPlane.desired.set(
      `${namespace}/shop`,
      shop(namespace, 1, [experimentReplicaSet('canary', { hash: 'e2', replicas: 1 })], [experimentService('canary')]),
    );
    await eventually(() => expect(service(namespace, `${EXPERIMENT}-canary`)).toBeDefined());
    controlPlane.deleteRollout({ namespace, name: 'shop' }, 2);
    await eventually(() =>
      expect([
        replicaSet(namespace, `${EXPERIMENT}-canary`),
        service(namespace, `${EXPERIMENT}-canary`),
        replicaSet(namespace, 'shop-st4ble'),
      ]).toEqual([undefined, undefined, undefined]),
    );
  });

  it('reports a team Service under an experiment Service name, leaves it alone, and converges everything else', async () => {
    const namespace = nextNamespace();
    sim.apply(CLUSTER, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `${EXPERIMENT}-baseline`, namespace, labels: { team: 'payments' } },
      spec: { selector: { app: 'legacy' }, ports: [{ port: 9090 }] },
    });
    const before = service(namespace, `${EXPERIMENT}-baseline`);
    const agent = await start();
    agent.controlPlane.desired.set(
      `${namespace}/shop`,
      shop(
        namespace,
        1,
        [experimentReplicaSet('baseline', { hash: 'e1', replicas: 1 }), experimentReplicaSet('canary', { hash: 'e2', replicas: 1 })],
        [experimentService('baseline'), experimentService('canary')],
      ),
    );
    await eventually(() =>
      expect(convergeFailure(agent, `Service ${namespace}/${EXPERIMENT}-baseline exists and was not created by the agent`)).toBe(true),
    );
    await agent.controlPlane.waitFor(
      observedShop(namespace, (message) =>
        ['st4ble', 'e1', 'e2'].every((hash) =>
          message.state.replicaSets.some(
            (set) => set.podTemplateHash === hash && set.availableReplicas === set.replicas && set.replicas > 0,
          ),
        ),
      ),
    );
    expect(service(namespace, `${EXPERIMENT}-canary`)?.spec.selector).toEqual(templateLabels('canary'));
    const after = service(namespace, `${EXPERIMENT}-baseline`);
    expect([after?.metadata.labels, after?.metadata.resourceVersion, after?.spec]).toEqual([
      before?.metadata.labels,
      before?.metadata.resourceVersion,
      before?.spec,
    ]);

    agent.controlPlane.publish(shop(namespace, 2));
    await eventually(() => expect(service(namespace, `${EXPERIMENT}-canary`)).toBeUndefined());
    expect(service(namespace, `${EXPERIMENT}-baseline`)?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
  });
});

describe('standalone experiments', () => {
  it('runs beside a rollout of the same name, each converging and observing only its own ReplicaSets and Services, and deleting one removes only its objects', async () => {
    const namespace = nextNamespace();
    const rollout = { namespace, name: 'shop' };
    const experiment = standaloneShop(namespace);
    const running = await start();
    const { controlPlane } = running;
    controlPlane.desired.set(
      rolloutKeyString(rollout),
      shop(namespace, 1, [experimentReplicaSet('baseline', { hash: 'e1', replicas: 1 })], [experimentService('baseline')]),
    );
    controlPlane.desired.set(rolloutKeyString(experiment), standaloneExperiment(namespace, 1, ['baseline', 'canary']));
    await controlPlane.waitFor(
      (message) =>
        message.type === 'applied' &&
        message.rollout.kind === 'Experiment' &&
        message.rollout.namespace === namespace &&
        message.desiredVersion === 1,
    );
    await controlPlane.waitFor(
      (message) =>
        message.type === 'applied' &&
        message.rollout.kind === undefined &&
        message.rollout.namespace === namespace &&
        message.desiredVersion === 1,
    );
    const observedExperiment = await controlPlane.waitFor<Observed>(
      observedFor(experiment, (message) => hashesOf(message).join() === 'x-baseline,x-canary' && allAvailable(message)),
    );
    await controlPlane.waitFor(observedShop(namespace, (message) => hashesOf(message).join() === 'e1,st4ble' && allAvailable(message)));

    const experimentOwnership = { [MANAGED_BY_LABEL]: 'flotilla', ...templateLabels('canary', 'shop') };
    expect(replicaSet(namespace, 'shop-canary')?.metadata.labels).toEqual({
      app: 'shop',
      [POD_TEMPLATE_HASH_LABEL]: 'x-canary',
      ...experimentOwnership,
    });
    expect(service(namespace, 'shop-canary')?.metadata.labels).toEqual(experimentOwnership);
    expect(observedExperiment.state.replicaSets.find((set) => set.podTemplateHash === 'x-canary')?.labels).toEqual({
      app: 'shop',
      [POD_TEMPLATE_HASH_LABEL]: 'x-canary',
      ...experimentOwnership,
    });
    expect([observedExperiment.desiredVersion, observedExperiment.state.serviceSelectors, observedExperiment.state.trafficWeights]).toEqual(
      [1, {}, {}],
    );
    const observations = controlPlane.received.filter(
      (message): message is Observed => message.type === 'observed' && message.rollout.namespace === namespace,
    );
    expect(new Set(observations.filter((message) => message.rollout.kind === 'Experiment').flatMap(hashesOf))).toEqual(
      new Set(['x-baseline', 'x-canary']),
    );
    expect(new Set(observations.filter((message) => message.rollout.kind === undefined).flatMap(hashesOf))).toEqual(
      new Set(['e1', 'st4ble']),
    );

    const experimentBaseline = replicaSet(namespace, 'shop-baseline')?.metadata.uid;
    controlPlane.publish(shop(namespace, 2));
    await eventually(() =>
      expect([replicaSet(namespace, `${EXPERIMENT}-baseline`), service(namespace, `${EXPERIMENT}-baseline`)]).toEqual([
        undefined,
        undefined,
      ]),
    );
    controlPlane.publish(standaloneExperiment(namespace, 2, ['baseline']));
    await eventually(() =>
      expect([replicaSet(namespace, 'shop-canary'), service(namespace, 'shop-canary')]).toEqual([undefined, undefined]),
    );
    expect([replicaSet(namespace, 'shop-baseline')?.metadata.uid, service(namespace, 'shop-baseline')?.metadata.labels]).toEqual([
      experimentBaseline,
      { [MANAGED_BY_LABEL]: 'flotilla', ...templateLabels('baseline', 'shop') },
    ]);
    expect(replicaSet(namespace, 'shop-st4ble')?.spec.replicas).toBe(2);

    const rolloutStable = replicaSet(namespace, 'shop-st4ble')?.metadata.uid;
    controlPlane.deleteRollout(experiment, 3);
    await eventually(() => expect(removed(running, experiment)).toBe(true));
    expect([replicaSet(namespace, 'shop-baseline'), service(namespace, 'shop-baseline')]).toEqual([undefined, undefined]);
    expect(replicaSet(namespace, 'shop-st4ble')?.metadata.uid).toBe(rolloutStable);
    await eventually(() => {
      const lastOfRollout = controlPlane.received
        .filter((message): message is Observed => observedShop(namespace, () => true)(message))
        .at(-1);
      expect(lastOfRollout === undefined ? undefined : hashesOf(lastOfRollout)).toEqual(['st4ble']);
    });
  });

  it('outlives the deletion of the rollout of its name, and is removed once a snapshot no longer lists it', async () => {
    const namespace = nextNamespace();
    const rollout = { namespace, name: 'shop' };
    const experiment = standaloneShop(namespace);
    const running = await start();
    const { controlPlane } = running;
    controlPlane.desired.set(rolloutKeyString(rollout), shop(namespace, 1));
    controlPlane.desired.set(rolloutKeyString(experiment), standaloneExperiment(namespace, 1, ['baseline']));
    await controlPlane.waitFor(observedFor(experiment, (message) => hashesOf(message).join() === 'x-baseline' && allAvailable(message)));
    await eventually(() => expect(replicaSet(namespace, 'shop-st4ble')).toBeDefined());
    const experimentObjects = [replicaSet(namespace, 'shop-baseline')?.metadata.uid, service(namespace, 'shop-baseline')?.metadata.uid];

    controlPlane.deleteRollout(rollout, 2);
    await eventually(() => expect(removed(running, rollout)).toBe(true));
    expect(replicaSet(namespace, 'shop-st4ble')).toBeUndefined();
    expect([replicaSet(namespace, 'shop-baseline')?.metadata.uid, service(namespace, 'shop-baseline')?.metadata.uid]).toEqual(
      experimentObjects,
    );

    controlPlane.desired.delete(rolloutKeyString(experiment));
    controlPlane.dropConnection();
    await eventually(() => expect(removed(running, experiment)).toBe(true));
    expect([replicaSet(namespace, 'shop-baseline'), service(namespace, 'shop-baseline')]).toEqual([undefined, undefined]);
    expect(controlPlane.connections).toBe(2);
  });
});

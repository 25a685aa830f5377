import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import {
  PROTOCOL_VERSION,
  rolloutKeyString,
  type DesiredRollout,
  type DesiredRolloutState,
  type ObservedRolloutState,
  type RolloutKey,
} from '@flotilla/protocol';
import { RolloutApplier } from './apply/rollout-applier.js';
import type { AgentConfig, TokenSource } from './config/agent-config.js';
import { ControlPlaneConnection, type ConnectionHandlers } from './connection/control-plane-connection.js';
import { DesiredStore, type DesiredChange } from './desired/desired-store.js';
import { ClusterState, ownerKeyOf, replicaSetOfPod } from './kube/cluster-state.js';
import { EventCaches } from './kube/event-caches.js';
import { KubeClient } from './kube/kube-client.js';
import { loadKubeConfig } from './kube/kube-config.js';
import { lazyMeasurementTaker } from './measure/lazy-measurement-taker.js';
import { MeasurementScheduler, type MeasurementStats } from './measure/measurement-scheduler.js';
import type { EventObject, KubeObject } from './kube/kube-object.js';
import { isStatusReport, type CacheChange } from './kube/object-cache.js';
import { PODS, REPLICA_SETS, type Resource } from './kube/resources.js';
import { ObservationPublisher, type ObservedMessage } from './observe/observation-publisher.js';
import { observedEvents } from './observe/observed-events.js';
import { observedReplicaSet } from './observe/observed-replica-set.js';
import { servedCanaryWeight } from './observe/router-weights.js';
import { fallbackState, HubLossGuard } from './reconcile/hub-loss.js';
import { ReferenceIndex, referencedObjects, referencedResourceOfKind } from './reconcile/reference-index.js';
import { KeyedWorkQueue } from './reconcile/work-queue.js';
import { AGENT_VERSION } from './version.js';

export interface AgentStats {
  connected: boolean;
  rollouts: number;
  /** Rollouts running on their hub-loss fallback right now. */
  activeFallbacks: number;
  /** Times a rollout was switched to its fallback since the agent started. */
  fallbacksTaken: number;
  /** API writes made since the agent started. */
  writes: number;
  measurements: MeasurementStats;
}

export interface AgentHandle {
  /** Stops watching and reconnecting and closes the connection; the cluster is left as it is. */
  stop(): Promise<void>;
  /** Settles when the agent gives up on its own (the control plane cannot talk to it), with the reason. */
  readonly stopped: Promise<string>;
  stats(): AgentStats;
}

/** Observations wait at most this long while the agent is busy applying changes. */
const OBSERVE_MAX_DEFER_MS = 1000;

async function readToken(source: TokenSource): Promise<string> {
  return source.kind === 'value' ? source.token : (await readFile(source.path, 'utf8')).trim();
}

/**
 * Starts an agent: watches the cluster, connects to the control plane and converges every rollout the control
 * plane describes, level-triggered, reporting what it observes.
 * @example const agent = startAgent(loadAgentConfig(process.env), pino()); … await agent.stop();
 */
export function startAgent(config: AgentConfig, logger: Logger): AgentHandle {
  const kubeConfig = loadKubeConfig({ kubeconfig: config.kubeconfigPath });
  const kube = new KubeClient(kubeConfig);
  const store = new DesiredStore();
  const removals = new Map<string, RolloutKey>();
  const references = new ReferenceIndex();
  const appliedVersions = new Map<string, number>();
  const announcedVersions = new Map<string, number>();
  let writes = 0;
  let kubernetesVersion: string | undefined;

  const effectiveState = (key: string, desired: DesiredRollout): DesiredRolloutState => {
    const since = hubLoss.fallbackSince(key);
    return (since === undefined ? undefined : fallbackState(desired, since)) ?? desired.state;
  };

  const restartUnderWay = (key: string): boolean => {
    const desired = store.get(key);
    return desired !== undefined && effectiveState(key, desired).replicaSets.some((replicaSet) => replicaSet.restart !== undefined);
  };

  /** Status reports of ReplicaSets, and pods outside a restart, change what is observed but never what to write. */
  const callsForWrites = (resource: Resource, change: CacheChange<KubeObject>, key: string): boolean => {
    if (resource === PODS) return restartUnderWay(key);
    return resource !== REPLICA_SETS || !isStatusReport(change);
  };

  /** The key string of the rollout whose ReplicaSet controls a pod, or undefined. */
  const ownerKeyOfPod = (pod: KubeObject): string | undefined => {
    const owner = replicaSetOfPod(pod);
    const replicaSet =
      owner === undefined ? undefined : cluster.replicaSets.get(pod.metadata.namespace, owner.slice(owner.indexOf('/') + 1));
    return replicaSet && ownerKeyOf(replicaSet);
  };

  const objectChanged = (resource: Resource, change: CacheChange<KubeObject>): void => {
    const object = change.object;
    let keys: Iterable<string>;
    if (resource === REPLICA_SETS) keys = [ownerKeyOf(object)].filter((key): key is string => key !== undefined);
    else if (resource === PODS) keys = [ownerKeyOfPod(object)].filter((key): key is string => key !== undefined);
    else keys = references.rolloutsReferring(resource, object.metadata.namespace ?? '', object.metadata.name);
    for (const key of keys) {
      if (store.get(key) === undefined && !removals.has(key)) continue;
      if (callsForWrites(resource, change, key)) queue.add(key);
      publisher.changed(key);
    }
  };

  /** The rollouts an Event is about: through its Rollout, ReplicaSet, pod, or a Service or router object they refer to. */
  const rolloutsOfEvent = (event: EventObject): Iterable<string> => {
    const namespace = event.metadata.namespace ?? '';
    const { kind, name } = event.involvedObject;
    if (kind === undefined || name === undefined) return [];
    if (kind === 'Rollout' || kind === 'Experiment')
      return [rolloutKeyString(kind === 'Rollout' ? { namespace, name } : { namespace, name, kind })];
    if (kind === REPLICA_SETS.kind) {
      const replicaSet = cluster.replicaSets.get(namespace, name);
      return [replicaSet && ownerKeyOf(replicaSet)].filter((key): key is string => key !== undefined);
    }
    if (kind === PODS.kind) {
      const pod = cluster.pods.get(namespace, name);
      return [pod && ownerKeyOfPod(pod)].filter((key): key is string => key !== undefined);
    }
    const resource = referencedResourceOfKind(kind);
    return resource === undefined ? [] : references.rolloutsReferring(resource, namespace, name);
  };

  const eventChanged = (event: EventObject): void => {
    for (const key of rolloutsOfEvent(event)) if (store.get(key) !== undefined) publisher.changed(key);
  };

  const cluster = new ClusterState(kube, objectChanged, logger);
  const events = new EventCaches(kube, eventChanged, logger);
  const applier = new RolloutApplier(kube, cluster);

  const converge = async (key: string): Promise<void> => {
    await cluster.whenSynced();
    const desired = store.get(key);
    if (desired === undefined) {
      const rollout = removals.get(key);
      if (rollout === undefined) return;
      writes += await applier.remove(rollout);
      removals.delete(key);
      connection.send({ type: 'removed', rollout });
      logger.info({ rollout: key }, 'removed the objects of a deleted rollout');
      return;
    }
    writes += await applier.converge(desired.rollout, effectiveState(key, desired));
    appliedVersions.set(key, desired.desiredVersion);
    if (
      announcedVersions.get(key) !== desired.desiredVersion &&
      connection.send({ type: 'applied', rollout: desired.rollout, desiredVersion: desired.desiredVersion })
    ) {
      announcedVersions.set(key, desired.desiredVersion);
    }
    publisher.changed(key);
  };

  const queue = new KeyedWorkQueue(converge, {
    concurrency: config.concurrency,
    retry: { baseMs: 1000, capMs: 30_000 },
    failed: (key, error, retryInMs) => logger.error({ rollout: key, err: error, retryInMs }, 'could not converge rollout'),
  });

  const observe = (key: string): ObservedMessage | undefined => {
    const desired = store.get(key);
    if (desired === undefined) return undefined;
    const state = effectiveState(key, desired);
    const serviceNames = new Set([
      ...desired.serviceNames,
      ...Object.values(state.services).flatMap((selector) => (selector ? [selector.service] : [])),
    ]);
    const serviceSelectors: ObservedRolloutState['serviceSelectors'] = {};
    for (const name of serviceNames)
      serviceSelectors[name] = cluster.services.get(desired.rollout.namespace, name)?.spec.selector?.['rollouts-pod-template-hash'];
    const trafficWeights: ObservedRolloutState['trafficWeights'] = {};
    if (state.trafficRouting !== undefined) {
      const weight = servedCanaryWeight(desired.rollout, state.trafficRouting, (resource, namespace, name) =>
        cluster.peekRouter(resource, namespace, name),
      );
      if (weight !== undefined) trafficWeights[state.trafficRouting.router] = weight;
    }
    const involved = [
      { kind: desired.rollout.kind ?? 'Rollout', name: desired.rollout.name },
      ...references.objectsOf(key, desired.rollout.namespace),
    ];
    const replicaSets = cluster
      .replicaSetsOf(desired.rollout)
      .map((replicaSet) => {
        const pods = cluster.podsOf(replicaSet);
        involved.push(
          { kind: REPLICA_SETS.kind, name: replicaSet.metadata.name },
          ...pods.map((pod) => ({ kind: PODS.kind, name: pod.metadata.name })),
        );
        return observedReplicaSet(replicaSet, pods);
      })
      .sort((left, right) => left.podTemplateHash.localeCompare(right.podTemplateHash));
    return {
      type: 'observed',
      rollout: desired.rollout,
      desiredVersion: appliedVersions.get(key) ?? 0,
      state: {
        replicaSets,
        serviceSelectors,
        trafficWeights,
        events: observedEvents(events.about(desired.rollout.namespace, involved)),
        observedAt: new Date().toISOString(),
      },
    };
  };

  const publisher = new ObservationPublisher(
    observe,
    () => [...store.all()].map((desired) => rolloutKeyString(desired.rollout)),
    (message) => connection.send(message),
    {
      debounceMs: config.observeDebounceMs,
      intervalMs: config.observeIntervalMs,
      deferWhile: () => queue.busy,
      maxDeferMs: OBSERVE_MAX_DEFER_MS,
      sha256Hex: (text) => createHash('sha256').update(text).digest('hex'),
    },
  );

  const hubLoss = new HubLossGuard(
    (key, since) => {
      logger.warn(
        { rollout: key, since, fallbacksTaken: hubLoss.fallbacksTaken },
        'control plane unreachable: converging rollout to its hub-loss fallback',
      );
      queue.add(key);
    },
    () => new Date(),
  );

  const applyChanges = (changes: DesiredChange[]): void => {
    for (const change of changes) {
      if (change.type === 'changed') {
        if (hubLoss.resume(change.key)) logger.info({ rollout: change.key }, 'control plane state replaces the hub-loss fallback');
        removals.delete(change.key);
        references.set(change.key, referencedObjects(change.desired, change.desired.state));
        events.hold(change.key, change.desired.rollout.namespace);
      } else {
        hubLoss.resume(change.key);
        references.remove(change.key);
        events.release(change.key, change.rollout.namespace);
        removals.set(change.key, change.rollout);
        appliedVersions.delete(change.key);
        announcedVersions.delete(change.key);
        publisher.forget(change.key);
      }
      queue.add(change.key);
    }
  };

  /** Removes a rollout the store does not hold, with whatever the agent created for it, then answers `removed`. */
  const removeUnheld = (rollout: RolloutKey): void => {
    const key = rolloutKeyString(rollout);
    removals.set(key, rollout);
    queue.add(key);
  };

  // Set by a snapshot: the objects of rollouts it leaves out are then removed once the caches have synced, also
  // those of rollouts deleted while the agent was not running (it never held them, the control plane no longer does).
  let sweepPending = false;
  const sweepOrphans = async (): Promise<void> => {
    if (!sweepPending) return;
    await cluster.whenSynced();
    if (!sweepPending) return;
    sweepPending = false;
    for (const [key, owner] of cluster.ownersOfObjects()) {
      if (store.get(key) !== undefined || removals.has(key)) continue;
      logger.info({ rollout: key }, 'removing the objects of a rollout the snapshot leaves out');
      removeUnheld(owner);
    }
  };
  const trySweepOrphans = (): void => {
    sweepOrphans().catch((error: unknown) =>
      logger.warn({ err: error }, 'cannot look for objects of rollouts the snapshot leaves out yet; trying again at the next resync'),
    );
  };

  let resolveStopped: (reason: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => {
    resolveStopped = resolve;
  });

  const measurements = new MeasurementScheduler({
    concurrency: config.measurementConcurrency,
    take: lazyMeasurementTaker({ kube, kubeConfig, agentNamespace: config.agentNamespace }),
    send: (answer) => connection.send(answer),
    logger,
  });

  const handlers: ConnectionHandlers = {
    welcomed: (welcome) => {
      hubLoss.connected();
      measurements.connected();
      announcedVersions.clear();
      if (hubLoss.activeFallbacks > 0)
        logger.warn(
          { activeFallbacks: hubLoss.activeFallbacks, fallbacksTaken: hubLoss.fallbacksTaken },
          'reconnected while rollouts run on their hub-loss fallback',
        );
      publisher.connected(welcome.observationDigests === true);
    },
    message: (message) => {
      switch (message.type) {
        case 'snapshot':
          applyChanges(store.replaceAll(message.rollouts));
          sweepPending = true;
          trySweepOrphans();
          return;
        case 'desired':
          applyChanges(store.put(message.desired));
          return;
        case 'deleted': {
          applyChanges(store.remove(message.rollout, message.desiredVersion));
          // A deletion sent again (its `removed` was lost), or of a rollout deleted while the agent was not running:
          // whatever is left of it goes before `removed`.
          const key = rolloutKeyString(message.rollout);
          if (store.get(key) === undefined && !removals.has(key)) removeUnheld(message.rollout);
          return;
        }
        case 'measure':
          measurements.submit(message.request);
          return;
        case 'cancel':
          measurements.cancel(message.requestIds);
          return;
        case 'observeAgain':
          publisher.observeAgain(message.rollouts.map(rolloutKeyString));
          return;
      }
    },
    disconnected: () => {
      logger.warn({ rollouts: store.size }, 'lost the control plane; keeping the last desired state');
      hubLoss.connectionLost([...store.all()].map((desired) => [rolloutKeyString(desired.rollout), desired]));
    },
    fatal: (reason) => {
      logger.fatal({ reason }, 'the control plane cannot serve this agent; stopping');
      void handle.stop().then(() => resolveStopped(reason));
    },
  };

  const connection = new ControlPlaneConnection(
    {
      url: config.controlPlaneUrl,
      token: () => readToken(config.token),
      hello: async () => {
        kubernetesVersion ??= await kube.serverVersion().catch((error: unknown) => {
          logger.warn({ err: error }, 'cannot read the Kubernetes version');
          return undefined;
        });
        return { type: 'hello', protocolVersion: PROTOCOL_VERSION, agentVersion: AGENT_VERSION, kubernetesVersion };
      },
      reconnect: config.reconnect,
      welcomeTimeoutMs: config.welcomeTimeoutMs,
      logger,
    },
    handlers,
  );

  const resync = setInterval(() => {
    for (const desired of store.all()) queue.add(rolloutKeyString(desired.rollout));
    trySweepOrphans();
  }, config.resyncIntervalMs);

  let stopping: Promise<void> | undefined;
  const handle: AgentHandle = {
    stop: () => {
      stopping ??= (async () => {
        clearInterval(resync);
        queue.stop();
        publisher.stop();
        hubLoss.stop();
        await measurements.stop();
        await connection.stop();
        cluster.stop();
        events.stop();
        kube.close();
      })();
      return stopping;
    },
    stopped,
    stats: () => ({
      connected: connection.isConnected,
      rollouts: store.size,
      activeFallbacks: hubLoss.activeFallbacks,
      fallbacksTaken: hubLoss.fallbacksTaken,
      writes,
      measurements: measurements.stats(),
    }),
  };

  cluster.start();
  connection.start();
  logger.info({ controlPlane: config.controlPlaneUrl, version: AGENT_VERSION }, 'agent started');
  return handle;
}

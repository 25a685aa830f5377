import {
  AGENT_PATH,
  decodeControlPlaneMessage,
  observationDigest,
  PROTOCOL_VERSION,
  rolloutKeyString,
  type AgentMessage,
  type DesiredRollout,
  type MeasurementRequest,
  type ObservationDigestEntry,
  type ObservedReplicaSet,
  type ObservedRolloutState,
} from '@flotilla/protocol';
import { websocketText } from '@flotilla/service-runtime';
import { createHash } from 'node:crypto';
import WebSocket from 'ws';
import { reactionLatency, startsRevision, type RolloutCauses } from './reaction-clock.js';

export interface VirtualClusterOptions {
  name: string;
  apiUrl: string;
  token: string;
  /** From a desired state's arrival until its new pods are ready. */
  applyDelayMs: number;
  /** Every rollout is observed again this often, changed or not, as an agent does. */
  observeIntervalMs: number;
  /** Timed pauses of each rollout by name (see `timedPauses`). */
  pausesOf: (name: string) => ReadonlyMap<number, number>;
}

/** What the fleet's clusters saw, shared by all of them. */
export interface FleetRecord {
  /** Milliseconds from what caused a desired state to its arrival, for every desired state that did not start a revision. */
  reactions: number[];
  /** When each cluster first received a desired state running an image, by `<cluster>/<namespace>/<name>@<image>`. */
  imageFirstSeen: Map<string, number>;
  measurementsAnswered: number;
  /** Protocol errors and unexpected closes. */
  errors: string[];
}

interface VirtualRollout {
  desired: DesiredRollout;
  observed: ObservedRolloutState;
  /** The last observation sent, without its time, to tell a change from a repeat. */
  lastSentShape: string;
  /** `observationDigest` of the last observation sent, once a periodic report needed it. */
  lastSentDigest: string | undefined;
  causes: RolloutCauses;
  readyTimer: NodeJS.Timeout | undefined;
}

const ANSWER = { ok: true, value: 1, rawValue: '1' } as const;
const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * One cluster with its agent, held in memory: it speaks the agent protocol over its own WebSocket, applies every
 * desired state at once (ReplicaSets take their size, new pods become ready `applyDelayMs` later), reports what it
 * holds as an agent does, and answers every measurement with success.
 */
export class VirtualCluster {
  private socket: WebSocket | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private resync: NodeJS.Timeout | undefined;
  /** The control plane's `welcome` said it takes `observedDigests` for unchanged periodic reports. */
  private digestsTaken = false;
  private readonly rollouts = new Map<string, VirtualRollout>();
  private welcomed: (() => void) | undefined;

  constructor(
    private readonly options: VirtualClusterOptions,
    private readonly record: FleetRecord,
  ) {}

  /** Opens the connection and resolves once the control plane has welcomed it. */
  async connect(): Promise<void> {
    const socket = new WebSocket(`${this.options.apiUrl.replace(/^http/, 'ws')}${AGENT_PATH}`, {
      headers: { authorization: `Bearer ${this.options.token}` },
    });
    this.socket = socket;
    const welcomed = new Promise<void>((resolve) => (this.welcomed = resolve));
    socket.on('message', (data) => this.receive(websocketText(data)));
    socket.on('close', (code) => {
      if (this.socket === socket) this.record.errors.push(`${this.options.name}: connection closed (${code})`);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    this.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, agentVersion: 'fleet-simulator', kubernetesVersion: 'v1.31.0' });
    await welcomed;
    this.resync = setInterval(() => this.observeAll(), this.options.observeIntervalMs);
  }

  close(): void {
    clearInterval(this.heartbeat);
    clearInterval(this.resync);
    for (const rollout of this.rollouts.values()) clearTimeout(rollout.readyTimer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close();
  }

  private receive(text: string): void {
    const message = decodeControlPlaneMessage(text);
    switch (message.type) {
      case 'welcome':
        this.digestsTaken = message.observationDigests === true;
        clearInterval(this.heartbeat);
        this.heartbeat = setInterval(
          () => this.send({ type: 'heartbeat', sentAt: new Date().toISOString() }),
          message.heartbeatIntervalSeconds * 1000,
        );
        this.welcomed?.();
        break;
      case 'snapshot':
        for (const desired of message.rollouts) this.converge(desired);
        break;
      case 'desired':
        this.converge(message.desired);
        break;
      case 'deleted':
        this.rollouts.delete(rolloutKeyString(message.rollout));
        break;
      case 'measure':
        this.answer(message.request);
        break;
      case 'observeAgain':
        for (const key of message.rollouts) {
          const rollout = this.rollouts.get(rolloutKeyString(key));
          if (rollout) this.observe(rollout);
        }
        break;
      case 'error':
        this.record.errors.push(`${this.options.name}: ${message.code} ${message.message}`);
        break;
    }
  }

  private converge(desired: DesiredRollout): void {
    const key = rolloutKeyString(desired.rollout);
    const known = this.rollouts.get(key);
    if (known && known.desired.desiredVersion >= desired.desiredVersion) return;
    const now = Date.now();
    if (known) {
      if (startsRevision(known.desired.state, desired.state)) this.noteImages(desired, now);
      else {
        const latency = reactionLatency(known.desired.state, known.causes, this.options.pausesOf(desired.rollout.name), now);
        if (latency !== undefined) this.record.reactions.push(latency);
      }
      clearTimeout(known.readyTimer);
    }
    const rollout: VirtualRollout = known ?? {
      desired,
      observed: { replicaSets: [], serviceSelectors: {}, trafficWeights: {}, observedAt: '' },
      lastSentShape: '',
      lastSentDigest: undefined,
      causes: { changedObservationAt: undefined, answeredAt: undefined },
      readyTimer: undefined,
    };
    rollout.desired = desired;
    this.rollouts.set(key, rollout);
    this.send({ type: 'applied', rollout: desired.rollout, desiredVersion: desired.desiredVersion });
    rollout.observed = appliedState(rollout.observed, desired, false);
    this.observe(rollout);
    rollout.readyTimer = setTimeout(() => {
      rollout.readyTimer = undefined;
      rollout.observed = appliedState(rollout.observed, desired, true);
      this.observe(rollout);
    }, this.options.applyDelayMs);
  }

  private noteImages(desired: DesiredRollout, now: number): void {
    const { namespace, name } = desired.rollout;
    for (const replicaSet of desired.state.replicaSets)
      for (const container of replicaSet.template.spec?.containers ?? []) {
        const key = `${this.options.name}/${namespace}/${name}@${container.image ?? ''}`;
        if (!this.record.imageFirstSeen.has(key)) this.record.imageFirstSeen.set(key, now);
      }
  }

  private observe(rollout: VirtualRollout): void {
    const { observedAt: _, ...shape } = rollout.observed;
    const text = JSON.stringify(shape);
    if (text !== rollout.lastSentShape) {
      rollout.lastSentShape = text;
      rollout.lastSentDigest = undefined;
      rollout.causes.changedObservationAt = Date.now();
    }
    const { desired } = rollout;
    this.send({
      type: 'observed',
      rollout: desired.rollout,
      desiredVersion: desired.desiredVersion,
      state: { ...rollout.observed, observedAt: new Date().toISOString() },
    });
  }

  /** The periodic report: every observation in full, or by its digest when the control plane takes digests. */
  private observeAll(): void {
    if (!this.digestsTaken) {
      for (const rollout of this.rollouts.values()) this.observe(rollout);
      return;
    }
    const unchanged: ObservationDigestEntry[] = [];
    for (const rollout of this.rollouts.values()) {
      rollout.lastSentDigest ??= observationDigest(rollout.observed, sha256Hex);
      unchanged.push({ rollout: rollout.desired.rollout, desiredVersion: rollout.desired.desiredVersion, digest: rollout.lastSentDigest });
    }
    if (unchanged.length > 0) this.send({ type: 'observedDigests', rollouts: unchanged });
  }

  private answer(request: MeasurementRequest): void {
    const owner = this.ownerOf(request.run.namespace, request.run.name);
    if (owner) owner.causes.answeredAt = Date.now();
    this.record.measurementsAnswered += 1;
    this.send({ type: 'measurement', requestId: request.requestId, outcome: ANSWER });
  }

  /** The rollout whose analysis run this is: run names start with the rollout's name. */
  private ownerOf(namespace: string, runName: string): VirtualRollout | undefined {
    let owner: VirtualRollout | undefined;
    let ownerNameLength = 0;
    for (const rollout of this.rollouts.values()) {
      const { name } = rollout.desired.rollout;
      if (rollout.desired.rollout.namespace === namespace && runName.startsWith(`${name}-`) && name.length > ownerNameLength) {
        owner = rollout;
        ownerNameLength = name.length;
      }
    }
    return owner;
  }

  private send(message: AgentMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }
}

/**
 * The cluster once it has applied `desired`: every ReplicaSet at its size, Services and routers as asked; pods that
 * already ran stay ready, new ones are ready only when `podsReady`.
 */
export function appliedState(before: ObservedRolloutState, desired: DesiredRollout, podsReady: boolean): ObservedRolloutState {
  const previous = new Map(before.replicaSets.map((replicaSet) => [replicaSet.podTemplateHash, replicaSet]));
  const now = new Date().toISOString();
  const replicaSets = desired.state.replicaSets.map((wanted): ObservedReplicaSet => {
    const ready = podsReady ? wanted.replicas : Math.min(previous.get(wanted.podTemplateHash)?.readyReplicas ?? 0, wanted.replicas);
    return {
      podTemplateHash: wanted.podTemplateHash,
      labels: wanted.labels,
      annotations: wanted.annotations,
      replicas: wanted.replicas,
      currentReplicas: wanted.replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      template: wanted.template,
      podProblems: [],
      oldestPodCreatedAt: previous.get(wanted.podTemplateHash)?.oldestPodCreatedAt ?? now,
    };
  });
  const serviceSelectors: Record<string, string | undefined> = Object.fromEntries(desired.serviceNames.map((name) => [name, undefined]));
  for (const selector of Object.values(desired.state.services)) if (selector) serviceSelectors[selector.service] = selector.podTemplateHash;
  const routing = desired.state.trafficRouting;
  return {
    replicaSets,
    serviceSelectors,
    trafficWeights: routing ? { [routing.router]: routing.canaryWeight } : {},
    observedAt: now,
  };
}

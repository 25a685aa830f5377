import {
  AGENT_PATH,
  decodeControlPlaneMessage,
  type AgentMessage,
  type ControlPlaneMessage,
  type DesiredRollout,
  type MeasurementOutcome,
  type MeasurementRequest,
  type ObservedRolloutState,
} from '@flotilla/protocol';
import WebSocket from 'ws';

/**
 * A stand-in for a cluster with its agent, speaking the real protocol over a real WebSocket: whatever the control
 * plane asks for is at once there, every pod ready. It tests the control plane's side; the real agent and
 * Kubernetes simulator have their own end-to-end tests.
 */
/** Answers a measurement as a metric backend would; `undefined` leaves the request unanswered. */
export type MeasurementResponder = (request: MeasurementRequest) => MeasurementOutcome | undefined;

const HEARTBEAT_INTERVAL_MS = 2000;

export class ConvergingAgent {
  private socket: WebSocket | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  readonly desired = new Map<string, DesiredRollout>();
  /** Every measurement the control plane asked for, in order. */
  readonly measurementRequests: MeasurementRequest[] = [];
  /** The messages lost on purpose (`loseNext`), in order. */
  readonly lost: ControlPlaneMessage[] = [];
  private readonly toLose: Array<ControlPlaneMessage['type']> = [];
  /** What a cluster adds to the observations of a rollout (its pods, its Events), by `namespace/name`. */
  private readonly additions = new Map<string, (state: ObservedRolloutState) => ObservedRolloutState>();

  constructor(
    private readonly apiUrl: string,
    private readonly token: string,
    private readonly respond: MeasurementResponder = () => undefined,
  ) {}

  async connect(): Promise<void> {
    const socket = new WebSocket(`${this.apiUrl.replace(/^http/, 'ws')}${AGENT_PATH}`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    this.socket = socket;
    socket.on('message', (data) => this.receive((data as Buffer).toString()));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    this.send({ type: 'hello', protocolVersion: 1, agentVersion: 'converging-test-agent', kubernetesVersion: 'v1.30.0' });
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => this.send({ type: 'heartbeat', sentAt: new Date().toISOString() }), HEARTBEAT_INTERVAL_MS);
    this.heartbeat.unref();
  }

  /** The next message of this type is received and dropped, as if it never arrived. */
  loseNext(type: ControlPlaneMessage['type']): void {
    this.toLose.push(type);
  }

  disconnect(): void {
    clearInterval(this.heartbeat);
    this.socket?.terminate();
    this.socket = undefined;
  }

  private receive(text: string): void {
    const message = decodeControlPlaneMessage(text);
    const losing = this.toLose.indexOf(message.type);
    if (losing >= 0) {
      this.toLose.splice(losing, 1);
      this.lost.push(message);
    } else if (message.type === 'snapshot') {
      this.desired.clear();
      for (const desired of message.rollouts) this.converge(desired);
    } else if (message.type === 'desired') {
      this.converge(message.desired);
    } else if (message.type === 'deleted') {
      this.desired.delete(`${message.rollout.namespace}/${message.rollout.name}`);
      this.send({ type: 'removed', rollout: message.rollout });
    } else if (message.type === 'measure') {
      this.measurementRequests.push(message.request);
      const outcome = this.respond(message.request);
      if (outcome) this.send({ type: 'measurement', requestId: message.request.requestId, outcome });
    }
  }

  /** Answers a request later, on whatever connection is open now. */
  answer(requestId: string, outcome: MeasurementOutcome): void {
    this.send({ type: 'measurement', requestId, outcome });
  }

  /** From now on, observations of a rollout (`namespace/name`) carry what `add` puts in them; one is sent at once. */
  observeWith(key: string, add: (state: ObservedRolloutState) => ObservedRolloutState): void {
    this.additions.set(key, add);
    const desired = this.desired.get(key);
    if (desired) this.sendObserved(key, desired);
  }

  private sendObserved(key: string, desired: DesiredRollout): void {
    const state = observedFrom(desired);
    const add = this.additions.get(key);
    this.send({ type: 'observed', rollout: desired.rollout, desiredVersion: desired.desiredVersion, state: add ? add(state) : state });
  }

  private converge(desired: DesiredRollout): void {
    const key = `${desired.rollout.namespace}/${desired.rollout.name}`;
    const known = this.desired.get(key);
    if (known && known.desiredVersion > desired.desiredVersion) return;
    this.desired.set(key, desired);
    this.send({ type: 'applied', rollout: desired.rollout, desiredVersion: desired.desiredVersion });
    this.sendObserved(key, desired);
  }

  private send(message: AgentMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }
}

export function observedFrom(desired: DesiredRollout): ObservedRolloutState {
  const { state } = desired;
  const selectors: Record<string, string | undefined> = Object.fromEntries(desired.serviceNames.map((name) => [name, undefined]));
  for (const selector of Object.values(state.services)) if (selector) selectors[selector.service] = selector.podTemplateHash;
  return {
    replicaSets: state.replicaSets.map((replicaSet) => ({
      podTemplateHash: replicaSet.podTemplateHash,
      labels: replicaSet.labels,
      annotations: replicaSet.annotations,
      replicas: replicaSet.replicas,
      currentReplicas: replicaSet.replicas,
      readyReplicas: replicaSet.replicas,
      availableReplicas: replicaSet.replicas,
      template: replicaSet.template,
      podProblems: [],
      oldestPodCreatedAt: new Date().toISOString(),
    })),
    serviceSelectors: selectors,
    trafficWeights: state.trafficRouting ? { [state.trafficRouting.router]: state.trafficRouting.canaryWeight } : {},
    observedAt: new Date().toISOString(),
  };
}

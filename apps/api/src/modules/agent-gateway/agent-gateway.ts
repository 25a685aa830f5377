import { Inject, Injectable, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { jsonEqual } from '@flotilla/argo-spec';
import {
  AGENT_PATH,
  CLOSE_CODES,
  decodeAgentMessage,
  observationDigest,
  PROTOCOL_VERSION,
  ProtocolError,
  rolloutKeyString,
  type AgentMessage,
  type ControlPlaneMessage,
  type MeasurementOutcome,
  type MeasurementRequest,
  type ObservationDigestEntry,
  type RolloutKey,
  type ObservedRolloutState,
  type Sha256Hex,
} from '@flotilla/protocol';
import { createHash } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { requestPath, websocketText, type Logger } from '@flotilla/service-runtime';
import { clientAddressOf, compileProxyTrust, type ProxyTrust } from '../../common/http/client-address.js';
import {
  AnalysisQueries,
  ClusterStore,
  ExperimentStore,
  resolvedMetricOf,
  RolloutStore,
  systemScope,
  type ClusterRecord,
  type ExperimentRecord,
  type RolloutRecord,
} from '@flotilla/stores';
import {
  type ClusterSubscription,
  type EventBus,
  measurementOfRequest,
  measurementRequest,
  type DesiredStateChanged,
} from '@flotilla/events';
import { ANALYSIS_QUEUE, API_CONFIG, EVENT_BUS, LOGGER, RECONCILE_QUEUE } from '../../infrastructure/tokens.js';
import type { ApiConfig } from '../../config/api-config.js';
import type { AnalysisQueue, ReconcileQueue } from '@flotilla/queues';
import { AgentMessageRate } from './agent-message-rate.js';
import { AnswerCollector } from './answer-collector.js';
import { HandshakeGuard, refuseConnection } from './handshake-guard.js';
import { toDesiredExperiment, toDesiredRollout } from './desired-rollout.js';
import { ApiMetrics } from '../health/metrics.js';
import { ServingState } from '../health/serving-state.js';

const HEARTBEAT_WRITE_INTERVAL_MS = 5_000;

/** The GraphQL subscription server (common/graphql/subscription-server.ts) takes every upgrade whose target starts with this. */
const GRAPHQL_SUBSCRIPTION_PATH = '/graphql';

/** WebSocket's "try again later": the agent reconnects with its backoff and gets a snapshot. */
const CLOSE_TRY_AGAIN_LATER = 1013;

/** The gateway acts for the cluster whose agent's token it checked, whatever its organization. */
const GATEWAY_SCOPE = systemScope('agent-gateway');

interface AgentConnection {
  clusterId: string;
  clusterName: string;
  organizationId: string;
  socket: WebSocket;
  /** When this connection last recorded the agent as heard of (ms since the epoch). */
  lastHeartbeatWrite: number;
  answers: AnswerCollector;
  /** Whether the first message, which must be the hello, has arrived. It is never dropped; the rate applies from the second on. */
  greeted: boolean;
  /** The size of the snapshot sent: the agent may leave that much unread beyond `maxBufferedBytes` (see `send`). */
  snapshotBytes: number;
  rate: AgentMessageRate;
  /** The last message being handled of each rollout, so that the next one waits for it (see `inOrder`). */
  handling: Map<string, Promise<void>>;
  /** The cluster's events this connection listens to, from its hello on. */
  subscriptions: ClusterSubscription[];
}

/** The time part of an observation changes every report; only the rest says whether the cluster changed. */
const withoutTime = (state: ObservedRolloutState | null): unknown => (state ? { ...state, observedAt: undefined } : null);
const sameObservation = (stored: ObservedRolloutState | null, reported: ObservedRolloutState): boolean =>
  jsonEqual(withoutTime(stored), withoutTime(reported));
const sha256Hex: Sha256Hex = (text) => createHash('sha256').update(text).digest('hex');

/**
 * The control plane's end of the agent protocol: agents connect out to `AGENT_PATH`, get every desired state
 * of their cluster on connection and each change after it, and report what they observe. Observations that
 * change something are stored and trigger a reconcile; the connection state of the cluster is kept current.
 */
@Injectable()
export class AgentGateway implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly server: WebSocketServer;
  private readonly connections = new Map<string, AgentConnection>();
  /** Disconnections being recorded; shutdown waits for them before the database client closes. */
  private readonly disconnections = new Set<Promise<void>>();
  private readonly handshakes: HandshakeGuard;
  private readonly proxyTrust: ProxyTrust;
  private readonly log: Logger;

  constructor(
    private readonly httpAdapterHost: HttpAdapterHost,
    private readonly analysisQueries: AnalysisQueries,
    private readonly clusters: ClusterStore,
    private readonly rollouts: RolloutStore,
    private readonly experiments: ExperimentStore,
    @Inject(EVENT_BUS) private readonly eventBus: EventBus,
    @Inject(RECONCILE_QUEUE) private readonly reconcileQueue: ReconcileQueue,
    @Inject(ANALYSIS_QUEUE) private readonly analysisQueue: AnalysisQueue,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly metrics: ApiMetrics,
    private readonly serving: ServingState,
  ) {
    this.server = new WebSocketServer({ noServer: true, maxPayload: config.agent.maxMessageBytes });
    this.handshakes = new HandshakeGuard(config.agent.handshakeTimeoutMs, config.agent.maxPendingHandshakesPerAddress);
    this.proxyTrust = compileProxyTrust(config.trustedProxies);
    this.log = logger.child({ component: 'agent-gateway' });
  }

  onApplicationBootstrap(): void {
    const httpServer = this.httpAdapterHost.httpAdapter.getHttpServer() as Server;
    httpServer.on('connection', (socket: Duplex) => this.handshakes.arm(socket, 408));
    httpServer.on('request', (request: IncomingMessage) => this.handshakes.disarm(request.socket));
    httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.routeUpgrade(request, socket, head));
  }

  /**
   * Admits the upgrades to `AGENT_PATH` and leaves those to GraphQL subscriptions to their server. Nothing else would
   * ever answer or close any other upgrade: it is answered 404, or 400 when its target is no path.
   */
  private routeUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = requestPath(request.url);
    if (path === AGENT_PATH) return this.admit(request, socket, head);
    this.handshakes.disarm(socket);
    if (request.url?.startsWith(GRAPHQL_SUBSCRIPTION_PATH)) return;
    // The HTTP server stops listening for a socket's errors once it hands it over for an upgrade.
    socket.on('error', () => socket.destroy());
    if (path === undefined) refuseConnection(socket, 400, 'the request target is not a path');
    else refuseConnection(socket, 404, 'nothing is served over WebSocket at this path');
  }

  /**
   * Listens to the events of the connection's cluster; only the process holding its agent hears them. Each
   * connection listens for itself: a newer connection of the cluster listens before the one it replaces stops.
   */
  private listenForAgent(connection: AgentConnection): void {
    const { clusterId } = connection;
    connection.subscriptions.push(
      this.eventBus.listenToCluster('desiredStateChanged', clusterId, (message) => void this.forward(message.payload)),
      this.eventBus.listenToCluster('measurementRequested', clusterId, (message) => {
        const held = this.connections.get(clusterId);
        if (held) this.ask(held, message.payload.requests);
      }),
      // An agent away now is not told later: it ends such a measurement at its timeout (deleting a job metric's Job).
      this.eventBus.listenToCluster('measurementsCancelled', clusterId, (message) => {
        const held = this.connections.get(clusterId);
        if (held) this.send(held, { type: 'cancel', requestIds: message.payload.requestIds });
      }),
    );
  }

  private stopListening(connection: AgentConnection): void {
    for (const subscription of connection.subscriptions.splice(0)) subscription.stop();
  }

  /**
   * Says goodbye to every agent before the HTTP server closes, which waits for every socket it ever accepted:
   * an agent connection left open would hold the server, and the process, forever. The close code tells the agents
   * to come back at once, each after its own random delay; the server no longer listens, so they reach another replica.
   */
  async beforeApplicationShutdown(): Promise<void> {
    for (const connection of this.connections.values()) this.stopListening(connection);
    // Recorded here, and not again when each socket closes: a write still under way when the database client closes
    // would hold it up. Disconnections being recorded already are waited for.
    const connections = [...this.connections.values()];
    this.connections.clear();
    for (const connection of connections) connection.socket.close(CLOSE_CODES.goingAway, 'control plane shutting down');
    await Promise.all([...connections.map((connection) => this.markDisconnected(connection)), ...this.disconnections]);
    for (const socket of this.server.clients) socket.terminate();
    this.server.close();
  }

  /**
   * Upgrades an agent's request once its token names a cluster; anything else is answered over HTTP and never
   * upgraded: 401 for an unknown token, 429 when the client address already has as many handshakes pending as it
   * may, 503 when the token could not be checked in time.
   */
  private admit(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const address = clientAddressOf(request, this.proxyTrust);
    const onSocketError = (error: Error): void => {
      this.log.warn({ err: error, address }, 'agent handshake connection failed');
      socket.destroy();
    };
    socket.on('error', onSocketError);
    if (this.serving.draining) {
      refuseConnection(socket, 503, 'this control plane process is stopping');
      return;
    }
    if (!this.handshakes.enter(address)) {
      this.log.warn({ address }, 'too many agent handshakes pending from one address');
      refuseConnection(socket, 429, 'too many pending handshakes from this address');
      return;
    }
    this.handshakes.arm(socket, 503);
    this.authenticate(request)
      .then((cluster) => {
        if (socket.destroyed) return;
        if (!cluster) {
          this.log.warn({ address }, 'agent token refused');
          refuseConnection(socket, 401, 'the agent token is unknown or was rotated');
          return;
        }
        this.server.handleUpgrade(request, socket, head, (webSocket) => {
          socket.off('error', onSocketError);
          this.accept(webSocket, cluster);
        });
      })
      .catch((error: unknown) => {
        this.log.warn({ err: error, address }, 'agent token could not be checked');
        refuseConnection(socket, 503, 'the agent token could not be checked');
      })
      .finally(() => {
        this.handshakes.leave(address);
        this.handshakes.disarm(socket);
      });
  }

  private async authenticate(request: IncomingMessage): Promise<ClusterRecord | null> {
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    return token ? this.clusters.findByAgentToken(GATEWAY_SCOPE, token) : null;
  }

  private accept(socket: WebSocket, cluster: ClusterRecord): void {
    const log = this.log.child({ cluster: cluster.name });
    const answers = new AnswerCollector((runId, answered) => {
      this.analysisQueue
        .record(runId, answered, cluster.name)
        .catch((error: unknown) => log.warn({ err: error, runId }, 'measurement answers not queued'));
    });
    const connection: AgentConnection = {
      clusterId: cluster.id,
      clusterName: cluster.name,
      organizationId: cluster.organizationId,
      socket,
      lastHeartbeatWrite: 0,
      answers,
      greeted: false,
      snapshotBytes: 0,
      rate: new AgentMessageRate(this.config.agent.messagesPerSecond, this.config.agent.rateLimitStrikes, Date.now()),
      handling: new Map(),
      subscriptions: [],
    };
    // Frames ws cannot take (a reserved bit, an oversized message, bad UTF-8) end in 'error', then a close ws sends.
    socket.on('error', (error) => {
      log.warn({ err: error }, 'agent connection failed');
      socket.close();
    });
    socket.on('message', (data) => {
      this.receive(connection, websocketText(data)).catch((error: unknown) => log.warn({ err: error }, 'agent message not handled'));
    });
    socket.on('close', () => {
      answers.close();
      this.stopListening(connection);
      if (this.connections.get(cluster.id) === connection) {
        this.connections.delete(cluster.id);
        this.metrics.agentConnections.set(this.connections.size);
        const recorded = this.markDisconnected(connection)
          .catch((error: unknown) => log.warn({ err: error }, 'could not record the disconnection'))
          .finally(() => this.disconnections.delete(recorded));
        this.disconnections.add(recorded);
        log.info('agent disconnected');
      }
    });
  }

  /**
   * Takes the hello, then each message within the agent's rate; over it, the message is dropped and the agent told,
   * then closed.
   */
  private async receive(connection: AgentConnection, text: string): Promise<void> {
    if (connection.socket.readyState !== connection.socket.OPEN) return;
    if (!connection.greeted) {
      connection.greeted = true;
      return this.handleFirst(connection, text);
    }
    const decision = connection.rate.decide(Date.now());
    switch (decision.kind) {
      case 'take':
        return this.handle(connection, text);
      case 'drop':
        this.metrics.agentMessagesDropped.inc();
        if (decision.tellRetryAfterSeconds === undefined) return;
        this.log.warn(
          { cluster: connection.clusterName, retryAfterSeconds: decision.tellRetryAfterSeconds },
          'agent over its message rate',
        );
        this.send(connection, {
          type: 'error',
          code: 'rate_limited',
          message: `more than ${this.config.agent.messagesPerSecond} messages per second; messages are dropped until the rate falls`,
          retryAfterSeconds: decision.tellRetryAfterSeconds,
        });
        return;
      case 'disconnect':
        this.log.warn({ cluster: connection.clusterName }, 'agent kept over its message rate; disconnecting');
        connection.socket.close(CLOSE_CODES.rateLimited, 'message rate exceeded');
        return;
    }
  }

  /** Decodes a message, or answers `protocol/invalid_message` naming the field it could not take. */
  private decode(connection: AgentConnection, text: string): AgentMessage | undefined {
    try {
      const message = decodeAgentMessage(text);
      this.metrics.agentMessages.inc({ direction: 'received', type: message.type });
      return message;
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.metrics.agentMessages.inc({ direction: 'received', type: 'invalid' });
      this.refuseMessage(connection, error.message);
      return undefined;
    }
  }

  /** Tells the agent a message was refused; `reason` starts with the path of the field. */
  private refuseMessage(connection: AgentConnection, reason: string): void {
    this.send(connection, { type: 'error', code: 'protocol/invalid_message', message: reason });
  }

  /** Greets the hello a connection must start with, and ends a connection that starts otherwise. */
  private async handleFirst(connection: AgentConnection, text: string): Promise<void> {
    const message = this.decode(connection, text);
    if (message?.type === 'hello') return this.greet(connection, message);
    // An invalid message is answered already, naming its field.
    if (message) this.refuseMessage(connection, `type: the first message of a connection must be hello, not ${message.type}`);
    this.endForProtocolError(connection, 'the first message was not hello');
  }

  /** Ends a connection whose messages broke the order of the protocol. */
  private endForProtocolError(connection: AgentConnection, reason: string): void {
    this.log.warn({ cluster: connection.clusterName, reason }, 'agent broke the protocol; disconnecting');
    connection.socket.close(CLOSE_CODES.invalidMessage, reason);
  }

  private async handle(connection: AgentConnection, text: string): Promise<void> {
    const message = this.decode(connection, text);
    if (message === undefined) return;
    switch (message.type) {
      case 'hello':
        this.refuseMessage(connection, 'type: hello comes once, first, on each connection');
        return this.endForProtocolError(connection, 'a second hello');
      case 'heartbeat':
        return this.heartbeat(connection);
      case 'applied': {
        const stored = { clusterId: connection.clusterId, namespace: message.rollout.namespace, name: message.rollout.name };
        return this.inOrder(connection, message.rollout, () =>
          message.rollout.kind === 'Experiment'
            ? this.experiments.recordApplied(GATEWAY_SCOPE, stored, message.desiredVersion)
            : this.rollouts.recordApplied(GATEWAY_SCOPE, stored, message.desiredVersion, new Date()),
        );
      }
      case 'observed':
        return this.inOrder(connection, message.rollout, () =>
          this.observe(connection, message.rollout, message.desiredVersion, message.state),
        );
      case 'observedDigests':
        return this.checkDigests(connection, message.rollouts);
      case 'measurement':
        return this.answer(connection, message.requestId, message.outcome);
      case 'removed': {
        if (message.rollout.kind === 'Experiment') return;
        const stored = { clusterId: connection.clusterId, namespace: message.rollout.namespace, name: message.rollout.name };
        return this.inOrder(connection, message.rollout, () => this.rollouts.recordRemoved(GATEWAY_SCOPE, stored));
      }
    }
  }

  /**
   * Takes an agent's answer. One to a request sent on this connection joins the answers asked for with it; any
   * other (sent before a reconnection, say) is recorded alone, once the run is known to be of the agent's cluster
   * (its own, or a pooled run measured in it). Answers carry the cluster: each is a pooled measurement's part.
   */
  private async answer(connection: AgentConnection, requestId: string, outcome: MeasurementOutcome): Promise<void> {
    const answeredAt = new Date();
    if (connection.answers.answered(requestId, outcome, answeredAt)) return;
    const measurement = measurementOfRequest(requestId);
    if (!measurement) return;
    if (await this.analysisQueries.isRunOfCluster(GATEWAY_SCOPE, measurement.runId, connection.clusterId))
      await this.analysisQueue.record(
        measurement.runId,
        [{ metricName: measurement.metricName, index: measurement.index, outcome, answeredAt }],
        connection.clusterName,
      );
  }

  private async greet(connection: AgentConnection, hello: Extract<AgentMessage, { type: 'hello' }>): Promise<void> {
    if (hello.protocolVersion !== PROTOCOL_VERSION) {
      this.send(connection, {
        type: 'error',
        code: 'protocol/unsupported_version',
        message: `this control plane speaks protocol ${PROTOCOL_VERSION}`,
      });
      connection.socket.close(CLOSE_CODES.unsupportedVersion, 'unsupported protocol version');
      return;
    }
    const previous = this.connections.get(connection.clusterId);
    this.connections.set(connection.clusterId, connection);
    // Changes made once the cluster's channels are subscribed reach this connection; the snapshot below has the rest.
    this.listenForAgent(connection);
    await Promise.all(connection.subscriptions.map((subscription) => subscription.subscribed));
    this.metrics.agentConnections.set(this.connections.size);
    if (previous && previous !== connection) previous.socket.close(CLOSE_CODES.replacedByNewerConnection, 'replaced by a newer connection');
    const connectedAt = Date.now();
    connection.lastHeartbeatWrite = connectedAt;
    await this.clusters.recordAgentConnected(
      GATEWAY_SCOPE,
      connection.clusterId,
      { agentVersion: hello.agentVersion, kubernetesVersion: hello.kubernetesVersion ?? null },
      new Date(connectedAt),
    );
    this.send(connection, {
      type: 'welcome',
      protocolVersion: PROTOCOL_VERSION,
      cluster: connection.clusterName,
      heartbeatIntervalSeconds: this.config.agent.heartbeatIntervalSeconds,
      observationDigests: true,
    });
    // Deletions recorded before the rollouts are read are in no snapshot, which removes them from the agent.
    const readAt = new Date();
    const { rollouts, experiments } = await this.desiredOf(connection);
    const desired = [
      ...rollouts.flatMap((rollout) => toDesiredRollout(rollout) ?? []),
      ...experiments.flatMap((experiment) => toDesiredExperiment(experiment) ?? []),
    ];
    this.send(connection, { type: 'snapshot', rollouts: desired });
    await this.rollouts.forgetDeletionsBefore(GATEWAY_SCOPE, connection.clusterId, readAt);
    await this.askAgainInFlight(connection);
    await this.reconcileHeld({ rollouts, experiments });
    this.logger.info(
      {
        component: 'agent-gateway',
        cluster: connection.clusterName,
        agentVersion: hello.agentVersion,
        rollouts: rollouts.length,
        experiments: experiments.length,
      },
      'agent connected',
    );
  }

  /** The rollouts and live standalone experiments of the connection's cluster. */
  private async desiredOf(connection: AgentConnection): Promise<{ rollouts: RolloutRecord[]; experiments: ExperimentRecord[] }> {
    const [rollouts, experiments] = await Promise.all([
      this.rollouts.ofCluster(GATEWAY_SCOPE, connection.clusterId),
      this.experiments.liveStandaloneOfCluster(GATEWAY_SCOPE, connection.clusterId),
    ]);
    return { rollouts, experiments };
  }

  /**
   * Asks for a reconcile of every rollout and standalone experiment of a cluster that was not connected: those that
   * ran meanwhile were held, and what was held goes on now.
   */
  private async reconcileHeld({ rollouts, experiments }: { rollouts: RolloutRecord[]; experiments: ExperimentRecord[] }): Promise<void> {
    for (const rollout of rollouts) await this.reconcileQueue.request(rollout.id, rollout.version);
    for (const experiment of experiments) await this.reconcileQueue.requestExperiment(experiment.id, experiment.version);
  }

  /** Sends measurement requests of one run, whose answers are then recorded together. */
  private ask(connection: AgentConnection, requests: MeasurementRequest[]): void {
    connection.answers.asked(requests);
    for (const request of requests) this.send(connection, { type: 'measure', request });
  }

  /**
   * Asks again for the cluster's measurements still in flight, each with what is left of its time: an agent that
   * restarted lost them, and one asked for while no gateway held the connection never heard of it. The agent takes
   * a request it is still taking only once; an answer to one already recorded changes nothing.
   */
  private async askAgainInFlight(connection: AgentConnection): Promise<void> {
    const inFlight = await this.analysisQueries.agentMeasurementsInFlight(GATEWAY_SCOPE, connection.clusterId);
    const now = Date.now();
    const byRun = new Map<string, MeasurementRequest[]>();
    for (const { metricName, index, startedAt, run } of inFlight) {
      const metric = resolvedMetricOf(run.spec, metricName);
      const secondsLeft = Math.floor((startedAt.getTime() + this.config.measurementTimeoutSeconds * 1000 - now) / 1000);
      if (!metric || secondsLeft < 1) continue;
      byRun.set(run.id, [...(byRun.get(run.id) ?? []), measurementRequest(run, { metricName, index, metric }, secondsLeft)]);
    }
    for (const requests of byRun.values()) this.ask(connection, requests);
  }

  /**
   * Records the agent as heard of, every few seconds at most. A heartbeat that brings back a cluster the worker's sweep
   * marked disconnected (its heartbeats were late, its connection stayed) asks for the reconciles held meanwhile.
   */
  private async heartbeat(connection: AgentConnection): Promise<void> {
    const now = Date.now();
    if (now - connection.lastHeartbeatWrite < HEARTBEAT_WRITE_INTERVAL_MS) return;
    connection.lastHeartbeatWrite = now;
    const { reconnected } = await this.clusters.recordHeartbeat(GATEWAY_SCOPE, connection.clusterId, new Date(now));
    if (!reconnected) return;
    this.log.info({ cluster: connection.clusterName }, 'agent heard of again after its cluster was marked disconnected');
    await this.reconcileHeld(await this.desiredOf(connection));
  }

  /**
   * Runs `task` once every message of the same rollout received before it on this connection is handled: messages
   * are handled side by side, and an older observation stored after a newer one would leave the control plane on a
   * state the cluster has already left until the agent reports again.
   */
  private inOrder(connection: AgentConnection, rollout: RolloutKey, task: () => Promise<void>): Promise<void> {
    const key = rolloutKeyString(rollout);
    const handled = (connection.handling.get(key) ?? Promise.resolve()).catch(() => undefined).then(task);
    connection.handling.set(key, handled);
    const forget = (): void => {
      if (connection.handling.get(key) === handled) connection.handling.delete(key);
    };
    void handled.then(forget, forget);
    return handled;
  }

  /**
   * Stores an observation that changes something and asks for a reconcile; repeats of the same state cost nothing.
   * The desired version it names as applied is recorded too, so that a lost `applied` does not look like a desired
   * state the agent never got.
   */
  private async observe(connection: AgentConnection, key: RolloutKey, appliedVersion: number, state: ObservedRolloutState): Promise<void> {
    const stored = { clusterId: connection.clusterId, namespace: key.namespace, name: key.name };
    if (key.kind === 'Experiment') {
      const experiment = await this.experiments.observedOf(GATEWAY_SCOPE, stored);
      if (!experiment) return;
      if (appliedVersion > experiment.appliedDesiredVersion) await this.experiments.recordApplied(GATEWAY_SCOPE, stored, appliedVersion);
      if (sameObservation(experiment.observed, state)) return;
      const version = await this.experiments.recordObserved(GATEWAY_SCOPE, experiment.id, state);
      await this.reconcileQueue.requestExperiment(experiment.id, version);
      return;
    }
    const report = { appliedDesiredVersion: appliedVersion, observed: state, digest: observationDigest(state, sha256Hex) };
    const recorded = await this.rollouts.recordAgentReport(GATEWAY_SCOPE, stored, report, new Date());
    if (recorded?.observationChanged) await this.reconcileQueue.request(recorded.id, recorded.version);
  }

  /**
   * Answers an agent's periodic `observedDigests` with `observeAgain` for the rollouts whose stored observation has
   * another digest (or none: stored by an older agent, lost on the way) or whose applied version is behind: the
   * agent sends those in full, which heals a lost or refused `observed` within one interval. Standalone experiments
   * keep no digest and are always asked for.
   */
  private async checkDigests(connection: AgentConnection, entries: ObservationDigestEntry[]): Promise<void> {
    const listed = entries.flatMap(({ rollout, digest, desiredVersion }) =>
      rollout.kind === 'Experiment'
        ? []
        : [{ namespace: rollout.namespace, name: rollout.name, digest, appliedDesiredVersion: desiredVersion }],
    );
    const differing = await this.rollouts.toObserveAgain(GATEWAY_SCOPE, connection.clusterId, listed);
    const rollouts: RolloutKey[] = [
      ...differing.map(({ namespace, name }) => ({ namespace, name })),
      ...entries.flatMap(({ rollout }) => (rollout.kind === 'Experiment' ? [rollout] : [])),
    ];
    if (rollouts.length > 0) this.send(connection, { type: 'observeAgain', rollouts });
  }

  private async forward(change: DesiredStateChanged): Promise<void> {
    const connection = this.connections.get(change.clusterId);
    if (!connection) return;
    const desired =
      change.key.kind === 'Experiment'
        ? await this.experiments
            .findById(GATEWAY_SCOPE, change.id)
            .then((experiment) => (experiment ? (toDesiredExperiment(experiment) ?? null) : undefined))
        : await this.rollouts
            .findForAgent(GATEWAY_SCOPE, change.id)
            .then((rollout) => (rollout ? (toDesiredRollout(rollout) ?? null) : undefined));
    if (desired === undefined) this.send(connection, { type: 'deleted', rollout: change.key, desiredVersion: Number.MAX_SAFE_INTEGER });
    else if (desired !== null) this.send(connection, { type: 'desired', desired });
  }

  private async markDisconnected(connection: AgentConnection): Promise<void> {
    await this.clusters.markDisconnected(GATEWAY_SCOPE, connection.clusterId, new Date(connection.lastHeartbeatWrite));
  }

  /**
   * Sends a message, unless the agent has left more unsent than it may: more than `maxBufferedBytes` beyond its
   * snapshot, which may be larger than that on its own. Such an agent does not read; its connection is closed
   * rather than let it hold ever more of this process's memory.
   */
  private send(connection: AgentConnection, message: ControlPlaneMessage): void {
    const { socket } = connection;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > this.config.agent.maxBufferedBytes + connection.snapshotBytes) {
      this.log.warn(
        { cluster: connection.clusterName, bufferedBytes: socket.bufferedAmount, maxBufferedBytes: this.config.agent.maxBufferedBytes },
        'agent leaves what it is sent unread; disconnecting',
      );
      socket.close(CLOSE_TRY_AGAIN_LATER, 'too much sent and left unread');
      return;
    }
    const text = JSON.stringify(message);
    if (message.type === 'snapshot') connection.snapshotBytes = Buffer.byteLength(text);
    socket.send(text);
    this.metrics.agentMessages.inc({ direction: 'sent', type: message.type });
  }
}

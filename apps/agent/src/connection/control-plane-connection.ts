import { CLOSE_CODES, decodeControlPlaneMessage, PROTOCOL_VERSION, type AgentMessage, type ControlPlaneMessage } from '@flotilla/protocol';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import { nextBackoffMs } from './backoff.js';

export type WelcomeMessage = Extract<ControlPlaneMessage, { type: 'welcome' }>;

export interface ConnectionHandlers {
  /** The control plane accepted the agent; messages may be sent from now on. */
  welcomed(welcome: WelcomeMessage): void;
  message(message: Exclude<ControlPlaneMessage, { type: 'welcome' }>): void;
  /** A welcomed connection ended; the agent is on its own until the next welcome. */
  disconnected(): void;
  /** The control plane cannot talk to this agent at all (protocol version); retrying would not help. */
  fatal(reason: string): void;
}

export interface ConnectionOptions {
  url: string;
  /** Read before every attempt, so that a rotated token is picked up. */
  token: () => Promise<string>;
  hello: () => Promise<Extract<AgentMessage, { type: 'hello' }>>;
  reconnect: { baseMs: number; capMs: number; stableAfterMs: number; unauthenticatedRetryMs: number };
  /** How long an opened connection waits for `welcome` before it is closed and tried again with the backoff. */
  welcomeTimeoutMs: number;
  logger: Logger;
  /** Where the backoff's jitter comes from: a number in [0, 1); `Math.random` unless told. */
  random?: () => number;
}

const UNEXPECTED_RESPONSE = /Unexpected server response: (\d+)/;

/**
 * The agent's one outgoing WebSocket to the control plane: bearer token on the upgrade, `hello` then `welcome`,
 * heartbeats at the interval the control plane asks for, and reconnection with fully jittered exponential backoff
 * that starts over once a connection has stayed up for `stableAfterMs` or the control plane said it was stopping.
 */
export class ControlPlaneConnection {
  private socket: WebSocket | undefined;
  /** The TCP connection under `socket`, corked while the messages of one event-loop turn are being sent. */
  private connection: Socket | undefined;
  private corked = false;
  private welcomed = false;
  private stopped = false;
  private failures = 0;
  private openedAt = 0;
  private refusedWithStatus: number | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private welcomeTimer: NodeJS.Timeout | undefined;
  private awaitingPong = false;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly handlers: ConnectionHandlers,
  ) {}

  get isConnected(): boolean {
    return this.welcomed && this.socket?.readyState === WebSocket.OPEN;
  }

  start(): void {
    void this.connect();
  }

  /**
   * Sends a message if the control plane has welcomed this connection; false when it could not be sent. The
   * messages sent within one turn of the event loop (an observation of every changed rollout, `applied` for every
   * write answered meanwhile) leave in one network write.
   */
  send(message: AgentMessage): boolean {
    if (!this.isConnected || this.socket === undefined) return false;
    this.corkUntilTurnEnds();
    this.socket.send(JSON.stringify(message));
    return true;
  }

  private corkUntilTurnEnds(): void {
    const connection = this.connection;
    if (connection === undefined || this.corked) return;
    this.corked = true;
    connection.cork();
    setImmediate(() => {
      this.corked = false;
      connection.uncork();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.welcomeTimer);
    const socket = this.socket;
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(1000, 'agent stopping');
      setTimeout(() => socket.terminate(), 1000).unref();
    });
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let token: string;
    try {
      token = await this.options.token();
    } catch (error) {
      this.options.logger.error({ err: error }, 'cannot read the agent token');
      this.scheduleReconnect(this.options.reconnect.unauthenticatedRetryMs);
      return;
    }
    this.refusedWithStatus = undefined;
    const socket = new WebSocket(this.options.url, { headers: { Authorization: `Bearer ${token}` }, handshakeTimeout: 10_000 });
    this.socket = socket;
    socket.on('upgrade', (response) => {
      this.connection = response.socket;
    });
    socket.on('open', () => {
      this.openedAt = Date.now();
      this.awaitWelcome(socket);
      this.options.hello().then(
        (hello) => socket.readyState === WebSocket.OPEN && socket.send(JSON.stringify(hello)),
        (error: unknown) => this.options.logger.error({ err: error }, 'cannot build hello'),
      );
    });
    socket.on('message', (data: Buffer) => this.receive(socket, data.toString('utf8')));
    socket.on('pong', () => {
      this.awaitingPong = false;
    });
    socket.on('error', (error) => {
      const status = UNEXPECTED_RESPONSE.exec(error.message)?.[1];
      if (status !== undefined) this.refusedWithStatus = Number(status);
      else this.options.logger.warn({ err: error, url: this.options.url }, 'control plane connection error');
    });
    socket.on('close', (code: number, reason: Buffer) => this.closed(socket, code, reason.toString('utf8')));
  }

  private receive(socket: WebSocket, text: string): void {
    let message: ControlPlaneMessage;
    try {
      message = decodeControlPlaneMessage(text);
    } catch (error) {
      this.options.logger.warn({ err: error, frame: text.slice(0, 200) }, 'ignoring an invalid frame from the control plane');
      return;
    }
    if (message.type === 'welcome') {
      if (message.protocolVersion !== PROTOCOL_VERSION) {
        this.handlers.fatal(`the control plane speaks protocol version ${message.protocolVersion}, this agent speaks ${PROTOCOL_VERSION}`);
        return;
      }
      clearTimeout(this.welcomeTimer);
      this.welcomed = true;
      this.startHeartbeat(socket, message.heartbeatIntervalSeconds);
      this.options.logger.info({ cluster: message.cluster }, 'connected to the control plane');
      this.handlers.welcomed(message);
      return;
    }
    if (message.type === 'error') {
      this.options.logger.error({ code: message.code, message: message.message }, 'the control plane reported an error');
      if (message.code === 'protocol/unsupported_version') this.handlers.fatal(message.message);
      return;
    }
    if (!this.welcomed) {
      this.options.logger.warn({ type: message.type }, 'ignoring a message received before welcome');
      return;
    }
    this.handlers.message(message);
  }

  /**
   * A control plane that never answers `hello` (its greeting failed and left the socket open, or the link died
   * silently after it) would otherwise hold the agent unwelcomed, ignoring every `desired`, for good.
   */
  private awaitWelcome(socket: WebSocket): void {
    clearTimeout(this.welcomeTimer);
    const timeoutMs = this.options.welcomeTimeoutMs;
    this.welcomeTimer = setTimeout(() => {
      this.options.logger.warn({ timeoutMs, url: this.options.url }, 'the control plane did not answer hello in time; reconnecting');
      socket.terminate();
    }, timeoutMs);
  }

  /** Heartbeats tell the control plane the agent lives; an unanswered ping tells the agent the link is dead. */
  private startHeartbeat(socket: WebSocket, intervalSeconds: number): void {
    clearInterval(this.heartbeatTimer);
    this.awaitingPong = false;
    const intervalMs = Math.max(1, intervalSeconds) * 1000;
    this.heartbeatTimer = setInterval(() => {
      if (this.awaitingPong) {
        this.options.logger.warn('control plane stopped answering; reconnecting');
        socket.terminate();
        return;
      }
      this.awaitingPong = true;
      socket.ping();
      this.send({ type: 'heartbeat', sentAt: new Date().toISOString() });
    }, intervalMs);
  }

  private closed(socket: WebSocket, code: number, reason: string): void {
    if (socket !== this.socket) return;
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.welcomeTimer);
    const wasWelcomed = this.welcomed;
    this.welcomed = false;
    this.socket = undefined;
    this.connection = undefined;
    if (wasWelcomed && !this.stopped) this.handlers.disconnected();
    if (this.stopped) return;
    const { reconnect, logger } = this.options;
    if (code === CLOSE_CODES.unsupportedVersion || this.refusedWithStatus === 426) {
      this.handlers.fatal(`the control plane does not support protocol version ${PROTOCOL_VERSION}: ${reason}`);
      return;
    }
    if (code === CLOSE_CODES.unauthenticated || this.refusedWithStatus === 401 || this.refusedWithStatus === 403) {
      logger.error(
        { code, status: this.refusedWithStatus, retryInMs: reconnect.unauthenticatedRetryMs },
        'the control plane refused the agent token; check FLOTILLA_AGENT_TOKEN',
      );
      this.scheduleReconnect(reconnect.unauthenticatedRetryMs);
      return;
    }
    // A control plane process that says it is stopping is no failure: the agent returns at once, to another replica.
    // A connection never welcomed is one, however long it stayed open.
    const stable = wasWelcomed && this.openedAt > 0 && Date.now() - this.openedAt >= reconnect.stableAfterMs;
    if (stable || code === CLOSE_CODES.goingAway) this.failures = 0;
    this.openedAt = 0;
    this.failures += 1;
    const delayMs = nextBackoffMs(this.failures, (this.options.random ?? Math.random)(), reconnect);
    const level = code === CLOSE_CODES.replacedByNewerConnection ? 'warn' : 'info';
    logger[level]({ code, reason, status: this.refusedWithStatus, retryInMs: delayMs }, 'control plane connection closed');
    this.scheduleReconnect(delayMs);
  }

  private scheduleReconnect(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), delayMs);
  }
}

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  AGENT_PATH,
  CLOSE_CODES,
  decodeAgentMessage,
  PROTOCOL_VERSION,
  rolloutKeyString,
  type AgentMessage,
  type ControlPlaneMessage,
  type DesiredRollout,
  type RolloutKey,
} from '@flotilla/protocol';
import { WebSocketServer, type WebSocket } from 'ws';

export interface FakeControlPlaneOptions {
  token: string;
  cluster?: string;
  heartbeatIntervalSeconds?: number;
  protocolVersion?: number;
  /** Advertise `observationDigests` in `welcome`, as control planes that take `observedDigests` do. */
  observationDigests?: boolean;
}

interface Waiter {
  predicate: (message: AgentMessage) => boolean;
  resolve: (message: AgentMessage) => void;
}

/**
 * A control plane that speaks the agent protocol for tests and benchmarks: checks the bearer token (answering HTTP 401
 * otherwise), answers `hello` with `welcome` and a snapshot of the desired rollouts it holds, and
 * records every message the agent sends.
 */
export class FakeControlPlane {
  readonly received: AgentMessage[] = [];
  readonly desired = new Map<string, DesiredRollout>();
  connections = 0;
  refusals = 0;
  /** While set, connections are accepted and closed at once, as by a control plane that is down. */
  unavailable = false;
  private socket: WebSocket | undefined;
  private waiters: Waiter[] = [];
  private listeners: Array<(message: AgentMessage) => void> = [];

  private constructor(
    private readonly server: Server,
    private readonly sockets: WebSocketServer,
    private readonly options: FakeControlPlaneOptions,
  ) {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(request, socket, head));
  }

  /** As the control plane does: an unknown token is answered with HTTP 401 and never upgraded. */
  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    if (request.url !== AGENT_PATH) {
      socket.destroy();
      return;
    }
    if (request.headers.authorization !== `Bearer ${this.options.token}`) {
      this.refusals += 1;
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.sockets.handleUpgrade(request, socket, head, (webSocket) => this.accept(webSocket));
  }

  static async start(options: FakeControlPlaneOptions): Promise<FakeControlPlane> {
    const server = createServer();
    const sockets = new WebSocketServer({ noServer: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FakeControlPlane(server, sockets, options);
  }

  /** The base URL an agent is configured with (`FLOTILLA_URL`). */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get connected(): boolean {
    return this.socket !== undefined;
  }

  /** Records a desired rollout and sends it if an agent is connected. */
  publish(desired: DesiredRollout): void {
    this.desired.set(rolloutKeyString(desired.rollout), desired);
    this.send({ type: 'desired', desired });
  }

  deleteRollout(rollout: RolloutKey, desiredVersion: number): void {
    this.desired.delete(rolloutKeyString(rollout));
    this.send({ type: 'deleted', rollout, desiredVersion });
  }

  send(message: ControlPlaneMessage): boolean {
    if (this.socket === undefined) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  sendRaw(frame: string): void {
    this.socket?.send(frame);
  }

  /** Ends the connection as a crashed server would (no close handshake). */
  dropConnection(): void {
    this.socket?.terminate();
    this.socket = undefined;
  }

  onMessage(listener: (message: AgentMessage) => void): void {
    this.listeners.push(listener);
  }

  /** The first message (already received or still to come) that satisfies `predicate`. */
  waitFor<T extends AgentMessage = AgentMessage>(predicate: (message: AgentMessage) => boolean, timeoutMs = 10_000, after = 0): Promise<T> {
    const found = this.received.slice(after).find(predicate);
    if (found !== undefined) return Promise.resolve(found as T);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = { predicate, resolve: (message) => resolve(message as T) };
      this.waiters.push(waiter);
      setTimeout(() => {
        this.waiters = this.waiters.filter((candidate) => candidate !== waiter);
        reject(
          new Error(
            `no matching agent message within ${timeoutMs} ms; last received: ${JSON.stringify(this.received.slice(-3)).slice(0, 1500)}`,
          ),
        );
      }, timeoutMs).unref();
    });
  }

  async stop(): Promise<void> {
    this.sockets.clients.forEach((client) => client.terminate());
    await new Promise<void>((resolve) => this.sockets.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    if (this.unavailable) {
      socket.close(1013, 'control plane unavailable');
      return;
    }
    this.connections += 1;
    this.socket?.close(CLOSE_CODES.replacedByNewerConnection, 'a newer agent connection replaced this one');
    this.socket = socket;
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
    });
    socket.on('message', (data: Buffer) => this.receive(socket, data.toString('utf8')));
  }

  private receive(socket: WebSocket, text: string): void {
    const message = decodeAgentMessage(text);
    this.received.push(message);
    if (message.type === 'hello') {
      const welcome: ControlPlaneMessage = {
        type: 'welcome',
        protocolVersion: this.options.protocolVersion ?? PROTOCOL_VERSION,
        cluster: this.options.cluster ?? 'test',
        heartbeatIntervalSeconds: this.options.heartbeatIntervalSeconds ?? 15,
        ...(this.options.observationDigests ? { observationDigests: true } : {}),
      };
      socket.send(JSON.stringify(welcome));
      socket.send(JSON.stringify({ type: 'snapshot', rollouts: [...this.desired.values()] } satisfies ControlPlaneMessage));
    }
    this.listeners.forEach((listener) => listener(message));
    const matched = this.waiters.filter((waiter) => waiter.predicate(message));
    this.waiters = this.waiters.filter((waiter) => !matched.includes(waiter));
    matched.forEach((waiter) => waiter.resolve(message));
  }
}

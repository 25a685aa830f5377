import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a server that counts round trips: the times a client sent something after it had last
 * heard from the server (or for the first time). Bytes pass through unchanged, however the network splits them.
 */
export class RoundTripCounter {
  private count = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<RoundTripCounter> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const counter = new RoundTripCounter(server, (server.address() as AddressInfo).port);
    server.on('connection', (client: Socket) => counter.relay(client, target));
    return counter;
  }

  /** Round trips since the last call (or since the proxy started). */
  take(): number {
    const counted = this.count;
    this.count = 0;
    return counted;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket, target: { host: string; port: number }): void {
    const upstream = connect(target.port, target.host);
    let clientSpokeLast = false;
    client.on('data', (chunk) => {
      if (!clientSpokeLast) this.count += 1;
      clientSpokeLast = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      clientSpokeLast = false;
      client.write(chunk);
    });
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(socket);
      socket.on('close', () => {
        this.sockets.delete(socket);
        other.destroy();
      });
      socket.on('error', () => other.destroy());
    }
  }
}

/** `url` with its host and port replaced by the counter's. */
export function throughCounter(url: string, counter: RoundTripCounter): string {
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(counter.port);
  return proxied.toString();
}

import { CLOSE_CODES, PROTOCOL_VERSION } from '@flotilla/protocol';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { ControlPlaneConnection, type ConnectionOptions } from './control-plane-connection.js';

const BASE_MS = 200;
let server: WebSocketServer | undefined;
let connection: ControlPlaneConnection | undefined;

afterEach(async () => {
  await connection?.stop();
  await new Promise((resolve) => server?.close(resolve));
});

/**
 * A control plane that welcomes every agent and then closes each connection with the next of `closeCodes` (the
 * last connection stays open); answers when each connection was opened.
 */
async function controlPlaneClosingWith(closeCodes: number[]): Promise<{ url: string; openedAt: number[] }> {
  const openedAt: number[] = [];
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  server.on('connection', (socket) => {
    const code = closeCodes[openedAt.length];
    openedAt.push(Date.now());
    socket.once('message', () => {
      socket.send(JSON.stringify({ type: 'welcome', protocolVersion: PROTOCOL_VERSION, cluster: 'staging', heartbeatIntervalSeconds: 60 }));
      if (code !== undefined) socket.close(code, 'test');
    });
  });
  await new Promise((resolve) => server?.once('listening', resolve));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, openedAt };
}

function connect(
  url: string,
  fatal: (reason: string) => void = () => undefined,
  options: Partial<ConnectionOptions> = {},
): ControlPlaneConnection {
  const started = new ControlPlaneConnection(
    {
      url,
      token: () => Promise.resolve('token'),
      hello: () =>
        Promise.resolve({ type: 'hello', protocolVersion: PROTOCOL_VERSION, agentVersion: 'test', kubernetesVersion: undefined }),
      reconnect: { baseMs: BASE_MS, capMs: 60_000, stableAfterMs: 60_000, unauthenticatedRetryMs: 60_000 },
      welcomeTimeoutMs: 30_000,
      logger: pino({ level: 'silent' }),
      // The longest delay each backoff allows, so that the gaps show which backoff was applied
      random: () => 0.999,
      ...options,
    },
    { welcomed: () => undefined, message: () => undefined, disconnected: () => undefined, fatal },
  );
  started.start();
  return started;
}

async function opened(openedAt: number[], count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (openedAt.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${openedAt.length} of ${count} connections were opened`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('ControlPlaneConnection reconnecting', () => {
  it('backs off further after each failed connection, and starts over when the control plane says it is going away', async () => {
    // Given a control plane that drops three connections as invalid, then goes away (1001) on the fourth
    const { url, openedAt } = await controlPlaneClosingWith([
      CLOSE_CODES.invalidMessage,
      CLOSE_CODES.invalidMessage,
      CLOSE_CODES.invalidMessage,
      CLOSE_CODES.goingAway,
    ]);

    // When the agent connects and keeps reconnecting
    connection = connect(url);
    await opened(openedAt, 5);

    // Then the third failure was followed by a wait of up to 4 × base, and the goodbye by one of at most base
    const gaps = openedAt.slice(1).map((at, index) => at - (openedAt[index] ?? at));
    expect(gaps[2]).toBeGreaterThanOrEqual(3.5 * BASE_MS);
    expect(gaps[3]).toBeLessThan(2.5 * BASE_MS);
  });
});

describe('ControlPlaneConnection against a control plane that does not serve its protocol version', () => {
  it('stops for good, without reconnecting, as the agent process then exits with code 1', async () => {
    // Given a control plane that answers every hello as the gateway does another protocol version
    const openedAt: number[] = [];
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    server.on('connection', (socket) => {
      openedAt.push(Date.now());
      socket.once('message', () => {
        socket.send(
          JSON.stringify({ type: 'error', code: 'protocol/unsupported_version', message: 'this control plane speaks protocol 2' }),
        );
        socket.close(CLOSE_CODES.unsupportedVersion, 'unsupported protocol version');
      });
    });
    await new Promise((resolve) => server?.once('listening', resolve));
    const reasons: string[] = [];

    // When the agent connects
    connection = connect(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, (reason) => reasons.push(reason));
    await opened(openedAt, 1);
    await new Promise((resolve) => setTimeout(resolve, 5 * BASE_MS));

    // Then it gave up with the control plane's reason and never came back
    expect(reasons[0]).toContain('this control plane speaks protocol 2');
    expect(openedAt).toHaveLength(1);
  });
});

describe('ControlPlaneConnection against a control plane that never answers hello', () => {
  it('closes each connection left without welcome after the deadline and reconnects with a growing backoff', async () => {
    // Given a control plane that accepts every upgrade and never answers hello, keeping the socket open
    const openedAt: number[] = [];
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    server.on('connection', () => openedAt.push(Date.now()));
    await new Promise((resolve) => server?.once('listening', resolve));
    const welcomeTimeoutMs = 300;

    // When the agent connects, with a welcome deadline longer than the time after which a connection counts as stable
    connection = connect(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, undefined, {
      welcomeTimeoutMs,
      reconnect: { baseMs: BASE_MS, capMs: 60_000, stableAfterMs: welcomeTimeoutMs / 2, unauthenticatedRetryMs: 60_000 },
    });
    await opened(openedAt, 4);

    // Then every connection was given up after the deadline, and the third wait was the third failure's (up to 4 × base)
    const gaps = openedAt.slice(1).map((at, index) => at - (openedAt[index] ?? at));
    expect(gaps[0]).toBeGreaterThanOrEqual(welcomeTimeoutMs);
    expect(gaps[2]).toBeGreaterThanOrEqual(welcomeTimeoutMs + 3.5 * BASE_MS);
  });
});

import { request, Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eSystem } from '../support/e2e-system.js';

const GRACE_SECONDS = 4;

let system: E2eSystem;
let subscriptions: Client | undefined;
let stalled: Socket | undefined;
const keepAlive = new Agent({ keepAlive: true });

beforeAll(async () => {
  system = await E2eSystem.start({ workers: 0, apiEnvironment: { SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS) } });
});
afterAll(async () => {
  keepAlive.destroy();
  stalled?.destroy();
  await subscriptions?.dispose();
  await system?.stop();
});

/** Opens a subscription and resolves once the server has acknowledged the connection. */
async function openSubscription(): Promise<Client> {
  let client: Client | undefined;
  await new Promise<void>((resolve, reject) => {
    client = createClient({
      url: `${system.apiUrl.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${system.tokens.deployer}` },
      retryAttempts: 0,
      on: { connected: () => resolve(), error: reject },
    });
    client.subscribe(
      { query: 'subscription { rolloutChanged { name } }' },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
  });
  if (!client) throw new Error('no subscription client');
  return client;
}

/** A finished request whose connection the client keeps open for the next one. */
async function idleKeepAliveConnection(): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    request(`${system.apiUrl}/healthz`, { agent: keepAlive }, (response) => {
      response.resume();
      response.on('end', resolve);
    })
      .on('error', reject)
      .end();
  });
}

/** A request whose body never finishes arriving, as from a slow or stuck client: it stays under way. */
async function stalledRequest(): Promise<Socket> {
  const url = new URL(system.apiUrl);
  const socket = connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => undefined);
  socket.write(`POST /graphql HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":`);
  return socket;
}

describe('SIGTERM', () => {
  it('stops the API within its grace period although agents, subscriptions, keep-alive connections and a stuck request are open', async () => {
    // Given an API holding both agents' WebSockets, a graphql-ws subscription, an idle keep-alive connection and a
    // request whose body is still arriving
    subscriptions = await openSubscription();
    await idleKeepAliveConnection();
    stalled = await stalledRequest();
    expect(await system.connectionState('staging')).toBe('Connected');

    // When it is sent SIGTERM
    const exit = await system.signalApi('SIGTERM', (GRACE_SECONDS + 5) * 1000);

    // Then it has exited on its graceful path (the forced exit after the grace period exits 1)
    expect(exit).toEqual({ code: 0, signal: null });
  });
});

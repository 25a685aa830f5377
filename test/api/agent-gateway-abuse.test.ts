import { PROTOCOL_VERSION } from '@flotilla/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openAgentSession, type AgentSession } from '../support/agent-session.js';
import { eventually } from '../support/processes.js';
import { announcedTextFrame, clientFrame, openRaw, rawUpgrade, upgradeRequest } from '../support/raw-agent-socket.js';
import { startTestApi, type TestApi, type TestOrganization } from '../support/test-api.js';

const HANDSHAKE_TIMEOUT_MS = 500;
const MESSAGES_PER_SECOND = 100;

let api: TestApi;
let org: TestOrganization;
let token: string;
beforeAll(async () => {
  api = await startTestApi({
    TRUSTED_PROXIES: '127.0.0.1',
    AGENT_HANDSHAKE_TIMEOUT_MS: String(HANDSHAKE_TIMEOUT_MS),
    AGENT_MAX_PENDING_HANDSHAKES: '2',
    AGENT_MESSAGES_PER_SECOND: String(MESSAGES_PER_SECOND),
    AGENT_RATE_LIMIT_STRIKES: '1',
  });
  org = await api.organization({ cluster: 'abused' });
  token = org.agentTokens.abused as string;
});
afterAll(() => api.close());

const connect = (): Promise<AgentSession> => openAgentSession(api.url, token);

const hello = JSON.stringify({
  type: 'hello',
  protocolVersion: PROTOCOL_VERSION,
  agentVersion: 'abuse-test',
  kubernetesVersion: 'v1.30.0',
});

/** The API still serves: health answers and an agent that says hello is welcomed. */
async function expectApiServing(): Promise<void> {
  expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
  const session = await connect();
  session.socket.send(hello);
  await eventually(() => session.messages.find((message) => message.type === 'welcome'), 5_000, 'welcome');
  session.socket.close();
  await session.closed;
  await eventually(
    async () =>
      (await api.database.cluster.findFirstOrThrow({ where: { organizationId: org.id } })).connectionState === 'Disconnected' || undefined,
    5_000,
    'Disconnected',
  );
}

const errorsOf = (session: AgentSession) => session.messages.filter((message) => message.type === 'error');

describe('the agent gateway under abuse', () => {
  it.each([
    ['an unknown token', { authorization: 'Bearer not-a-token' }],
    ['no token', {}],
  ])('answers an upgrade with %s with HTTP 401 and never upgrades it', async (_title, headers) => {
    const refused = await rawUpgrade(api.url, headers);
    expect(refused.status).toBe(401);
    await refused.ended;
  });

  it.each([
    ['a frame with a reserved bit set', Buffer.from([0xc1, 0x80, 0, 0, 0, 0])],
    ['a frame over the message size limit', announcedTextFrame(1024 * 1024 + 1)],
    ['a continuation frame out of place', clientFrame(0x80, Buffer.from('x'))],
  ])('closes an agent connection sending %s and keeps serving', async (_title, frame) => {
    const upgraded = await rawUpgrade(api.url, { authorization: `Bearer ${token}` });
    expect(upgraded.status).toBe(101);
    upgraded.socket.write(frame);
    await upgraded.ended;
    await expectApiServing();
  });

  it('drops a connection that does not finish its upgrade request in time', async () => {
    const partial = await openRaw(api.url);
    partial.socket.write(upgradeRequest({ authorization: `Bearer ${token}` }).slice(0, 40));
    await partial.ended;
    await expectApiServing();
  });

  it('bounds the handshakes of one client address being authenticated, and how long they may take', async () => {
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const locked = new Promise<void>((resolve) => {
      void api.database.$transaction(
        async (transaction) => {
          await transaction.$executeRaw`LOCK TABLE "Cluster" IN ACCESS EXCLUSIVE MODE`;
          resolve();
          await held;
        },
        { timeout: 20_000 },
      );
    });
    await locked;
    try {
      const fromOneClient = { authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.7' };
      const pending = [await openRaw(api.url), await openRaw(api.url)];
      for (const connection of pending) connection.socket.write(upgradeRequest(fromOneClient));
      const fromAnother = await openRaw(api.url);
      fromAnother.socket.write(upgradeRequest({ authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.8' }));
      await eventually(
        async () =>
          (
            await api.database.$queryRaw<
              { waiting: bigint }[]
            >`SELECT count(*) AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%agentTokenHash%'`
          )[0]?.waiting === 3n || undefined,
        5_000,
        'three token lookups waiting',
      );

      const overTheLimit = await rawUpgrade(api.url, fromOneClient);
      expect(overTheLimit.status).toBe(429);
      await overTheLimit.ended;

      for (const connection of [...pending, fromAnother]) {
        await connection.ended;
        expect(connection.received().toString('latin1')).toMatch(/^HTTP\/1\.1 (408|503) /);
      }
    } finally {
      release();
    }
    await expectApiServing();
  });

  it.each([
    [
      'an agent version of 100,000 characters',
      { type: 'hello', protocolVersion: PROTOCOL_VERSION, agentVersion: 'v'.repeat(100_000) },
      'agentVersion',
    ],
    [
      'a desired version of 1e300',
      { type: 'applied', rollout: { namespace: 'shop', name: 'web' }, desiredVersion: 1e300 },
      'desiredVersion',
    ],
    [
      'a namespace longer than a DNS label',
      { type: 'applied', rollout: { namespace: 'n'.repeat(64), name: 'web' }, desiredVersion: 1 },
      'rollout.namespace',
    ],
    ['a NUL byte in a name', { type: 'applied', rollout: { namespace: 'shop', name: 'we\u0000b' }, desiredVersion: 1 }, 'rollout.name'],
    ['a lone surrogate in a request id', { type: 'measurement', requestId: 'r\ud800', outcome: { ok: false, error: 'x' } }, 'requestId'],
  ])('refuses %s with protocol/invalid_message naming the field, and stores nothing', async (_title, message, path) => {
    const session = await connect();
    session.socket.send(hello);
    await eventually(() => session.messages.find((received) => received.type === 'welcome'), 5_000, 'welcome');
    session.socket.send(JSON.stringify(message));
    const [error] = await eventually(() => (errorsOf(session).length > 0 ? errorsOf(session) : undefined), 5_000, 'an error');
    expect(error).toMatchObject({
      code: 'protocol/invalid_message',
      message: expect.stringMatching(new RegExp(`^${path.replace('.', '\\.')}: `)) as unknown,
    });
    const cluster = await api.database.cluster.findFirstOrThrow({ where: { organizationId: org.id } });
    expect(cluster.agentVersion).toBe('abuse-test');
    session.socket.close();
    await session.closed;
  });

  it('answers an agent over its message rate with rate_limited, drops the excess, and closes a persistent one with 4429', async () => {
    const session = await connect();
    session.socket.send(hello);
    await eventually(() => session.messages.find((message) => message.type === 'welcome'), 5_000, 'welcome');
    const burst = (): void => {
      for (let index = 0; index < MESSAGES_PER_SECOND * 2; index += 1)
        session.socket.send(JSON.stringify({ type: 'heartbeat', sentAt: new Date().toISOString() }));
    };
    burst();
    const [limited] = await eventually(() => (errorsOf(session).length > 0 ? errorsOf(session) : undefined), 5_000, 'rate_limited');
    expect(limited).toMatchObject({ code: 'rate_limited', retryAfterSeconds: expect.any(Number) as unknown });
    expect(errorsOf(session)).toHaveLength(1);
    const bursting = setInterval(() => session.socket.readyState === WebSocket.OPEN && burst(), 200);
    try {
      expect(await session.closed).toBe(4429);
    } finally {
      clearInterval(bursting);
    }
    await expectApiServing();
  });
});

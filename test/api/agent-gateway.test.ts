import { AGENT_PATH, CLOSE_CODES, PROTOCOL_VERSION } from '@flotilla/protocol';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventually } from '../support/processes.js';
import { apiForThisFile } from '../support/test-api.js';

const { api, org } = await apiForThisFile({ cluster: 'staging' });

interface Session {
  socket: WebSocket;
  messages: { type: string; code?: string }[];
  closed: Promise<{ code: number; reason: string }>;
}

/** Connects as an agent would, keeping every message the control plane sends and how the connection ends. */
async function connect(token: string): Promise<Session> {
  const socket = new WebSocket(`${api.url.replace(/^http/, 'ws')}${AGENT_PATH}`, { headers: { authorization: `Bearer ${token}` } });
  const messages: Session['messages'] = [];
  socket.on('message', (data) => messages.push(JSON.parse((data as Buffer).toString()) as Session['messages'][number]));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, messages, closed };
}

const hello = (protocolVersion: number) =>
  JSON.stringify({ type: 'hello', protocolVersion, agentVersion: 'gateway-test', kubernetesVersion: 'v1.30.0' });
const received = (session: Session, type: string) =>
  eventually(
    () => {
      const matching = session.messages.filter((message) => message.type === type);
      return matching.length > 0 ? matching : undefined;
    },
    5_000,
    `a ${type} message`,
  );
const connectionState = async () => (await api.database.cluster.findFirstOrThrow({ where: { organizationId: org.id } })).connectionState;

describe('the agent gateway', () => {
  it('refuses an unknown agent token with HTTP 401, before any upgrade', async () => {
    await expect(connect('not-a-token')).rejects.toThrow('Unexpected server response: 401');
  });

  it('refuses another protocol version and closes with 4426, leaving the cluster disconnected', async () => {
    const session = await connect(org.agentTokens.staging as string);
    session.socket.send(hello(PROTOCOL_VERSION + 1));
    expect((await session.closed).code).toBe(CLOSE_CODES.unsupportedVersion);
    expect(session.messages).toEqual([expect.objectContaining({ type: 'error', code: 'protocol/unsupported_version' })]);
    expect(await connectionState()).not.toBe('Connected');
  });

  it('greets a valid hello with welcome and a snapshot, names an unreadable message, and hands the cluster to a newer connection', async () => {
    const first = await connect(org.agentTokens.staging as string);
    first.socket.send(hello(PROTOCOL_VERSION));
    expect(await received(first, 'snapshot')).toHaveLength(1);
    expect(first.messages.map((message) => message.type).slice(0, 2)).toEqual(['welcome', 'snapshot']);
    expect(await connectionState()).toBe('Connected');

    first.socket.send('{"type":"observed"');
    expect(await received(first, 'error')).toEqual([expect.objectContaining({ code: 'protocol/invalid_message' })]);

    const second = await connect(org.agentTokens.staging as string);
    second.socket.send(hello(PROTOCOL_VERSION));
    expect((await first.closed).code).toBe(CLOSE_CODES.replacedByNewerConnection);
    expect(await received(second, 'welcome')).toHaveLength(1);
    second.socket.close();
    await second.closed;
    await eventually(async () => (await connectionState()) === 'Disconnected' || undefined, 5_000, 'the cluster to be Disconnected');
  });

  // docs/agent-protocol.md, compatibility rule: within one protocol version, agents older and newer than the
  // control plane keep working (deploy/README.md, "Version skew").
  it.each([
    ['an older agent, which omits the optional fields', { agentVersion: '0.0.1' }],
    [
      'a newer agent, which sends fields this control plane does not know',
      { agentVersion: '9.9.9', kubernetesVersion: 'v1.40.0', features: ['x'] },
    ],
  ])('welcomes %s (same protocol version)', async (_agent, fields) => {
    const session = await connect(org.agentTokens.staging as string);
    session.socket.send(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, ...fields }));
    expect(await received(session, 'snapshot')).toHaveLength(1);
    expect(await connectionState()).toBe('Connected');
    session.socket.close();
    await session.closed;
    await eventually(async () => (await connectionState()) === 'Disconnected' || undefined, 5_000, 'the cluster to be Disconnected');
  });
});

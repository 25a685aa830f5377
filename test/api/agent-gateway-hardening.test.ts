import { AGENT_PATH, CLOSE_CODES, PROTOCOL_VERSION } from '@flotilla/protocol';
import { describe, expect, it } from 'vitest';
import { openAgentSession, type AgentSession } from '../support/agent-session.js';
import { eventually } from '../support/processes.js';
import { parseExposition, samplesOf } from '../support/prometheus-text.js';
import { openRaw, upgradeRequest, type RawConnection } from '../support/raw-agent-socket.js';
import { apiForThisFile } from '../support/test-api.js';

const MAX_BUFFERED_BYTES = 64 * 1024;
const { api, org } = await apiForThisFile({
  cluster: 'hardened',
  environment: { AGENT_MAX_BUFFERED_BYTES: String(MAX_BUFFERED_BYTES) },
});
const token = org.agentTokens.hardened as string;

const connect = (): Promise<AgentSession> => openAgentSession(api.url, token);

const hello = JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, agentVersion: 'hardening-test' });
const heartbeat = JSON.stringify({ type: 'heartbeat', sentAt: new Date().toISOString() });
const received = (session: AgentSession, type: string) =>
  eventually(() => session.messages.find((message) => message.type === type), 5_000, `a ${type} message`);
const typesOf = (session: AgentSession) => session.messages.map((message) => message.type);

/** How the connection ended within a few seconds, or `open` when it did not. */
const closeCodeSoon = (session: AgentSession): Promise<number | 'open'> =>
  Promise.race([session.closed, new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), 5_000))]);

/** Sends a request head on a new connection and waits a few seconds for the status of the answer (0: none came). */
async function statusOf(head: string): Promise<RawConnection & { status: number }> {
  const raw = await openRaw(api.url);
  raw.socket.write(head);
  const status = await eventually(() => /^HTTP\/1\.1 (\d{3}) /.exec(raw.received().toString('latin1'))?.[1], 5_000, 'a status line').then(
    Number,
    () => 0,
  );
  return { ...raw, status };
}

const upgradeTo = (target: string, protocol?: string): string =>
  upgradeRequest({ ...(protocol ? { 'Sec-WebSocket-Protocol': protocol } : {}), Authorization: `Bearer ${token}` }, target);

/** The API still serves: health answers and an agent that says hello is welcomed. */
async function expectApiServing(): Promise<void> {
  expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
  const session = await connect();
  session.socket.send(hello);
  await received(session, 'snapshot');
  session.socket.close();
  await session.closed;
}

const agentMessagesCounted = async (labels: { direction: string; type: string }): Promise<number> => {
  const families = parseExposition(await (await fetch(`${api.metricsUrl}/metrics`)).text());
  return samplesOf(families.get('flotilla_agent_messages_total'), labels).reduce((sum, sample) => sum + sample.value, 0);
};

describe('the agent gateway, for upgrades it does not serve', () => {
  it('answers an upgrade whose target is no path with 400 and closes it, and keeps serving', async () => {
    const refused = await statusOf(upgradeTo('//x:99999'));
    expect(refused.status).toBe(400);
    await refused.ended;
    await expectApiServing();
  });

  it('answers an upgrade to a path nothing serves over WebSocket with 404 and closes it, and leaves GraphQL subscriptions alone', async () => {
    for (const target of ['/elsewhere', `${AGENT_PATH}/more`]) {
      const refused = await statusOf(upgradeTo(target));
      expect(refused.status, target).toBe(404);
      await refused.ended;
    }
    const subscription = await statusOf(upgradeTo('/graphql', 'graphql-transport-ws'));
    expect(subscription.status).toBe(101);
    subscription.socket.destroy();
  });
});

describe('the order of the agent protocol', () => {
  it.each([
    ['a heartbeat', heartbeat, 'type: the first message of a connection must be hello, not heartbeat'],
    ['an undecodable message', '{"type":"hello"', expect.any(String) as unknown],
  ])('closes a connection that starts with %s with 4400, without greeting it', async (_title, first, reason) => {
    const session = await connect();
    session.socket.send(first);
    expect(await closeCodeSoon(session)).toBe(CLOSE_CODES.invalidMessage);
    expect(session.messages).toEqual([{ type: 'error', code: 'protocol/invalid_message', message: reason }]);
  });

  it('closes a connection that says hello twice with 4400, after greeting it once', async () => {
    const session = await connect();
    session.socket.send(hello);
    await received(session, 'snapshot');
    session.socket.send(hello);
    expect(await closeCodeSoon(session)).toBe(CLOSE_CODES.invalidMessage);
    expect(typesOf(session)).toEqual(['welcome', 'snapshot', 'error']);
    expect(session.messages[2]).toMatchObject({ code: 'protocol/invalid_message', message: expect.stringMatching(/^type: /) as unknown });
    await expectApiServing();
  });
});

describe('an agent that does not read', () => {
  it('is disconnected with 1013 once more than AGENT_MAX_BUFFERED_BYTES waits unsent to it, and is welcomed again', async () => {
    // Given an agent that stops reading
    const session = await connect();
    session.socket.send(hello);
    await received(session, 'snapshot');
    session.connection.pause();

    // When it sends, on and on, reports the gateway answers at length (each standalone experiment listed is asked for again)
    const answersBefore = await agentMessagesCounted({ direction: 'sent', type: 'observeAgain' });
    const reportsBefore = await agentMessagesCounted({ direction: 'received', type: 'observedDigests' });
    const experiments = Array.from({ length: 3_000 }, (_, index) => ({
      rollout: { namespace: 'shop', name: `${'x'.repeat(200)}-${index}`, kind: 'Experiment' },
      desiredVersion: 1,
      digest: 'd',
    }));
    const report = JSON.stringify({ type: 'observedDigests', rollouts: experiments });
    const reports = 40;
    for (let index = 0; index < reports; index += 1) session.socket.send(report);
    // Each report is answered after a query: the counts settle once every query is back
    const counts: string[] = [];
    const answered = await eventually(
      async () => {
        const [reports, answers] = [
          await agentMessagesCounted({ direction: 'received', type: 'observedDigests' }),
          await agentMessagesCounted({ direction: 'sent', type: 'observeAgain' }),
        ];
        counts.push(`${reports}/${answers}`);
        const lastThree = counts.slice(-3);
        return reports > reportsBefore && lastThree.length === 3 && new Set(lastThree).size === 1 ? answers : undefined;
      },
      20_000,
      'the counts of reports and answers to settle',
    );

    // Then the gateway stopped answering well before the last report, and closes the connection with 1013
    expect(answered - answersBefore).toBeLessThan(reports);
    session.connection.resume();
    expect(await closeCodeSoon(session)).toBe(1013);

    // And the agent is welcomed again when it comes back
    await expectApiServing();
  });
});

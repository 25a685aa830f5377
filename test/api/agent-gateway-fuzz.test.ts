import { AGENT_PATH, CLOSE_CODES, decodeAgentMessage, PROTOCOL_VERSION } from '@flotilla/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import { systemScope } from '../../libs/stores/src/scope/scope.js';
import { reportAbuse, type AbuseTally } from '../support/abuse-report.js';
import { graphqlData } from '../support/graphql-client.js';
import { canaryRollout, toYaml } from '../support/manifests.js';
import { eventually } from '../support/processes.js';
import { openRaw, upgradeRequest } from '../support/raw-agent-socket.js';
import { storesForThisFile } from '../support/stores-for-file.js';
import { startTestApi, type TestApi } from '../support/test-api.js';

const stores = await storesForThisFile(`test-gateway-fuzz-${process.pid}`, createLogger('test', 'warn'));

let api: TestApi;
let token: string;
beforeAll(async () => {
  api = await startTestApi({ AGENT_HANDSHAKE_TIMEOUT_MS: '1000' });
  token = (await api.organization({ cluster: 'fuzzed' })).agentTokens.fuzzed as string;
});
afterAll(() => api.close());

async function serving(): Promise<boolean> {
  const health = await fetch(`${api.url}/healthz`).then(
    (response) => response.status === 200,
    () => false,
  );
  if (!health) return false;
  const agent = await AgentSession.open();
  const welcomed = await agent.greet().then(
    () => true,
    () => false,
  );
  agent.socket.close();
  return welcomed;
}

class AgentSession {
  readonly errors: { code?: string; message?: string }[] = [];
  welcomed = 0;
  closeCode: number | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse((data as Buffer).toString()) as { type: string; code?: string; message?: string };
      if (message.type === 'error') this.errors.push(message);
      if (message.type === 'welcome') this.welcomed += 1;
    });
    socket.on('close', (code) => (this.closeCode = code));
  }

  static async open(agentToken = token): Promise<AgentSession> {
    const socket = new WebSocket(`${api.url.replace(/^http/, 'ws')}${AGENT_PATH}`, {
      headers: { authorization: `Bearer ${agentToken}` },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new AgentSession(socket);
  }

  async greet(): Promise<void> {
    const before = this.welcomed;
    this.socket.send(
      JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, agentVersion: 'fuzz', kubernetesVersion: undefined }),
    );
    await eventually(() => this.welcomed > before || undefined, 5_000, 'welcome');
  }
}

const anyValue = fc.oneof(
  fc.anything(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.constant(1e300),
);
const messageLike = fc.record(
  {
    type: fc.constantFrom('hello', 'heartbeat', 'applied', 'observed', 'measurement', 'welcome', ''),
    protocolVersion: fc.constantFrom(PROTOCOL_VERSION, -1, 1.5, '1', 1e300, null),
    agentVersion: anyValue,
    sentAt: fc.oneof(
      fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
      anyValue,
    ),
    rollout: fc.oneof(
      fc.record({
        namespace: fc.oneof(fc.constantFrom('shop', 'a'.repeat(64)), anyValue),
        name: anyValue,
        kind: fc.option(fc.constantFrom('Experiment', 'Rollout')),
      }),
      anyValue,
    ),
    desiredVersion: anyValue,
    state: fc.oneof(
      fc.record({
        replicaSets: fc.array(fc.dictionary(fc.string(), anyValue, { maxKeys: 4 }), { maxLength: 3 }),
        trafficWeights: fc.dictionary(fc.string(), anyValue, { maxKeys: 2 }),
      }),
      anyValue,
    ),
    requestId: anyValue,
    outcome: fc.oneof(fc.record({ ok: fc.boolean(), rawValue: anyValue, value: anyValue, error: anyValue }), anyValue),
  },
  { requiredKeys: ['type'] },
);
/** A frame an agent could send: a message with random fields, any JSON, any text, any bytes. */
const agentFrame = fc.oneof(
  messageLike.map((message) => JSON.stringify(message)),
  fc.json(),
  fc.string({ unit: 'binary' }),
  fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)),
);

const decodes = (frame: string | Buffer): boolean => {
  try {
    decodeAgentMessage(frame.toString());
    return true;
  } catch {
    return false;
  }
};

/** A `hello` the gateway takes: on a connection already greeted, it ends the connection (4400). */
const isHello = (frame: string | Buffer): boolean => {
  try {
    return decodeAgentMessage(frame.toString()).type === 'hello';
  } catch {
    return false;
  }
};

/** What an agent may send once greeted: a second `hello` is tried on its own (agent-gateway-hardening.test.ts). */
const framesAfterHello = agentFrame.filter((frame) => !isHello(frame));

describe('the agent gateway under random input', () => {
  it('refuses random bytes and mangled upgrade requests before authentication, and stays up', async () => {
    const summary: AbuseTally = { surface: '', inputs: 0, refusedCleanly: 0, accepted: 0, internalErrors: 0, crashes: 0 };
    const request = upgradeRequest({ authorization: `Bearer ${token}` });
    const preamble = fc.oneof(
      fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
      fc
        .tuple(fc.nat({ max: request.length }), fc.uint8Array({ minLength: 1, maxLength: 64 }))
        .map(([cut, noise]) => Buffer.concat([Buffer.from(request.slice(0, cut)), Buffer.from(noise)])),
      fc
        .string({ unit: 'binary' })
        .map((header) => Buffer.from(upgradeRequest({ authorization: `Bearer ${header.replace(/[\r\n]/g, '')}` }))),
    );
    await fc.assert(
      fc.asyncProperty(preamble, async (bytes) => {
        summary.inputs += 1;
        const connection = await openRaw(api.url);
        connection.socket.end(bytes);
        await connection.ended;
        const status = /^HTTP\/1\.1 (\d{3})/.exec(connection.received().toString('latin1'))?.[1];
        const authenticated = bytes.toString('latin1').includes(`Bearer ${token}\r\n`);
        if (status === undefined || status.startsWith('4')) summary.refusedCleanly += 1;
        else if (status === '101' && authenticated) summary.accepted += 1;
        else summary.internalErrors += 1;
      }),
      { numRuns: 150 },
    );
    if (!(await serving())) summary.crashes += 1;
    reportAbuse({ kind: 'fuzz', ...summary, surface: 'agent gateway, raw bytes before authentication' });
    expect(summary).toMatchObject({ internalErrors: 0, crashes: 0 });
  });

  it('answers random frames of an authenticated agent with protocol/invalid_message or takes them, and stays up', async () => {
    const summary: AbuseTally = { surface: '', inputs: 0, refusedCleanly: 0, accepted: 0, internalErrors: 0, crashes: 0 };
    let session = await AgentSession.open();
    await session.greet();
    let expectedRefusals = 0;
    const sessions = [session];
    await fc.assert(
      fc.asyncProperty(framesAfterHello, async (frame) => {
        if (session.closeCode !== undefined) {
          if (session.closeCode !== CLOSE_CODES.unsupportedVersion) summary.crashes += 1;
          session = await AgentSession.open();
          await session.greet();
          sessions.push(session);
        }
        summary.inputs += 1;
        if (!decodes(frame)) expectedRefusals += 1;
        session.socket.send(frame);
      }),
      { numRuns: 300 },
    );
    await eventually(
      () => sessions.reduce((sum, each) => sum + each.errors.length, 0) >= expectedRefusals || undefined,
      5_000,
      `${expectedRefusals} refusals`,
    );
    for (const each of sessions) {
      summary.refusedCleanly += each.errors.filter((error) => error.code === 'protocol/invalid_message').length;
      summary.internalErrors += each.errors.filter((error) => error.code !== 'protocol/invalid_message').length;
    }
    summary.accepted = summary.inputs - summary.refusedCleanly - summary.internalErrors;
    if (!(await serving())) summary.crashes += 1;
    reportAbuse({ kind: 'fuzz', ...summary, surface: 'agent gateway, frames of an authenticated agent' });
    expect(summary).toMatchObject({ refusedCleanly: expectedRefusals, internalErrors: 0, crashes: 0 });
  });
});

describe('an observation the stores could not read back', () => {
  it('is refused naming its missing field, and its rollout stays readable by the API and the reconciler', async () => {
    // Given the rollout a/web of a cluster, connected
    const owner = await api.organization({ cluster: 'observed' });
    await graphqlData(
      api.url,
      owner.tokens.deployer,
      'mutation($yaml: String!) { applyManifests(cluster: "observed", namespace: "a", yaml: $yaml) { name } }',
      { yaml: toYaml(canaryRollout('web')) },
    );
    const stored = await api.database.rollout.findFirstOrThrow({ where: { organizationId: owner.id }, select: { id: true } });
    const agent = await AgentSession.open(owner.agentTokens.observed);
    await agent.greet();

    // When its agent reports a state without serviceSelectors, trafficWeights or observedAt
    agent.socket.send('{"type":"observed","rollout":{"namespace":"a","name":"web"},"desiredVersion":1,"state":{"replicaSets":[]}}');
    await eventually(
      async () =>
        agent.errors.length > 0 ||
        (await api.database.rollout.findUniqueOrThrow({ where: { id: stored.id } })).observed !== null ||
        undefined,
      5_000,
      'the observation refused or stored',
    );
    agent.socket.close();

    // Then the rollout is read as before, and the agent is told which field is missing
    const page = await graphqlData<{ rollouts: { nodes: { name: string }[] } }>(
      api.url,
      owner.tokens.viewer,
      '{ rollouts { nodes { name } } }',
    );
    expect(page.rollouts.nodes).toEqual([{ name: 'web' }]);
    expect(await stores.rollouts.loadForReconcile(systemScope('worker'), stored.id)).toMatchObject({ name: 'web', observed: null });
    expect(agent.errors).toEqual([
      expect.objectContaining({
        code: 'protocol/invalid_message',
        message: expect.stringMatching(/^state\.serviceSelectors: /) as unknown,
      }),
    ]);
  });
});

import {
  AGENT_PATH,
  CLOSE_CODES,
  observationDigest,
  PROTOCOL_VERSION,
  type MeasurementRequest,
  type ObservedPod,
  type ObservedRolloutState,
  type RolloutKey,
} from '@flotilla/protocol';
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { EventBus } from '../../libs/events/src/event-bus.js';
import { ReconcileQueue } from '../../libs/queues/src/reconcile-queue.js';
import { versionJobId } from '../../libs/queues/src/trigger-queue.js';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import { graphqlData } from '../support/graphql-client.js';
import { observedReplicaSet } from '../support/observed-state.js';
import { eventually } from '../support/processes.js';
import { apiForThisFile, startTestApi } from '../support/test-api.js';

const { api, org } = await apiForThisFile({ cluster: 'staging' });

interface Session {
  socket: WebSocket;
  messages: { type: string; code?: string; observationDigests?: boolean; rollouts?: RolloutKey[] }[];
  closed: Promise<{ code: number; reason: string }>;
}

/** Connects as an agent would, keeping every message the control plane sends and how the connection ends. */
async function connect(token: string, apiUrl = api.url): Promise<Session> {
  const socket = new WebSocket(`${apiUrl.replace(/^http/, 'ws')}${AGENT_PATH}`, { headers: { authorization: `Bearer ${token}` } });
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

const MANIFEST = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: 'web:1'}]}
  strategy: {canary: {steps: [{setWeight: 50}, {pause: {}}]}}
`;

/** An organization of its own with the cluster `staging` and the rollout `shop/web` of MANIFEST applied there. */
async function organizationWithRollout() {
  const owner = await api.organization({ cluster: 'staging' });
  await graphqlData(
    api.url,
    owner.tokens.deployer,
    'mutation($yaml: String!) { applyManifests(cluster: "staging", namespace: "shop", yaml: $yaml) { name } }',
    { yaml: MANIFEST },
  );
  return owner;
}

const POD_AND_EVENT_QUERY = `{ rollout(cluster: "staging", namespace: "shop", name: "web") {
  replicaSets { podTemplateHash pods { name status readyContainers containers restarts startedAt nodeName } podsOmitted }
  events { type reason message count lastSeenAt objectKind objectName }
} }`;

interface PodsAndEvents {
  rollout: {
    replicaSets: { podTemplateHash: string; pods: Record<string, unknown>[]; podsOmitted: number }[];
    events: Record<string, unknown>[];
  };
}

/** Connects as an agent of this protocol version and waits for the snapshot; answers how to send and to close. */
async function agent(token: string): Promise<{ session: Session; send: (message: object) => void; close: () => Promise<void> }> {
  const session = await connect(token);
  session.socket.send(hello(PROTOCOL_VERSION));
  await received(session, 'snapshot');
  return {
    session,
    send: (message) => session.socket.send(JSON.stringify(message)),
    close: async () => {
      session.socket.close();
      await session.closed;
    },
  };
}

const crashingPod: ObservedPod = {
  name: 'web-abc-x1',
  status: 'CrashLoopBackOff',
  readyContainers: 0,
  containers: 1,
  restarts: 3,
  startedAt: '2026-12-05T10:00:01.000Z',
  nodeName: 'node-1',
};

const observed = (desiredVersion: number, state: object) => ({
  type: 'observed',
  rollout: { namespace: 'shop', name: 'web' },
  desiredVersion,
  state: { serviceSelectors: {}, trafficWeights: {}, observedAt: new Date().toISOString(), ...state },
});

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
const digestOf = (message: ReturnType<typeof observed>): string => observationDigest(message.state as ObservedRolloutState, sha256Hex);
const digests = (...entries: [RolloutKey, number, string][]) => ({
  type: 'observedDigests',
  rollouts: entries.map(([rollout, desiredVersion, digest]) => ({ rollout, desiredVersion, digest })),
});

const rolloutPodsAndEvents = (token: string) => graphqlData<PodsAndEvents>(api.url, token, POD_AND_EVENT_QUERY);

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

  it('answers the pods of each ReplicaSet and the events an agent reported, and none from an agent that predates them', async () => {
    // Given a rollout and its agent
    const owner = await organizationWithRollout();
    const current = await agent(owner.agentTokens.staging as string);

    // When the agent reports a pod and two events
    current.send(
      observed(0, {
        replicaSets: [
          observedReplicaSet({
            pods: [crashingPod],
            podsOmitted: 2,
          }),
        ],
        events: [
          {
            type: 'Warning',
            reason: 'BackOff',
            message: 'Back-off restarting failed container web',
            count: 3,
            lastSeenAt: '2026-12-05T10:02:00.000Z',
            involvedObject: { kind: 'Pod', name: 'web-abc-x1' },
          },
          {
            type: 'Normal',
            reason: 'SuccessfulCreate',
            message: 'Created pod: web-abc-x1',
            count: 1,
            lastSeenAt: '2026-12-05T10:00:00.000Z',
            involvedObject: { kind: 'ReplicaSet', name: 'web-abc' },
          },
        ],
      }),
    );

    // Then the rollout answers them, typed
    const answer = await eventually(
      async () => {
        const { rollout } = await rolloutPodsAndEvents(owner.tokens.viewer);
        return rollout.events.length > 0 ? rollout : undefined;
      },
      10_000,
      'the reported events',
    );
    expect(answer.replicaSets.find((set) => set.podTemplateHash === 'abc')).toEqual({
      podTemplateHash: 'abc',
      pods: [crashingPod],
      podsOmitted: 2,
    });
    expect(answer.events).toEqual([
      {
        type: 'Warning',
        reason: 'BackOff',
        message: 'Back-off restarting failed container web',
        count: 3,
        lastSeenAt: '2026-12-05T10:02:00.000Z',
        objectKind: 'Pod',
        objectName: 'web-abc-x1',
      },
      {
        type: 'Normal',
        reason: 'SuccessfulCreate',
        message: 'Created pod: web-abc-x1',
        count: 1,
        lastSeenAt: '2026-12-05T10:00:00.000Z',
        objectKind: 'ReplicaSet',
        objectName: 'web-abc',
      },
    ]);
    await current.close();

    // When an agent of the same protocol version from before pods and events reports the rollout
    const older = await agent(owner.agentTokens.staging as string);
    older.send(observed(0, { replicaSets: [observedReplicaSet({ readyReplicas: 0 })] }));

    // Then its observation is taken, with no pods and no events
    const after = await eventually(
      async () => {
        const { rollout } = await rolloutPodsAndEvents(owner.tokens.viewer);
        return rollout.events.length === 0 ? rollout : undefined;
      },
      10_000,
      'the older observation',
    );
    expect(after.replicaSets.find((set) => set.podTemplateHash === 'abc')).toEqual({ podTemplateHash: 'abc', pods: [], podsOmitted: 0 });
    await older.close();
  });
});

describe('the periodic report by digest', () => {
  // docs/agent-protocol.md, observedDigests: agents that predate digests report in full; those after list the
  // unchanged observations by digest, and whatever the control plane does not hold so is asked for again.
  it('stores the digest of a full report from an older agent, takes a matching digest as is, and asks again for one a lost observation left behind', async () => {
    // Given a rollout, reported in full by an agent that predates digests
    const owner = await organizationWithRollout();
    const web = { namespace: 'shop', name: 'web' };
    const experiment: RolloutKey = { namespace: 'shop', name: 'web-ab', kind: 'Experiment' };
    const stored = () => api.database.rollout.findFirstOrThrow({ where: { organizationId: owner.id, name: 'web' } });
    const older = await agent(owner.agentTokens.staging as string);
    expect(older.session.messages[0]).toMatchObject({ type: 'welcome', observationDigests: true });
    const first = observed(0, { replicaSets: [observedReplicaSet({ readyReplicas: 0 })] });
    older.send(first);
    await eventually(async () => ((await stored()).observedDigest === digestOf(first) ? true : undefined), 10_000, 'the stored digest');
    await older.close();

    // When an agent that sends digests lists the same observation (and a standalone experiment, which keeps none)
    const current = await agent(owner.agentTokens.staging as string);
    current.send(digests([web, 0, digestOf(first)], [experiment, 1, 'e'.repeat(64)]));

    // Then only the experiment is asked for again
    expect(await received(current.session, 'observeAgain')).toEqual([{ type: 'observeAgain', rollouts: [experiment] }]);

    // When an observation of a change was lost on the way, and the next periodic report lists its digest
    const lost = observed(0, { replicaSets: [observedReplicaSet({ readyReplicas: 1 })] });
    current.send(digests([web, 0, digestOf(lost)]));

    // Then the rollout is asked for again, and its observation sent in full is stored with its digest
    await eventually(
      () => (current.session.messages.filter((message) => message.type === 'observeAgain').length === 2 ? true : undefined),
      5_000,
      'a second observeAgain',
    );
    expect(current.session.messages.filter((message) => message.type === 'observeAgain')[1]).toEqual({
      type: 'observeAgain',
      rollouts: [web],
    });
    current.send(lost);
    await eventually(
      async () => ((await stored()).observedDigest === digestOf(lost) ? true : undefined),
      10_000,
      'the digest of the resent observation',
    );
    expect((await stored()).observed).toMatchObject({ replicaSets: [{ readyReplicas: 1 }] });

    // And a digest listed with a later applied version than the one recorded is asked for again too
    current.send(digests([web, 1, digestOf(lost)], [experiment, 1, 'e'.repeat(64)]));
    await eventually(
      () => (current.session.messages.filter((message) => message.type === 'observeAgain').length === 3 ? true : undefined),
      5_000,
      'a third observeAgain',
    );
    expect(current.session.messages.filter((message) => message.type === 'observeAgain')[2]).toEqual({
      type: 'observeAgain',
      rollouts: [web, experiment],
    });
    await current.close();
  });
});

describe('a cluster marked disconnected while its agent stays connected', () => {
  it('asks for a reconcile of its rollouts once a heartbeat brings it back', async () => {
    // Given a rollout and its agent, whose connection's reconciles were asked for and taken
    const owner = await organizationWithRollout();
    const current = await agent(owner.agentTokens.staging as string);
    const rollout = await api.database.rollout.findFirstOrThrow({ where: { organizationId: owner.id, name: 'web' } });
    const redis = new Redis(inject('redisUrl'));
    const reconcileQueue = new ReconcileQueue(redis, api.environment.REDIS_PREFIX as string);
    const reconcileJob = () => reconcileQueue.queue.getJob(versionJobId(rollout.id, rollout.version));
    const heartbeats = setInterval(() => current.send({ type: 'heartbeat', sentAt: new Date().toISOString() }), 200);
    try {
      await eventually(reconcileJob, 5_000, 'the reconcile asked for on connection');
      await reconcileQueue.queue.remove(versionJobId(rollout.id, rollout.version));

      // When the worker's sweep marks the cluster Disconnected, its heartbeats having been late, and the next one arrives
      await api.database.cluster.update({ where: { id: rollout.clusterId }, data: { connectionState: 'Disconnected' } });

      // Then the cluster is Connected again, and the rollout's reconcile, held while it was not, is asked for
      expect(await eventually(reconcileJob, 10_000, 'the reconcile asked for on the heartbeat')).toBeDefined();
      const cluster = await api.database.cluster.findUniqueOrThrow({ where: { id: rollout.clusterId } });
      expect(cluster.connectionState).toBe('Connected');
    } finally {
      clearInterval(heartbeats);
      await current.close();
      await reconcileQueue.close();
      await redis.quit();
    }
  });
});

describe('the agent gateway beside another API replica', () => {
  it('sends the agent what any process publishes for its cluster, from the one replica holding its connection', async () => {
    // Given a second replica on the same database and Redis prefix, and the agent connected to that one
    const replica = await startTestApi({ REDIS_PREFIX: api.environment.REDIS_PREFIX as string });
    const redis = new Redis(inject('redisUrl'));
    try {
      const other = await api.organization({ cluster: 'edge' });
      const session = await connect(other.agentTokens.edge as string, replica.url);
      session.socket.send(hello(PROTOCOL_VERSION));
      await received(session, 'snapshot');
      const cluster = await api.database.cluster.findFirstOrThrow({ where: { organizationId: other.id } });
      const clusterChannel = `${api.environment.REDIS_PREFIX as string}:events:desiredStateChanged:${cluster.id}`;
      const subscribersOfClusterChannel = async (): Promise<number> =>
        ((await redis.pubsub('NUMSUB', clusterChannel)) as [string, number])[1];
      // Only the replica holding the agent subscribes to its cluster's channel, and did before it sent the snapshot
      expect(await subscribersOfClusterChannel()).toBe(1);

      // When a worker publishes a measurement request and a desired-state change for the cluster
      const events = new EventBus(redis, redis, createLogger('test', 'silent'), api.environment.REDIS_PREFIX as string);
      const request: MeasurementRequest = {
        requestId: 'replicas-1',
        run: { name: 'web-1', namespace: 'shop', uid: 'r1' },
        metric: { name: 'success-rate', provider: { web: { url: 'http://metrics.shop.svc/rate' } } },
        measurementIndex: 0,
        timeoutSeconds: 30,
      };
      await events.publish('measurementRequested', { organizationId: other.id, payload: { clusterId: cluster.id, requests: [request] } });
      await events.publish('desiredStateChanged', {
        organizationId: other.id,
        payload: { clusterId: cluster.id, id: '00000000-0000-7000-8000-000000000000', key: { namespace: 'shop', name: 'gone' } },
      });

      // Then the agent gets each exactly once, through the replica that holds it
      expect(await received(session, 'measure')).toHaveLength(1);
      expect(await received(session, 'deleted')).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(session.messages.filter((message) => message.type === 'measure' || message.type === 'deleted')).toHaveLength(2);
      session.socket.close();
      await session.closed;

      // And once the agent is gone, no replica hears its cluster any more
      await eventually(async () => (await subscribersOfClusterChannel()) === 0, 5_000, 'the unsubscription');
    } finally {
      // The replica stops while it may still be recording the disconnection: it waits for it
      await redis.quit();
      await replica.close();
    }
  });
});

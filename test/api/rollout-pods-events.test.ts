import { AGENT_PATH, PROTOCOL_VERSION, type ObservedReplicaSet } from '@flotilla/protocol';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventually } from '../support/processes.js';
import { graphqlData } from '../support/graphql-client.js';
import { apiForThisFile } from '../support/test-api.js';

const { api, org } = await apiForThisFile({ cluster: 'staging' });

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

const QUERY = `{ rollout(cluster: "staging", namespace: "shop", name: "web") {
  replicaSets { podTemplateHash pods { name status readyContainers containers restarts startedAt nodeName } podsOmitted }
  events { type reason message count lastSeenAt objectKind objectName }
} }`;

interface Answer {
  rollout: {
    replicaSets: { podTemplateHash: string; pods: Record<string, unknown>[]; podsOmitted: number }[];
    events: Record<string, unknown>[];
  };
}

/** Connects as an agent, says hello and waits for the snapshot; answers a function that sends a message. */
async function agent(): Promise<{ send: (message: object) => void; close: () => Promise<void> }> {
  const socket = new WebSocket(`${api.url.replace(/^http/, 'ws')}${AGENT_PATH}`, {
    headers: { authorization: `Bearer ${org.agentTokens.staging as string}` },
  });
  const snapshot = new Promise<void>((resolve) =>
    socket.on('message', (data) => {
      if ((JSON.parse((data as Buffer).toString()) as { type: string }).type === 'snapshot') resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, agentVersion: 'pods-test' }));
  await snapshot;
  return {
    send: (message) => socket.send(JSON.stringify(message)),
    close: () => new Promise((resolve) => socket.once('close', () => resolve()).close()),
  };
}

const replicaSet = (extra: Partial<ObservedReplicaSet>): ObservedReplicaSet => ({
  podTemplateHash: 'abc',
  labels: {},
  annotations: {},
  replicas: 1,
  currentReplicas: 1,
  readyReplicas: 1,
  availableReplicas: 1,
  template: { spec: { containers: [{ name: 'web', image: 'web:1' }] } },
  podProblems: [],
  oldestPodCreatedAt: '2026-12-05T10:00:00.000Z',
  ...extra,
});

const observed = (desiredVersion: number, state: object) => ({
  type: 'observed',
  rollout: { namespace: 'shop', name: 'web' },
  desiredVersion,
  state: { serviceSelectors: {}, trafficWeights: {}, observedAt: new Date().toISOString(), ...state },
});

const query = () => graphqlData<Answer>(api.url, org.tokens.viewer, QUERY);

describe('pods and events of a rollout', () => {
  it('answers the pods of each ReplicaSet and the events an agent reported, and none from an agent that predates them', async () => {
    // Given a rollout and its agent
    await graphqlData(
      api.url,
      org.tokens.deployer,
      'mutation($yaml: String!) { applyManifests(cluster: "staging", namespace: "shop", yaml: $yaml) { name } }',
      { yaml: MANIFEST },
    );
    const current = await agent();

    // When the agent reports a pod and two events
    current.send(
      observed(0, {
        replicaSets: [
          replicaSet({
            pods: [
              {
                name: 'web-abc-x1',
                status: 'CrashLoopBackOff',
                readyContainers: 0,
                containers: 1,
                restarts: 3,
                startedAt: '2026-12-05T10:00:01.000Z',
                nodeName: 'node-1',
              },
            ],
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
        const { rollout } = await query();
        return rollout.events.length > 0 ? rollout : undefined;
      },
      10_000,
      'the reported events',
    );
    expect(answer.replicaSets.find((set) => set.podTemplateHash === 'abc')).toEqual({
      podTemplateHash: 'abc',
      pods: [
        {
          name: 'web-abc-x1',
          status: 'CrashLoopBackOff',
          readyContainers: 0,
          containers: 1,
          restarts: 3,
          startedAt: '2026-12-05T10:00:01.000Z',
          nodeName: 'node-1',
        },
      ],
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
    const older = await agent();
    older.send(observed(0, { replicaSets: [replicaSet({ readyReplicas: 0 })] }));

    // Then its observation is taken, with no pods and no events
    const after = await eventually(
      async () => {
        const { rollout } = await query();
        return rollout.events.length === 0 ? rollout : undefined;
      },
      10_000,
      'the older observation',
    );
    expect(after.replicaSets.find((set) => set.podTemplateHash === 'abc')).toEqual({ podTemplateHash: 'abc', pods: [], podsOmitted: 0 });
    await older.close();
  });
});

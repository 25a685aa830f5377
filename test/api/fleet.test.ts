import { createClient } from 'graphql-ws';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import type { FleetRolloutSpec, ReleasePhase, ReleaseStatus } from '../../libs/fleet-engine/src/index.js';
import { EventBus } from '../../libs/events/src/event-bus.js';
import { createLogger } from '../../libs/service-runtime/src/logger.js';
import { createRedisConnection } from '../../libs/service-runtime/src/redis.js';
import { AuditStore } from '../../libs/stores/src/audit/audit-store.js';
import { inTransaction } from '../../libs/stores/src/database/database.js';
import type { FleetReleaseRecord } from '../../libs/stores/src/fleet/fleet-records.js';
import { FleetReleaseStore } from '../../libs/stores/src/fleet/fleet-release-store.js';
import { FleetRolloutStore } from '../../libs/stores/src/fleet/fleet-rollout-store.js';
import { RolloutStore } from '../../libs/stores/src/rollouts/rollout-store.js';
import { organizationScope } from '../../libs/stores/src/scope/scope.js';
import { graphql, graphqlData, type GraphqlResponse } from '../support/graphql-client.js';
import { canaryRollout, toYaml, type Manifest } from '../support/manifests.js';
import { apiForThisFile, type TestOrganization } from '../support/test-api.js';

const { api, org } = await apiForThisFile({ cluster: 'staging' });
const other = await api.organization({ cluster: 'staging' });

const APPLY = `mutation($cluster: String, $namespace: String, $yaml: String!) {
  applyManifests(cluster: $cluster, namespace: $namespace, yaml: $yaml) { documentIndex kind name namespace action generation }
}`;
const LABEL = `mutation($cluster: String!, $labels: JSON!) { updateClusterLabels(cluster: $cluster, labels: $labels) { name labels } }`;
const REGISTER = `mutation($name: String!, $labels: JSON) { registerCluster(name: $name, labels: $labels) { cluster { name } } }`;
const FLEET_ROLLOUT = `query($name: String!) {
  fleetRollout(name: $name) {
    name labels rolloutNamespace rolloutName failurePolicy generation appliedBy
    waves { name clusterSelector maxParallel soakSeconds approval allowMissing disconnectedTimeoutSeconds }
    plan { fleetRollout waves { wave clusters } unassigned }
  }
}`;
const RELEASE_FIELDS = `fleetRollout number phase message reason startedBy finishedAt currentWave unassigned supersededBy
  change { container image template }
  waves { name phase approvedBy gates { gate state message since until } members { cluster state message rollout { cluster namespace name } } }`;

type Place = { cluster?: string; namespace?: string };

const apply = (yaml: string, token = org.tokens.admin, place: Place = {}) =>
  graphql<{ applyManifests: Manifest[] }>(api.url, token, APPLY, { yaml, ...place });

const errorOf = (response: GraphqlResponse<unknown>) => response.errors?.[0]?.extensions;

/** A FleetRollout of the checkout Rollout: a staging canary, Europe, then the rest of production. */
function fleetRollout(name = 'checkout', spec: Partial<FleetRolloutSpec> = {}): Manifest {
  return {
    apiVersion: 'flotilla.io/v1alpha1',
    kind: 'FleetRollout',
    metadata: { name, labels: { team: 'payments' } },
    spec: {
      rollout: { namespace: 'shop', name: 'checkout' },
      clusterSelector: { matchExpressions: [{ key: 'env', operator: 'Exists' }] },
      waves: [
        { name: 'canary', clusterSelector: { matchLabels: { env: 'staging' } }, soakSeconds: 300 },
        {
          name: 'europe',
          clusterSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['eu'] }] },
          maxParallel: '50%',
          approval: 'manual',
        },
        { name: 'production', clusterSelector: { matchLabels: { env: 'prod' } }, maxParallel: 2, disconnectedTimeoutSeconds: 60 },
      ],
      failurePolicy: 'rollbackAll',
      ...spec,
    },
  };
}

const auditActions = async (organizationId: string, prefix: string) =>
  await api.database.auditEvent.findMany({
    where: { organizationId, action: { startsWith: prefix } },
    orderBy: { sequence: 'asc' },
    select: { action: true, targetName: true, targetType: true, before: true, after: true },
  });

beforeAll(async () => {
  for (const [name, labels] of [
    ['eu-1', { env: 'prod', region: 'eu' }],
    ['us-1', { env: 'prod', region: 'us' }],
    ['us-2', { env: 'prod', region: 'us' }],
    ['lab', { env: 'lab' }],
    ['bare', {}],
  ] as const) {
    await graphqlData(api.url, org.tokens.admin, REGISTER, { name, labels });
  }
  await graphqlData(api.url, org.tokens.admin, LABEL, { cluster: 'staging', labels: { env: 'staging' } });
  const rollout = canaryRollout('checkout');
  rollout.metadata.namespace = 'shop';
  await graphqlData(api.url, org.tokens.deployer, APPLY, { cluster: 'staging', namespace: 'shop', yaml: toYaml(rollout) });
});

describe('applyManifests with FleetRollouts', () => {
  it('stores a FleetRollout without cluster or namespace, then reports it Unchanged and Updated, audited', async () => {
    const created = await apply(toYaml(fleetRollout('orders')));
    expect(created.errors).toBeUndefined();
    expect(created.data?.applyManifests).toEqual([
      { documentIndex: 0, kind: 'FleetRollout', name: 'orders', namespace: null, action: 'Created', generation: 1 },
    ]);
    expect((await apply(toYaml(fleetRollout('orders')))).data?.applyManifests).toMatchObject([{ action: 'Unchanged', generation: 1 }]);
    const updated = await apply(toYaml(fleetRollout('orders', { failurePolicy: 'halt' })));
    expect(updated.data?.applyManifests).toMatchObject([{ action: 'Updated', generation: 2 }]);

    const audit = await auditActions(org.id, 'fleet_rollout.');
    expect(audit.map(({ action, targetName, targetType }) => ({ action, targetName, targetType }))).toEqual([
      { action: 'fleet_rollout.created', targetName: 'orders', targetType: 'FleetRollout' },
      { action: 'fleet_rollout.updated', targetName: 'orders', targetType: 'FleetRollout' },
    ]);
    expect(audit[1]?.before).toMatchObject({ spec: { failurePolicy: 'rollbackAll' } });
    expect(audit[1]?.after).toMatchObject({ spec: { failurePolicy: 'halt' }, generation: 2 });
  });

  it('stores FleetRollouts given with a cluster and namespace too, in the organization', async () => {
    const response = await apply(toYaml(fleetRollout('checkout')), org.tokens.admin, { cluster: 'staging', namespace: 'shop' });
    expect(response.data?.applyManifests).toEqual([
      { documentIndex: 0, kind: 'FleetRollout', name: 'checkout', namespace: null, action: 'Created', generation: 1 },
    ]);
  });

  it.each<[string, Place]>([
    ['neither', {}],
    ['no namespace', { cluster: 'staging' }],
    ['no cluster', { namespace: 'shop' }],
  ])('refuses a Rollout with %s, naming the document', async (_title, place) => {
    const response = await apply(toYaml(canaryRollout('cart')), org.tokens.deployer, place);
    expect(errorOf(response)).toMatchObject({
      code: 'manifest/invalid',
      problems: [{ documentIndex: 0, path: 'kind', message: expect.stringContaining('give the cluster and namespace') as unknown }],
    });
    expect(response.errors?.[0]?.message).toContain('cluster and namespace are required');
  });

  it('refuses a FleetRollout and a Rollout in one call, at the first document of the other scope', async () => {
    const mixed = toYaml(canaryRollout('cart'), fleetRollout('mixed'));
    const response = await apply(mixed, org.tokens.admin, { cluster: 'staging', namespace: 'shop' });
    expect(errorOf(response)).toMatchObject({
      code: 'manifest/invalid',
      problems: [{ documentIndex: 1, path: 'kind', message: expect.stringContaining('apply them separately') as unknown }],
    });
    expect(await api.database.fleetRollout.count({ where: { organizationId: org.id, name: 'mixed' } })).toBe(0);
  });

  it.each<[string, Manifest, string]>([
    ['a namespace', { ...fleetRollout('x'), metadata: { name: 'x', namespace: 'shop' } }, 'metadata.namespace'],
    ['a rollout name in capitals', fleetRollout('x', { rollout: { namespace: 'shop', name: 'Checkout' } }), 'spec.rollout.name'],
    ['a timeout over a day', fleetRollout('x', { disconnectedTimeoutSeconds: 86_401 }), 'spec.disconnectedTimeoutSeconds'],
    ['a 0% wave', fleetRollout('x', { waves: [{ name: 'all', maxParallel: '0%' }] }), 'spec.waves[0].maxParallel'],
    ['no waves', fleetRollout('x', { waves: [] }), 'spec.waves'],
    ['an unknown policy', fleetRollout('x', { failurePolicy: 'pray' as never }), 'spec.failurePolicy'],
  ])('refuses a FleetRollout with %s, naming the field', async (_title, document, path) => {
    const response = await apply(toYaml(document));
    expect(errorOf(response)).toMatchObject({ code: 'manifest/invalid', problems: [{ documentIndex: 0, path }] });
  });
});

describe('roles', () => {
  it('refuses a FleetRollout to a deployer, and cluster labels', async () => {
    const fleet = await apply(toYaml(fleetRollout('deployers')), org.tokens.deployer);
    expect(errorOf(fleet)).toMatchObject({ code: 'auth/forbidden', problems: [{ documentIndex: 0, path: 'kind' }] });
    const labels = await graphql(api.url, org.tokens.deployer, LABEL, { cluster: 'lab', labels: { env: 'prod' } });
    expect(errorOf(labels)).toMatchObject({ code: 'auth/forbidden' });
    expect(await api.database.fleetRollout.count({ where: { organizationId: org.id, name: 'deployers' } })).toBe(0);
  });

  it('lets a viewer read FleetRollouts, plans and releases', async () => {
    const read = await graphql(
      api.url,
      org.tokens.viewer,
      `
        {
          fleetRollouts {
            name
          }
          fleetPlan(name: "checkout") {
            fleetRollout
          }
          fleetReleases(fleetRollout: "checkout") {
            nodes {
              number
            }
          }
        }
      `,
    );
    expect(read.errors).toBeUndefined();
    expect(read.data).toMatchObject({ fleetPlan: { fleetRollout: 'checkout' }, fleetReleases: { nodes: [] } });
  });
});

describe('updateClusterLabels', () => {
  it('replaces the labels and audits them before and after', async () => {
    const updated = await graphqlData<{ updateClusterLabels: unknown }>(api.url, org.tokens.admin, LABEL, {
      cluster: 'lab',
      labels: { env: 'lab', 'flotilla.io/tier': 'edge' },
    });
    expect(updated.updateClusterLabels).toEqual({ name: 'lab', labels: { env: 'lab', 'flotilla.io/tier': 'edge' } });
    const events = await auditActions(org.id, 'cluster.labels_updated');
    expect(events.at(-1)).toMatchObject({
      targetName: 'lab',
      before: { labels: { env: 'lab' } },
      after: { labels: { env: 'lab', 'flotilla.io/tier': 'edge' } },
    });
  });

  it.each<[string, unknown, string]>([
    ['a key with two slashes', { 'a/b/c': 'x' }, 'labels.a/b/c'],
    ['a value of 64 characters', { env: 'a'.repeat(64) }, 'labels.env'],
    ['a value that is no label value', { env: 'prod east' }, 'labels.env'],
    ['a number', { replicas: 3 }, 'labels.replicas'],
    ['65 labels', Object.fromEntries(Array.from({ length: 65 }, (_, index) => [`k${index}`, 'v'])), 'labels'],
    ['a list', ['env'], 'labels'],
  ])('refuses %s, naming the label', async (_title, labels, path) => {
    const response = await graphql(api.url, org.tokens.admin, LABEL, { cluster: 'lab', labels });
    expect(errorOf(response)).toMatchObject({ code: 'input/invalid', problems: [{ path }] });
  });

  it('refuses the same rules at registration', async () => {
    const response = await graphql(api.url, org.tokens.admin, REGISTER, { name: 'odd', labels: { 'a/b/c': 'x' } });
    expect(errorOf(response)).toMatchObject({ code: 'input/invalid', problems: [{ path: 'labels.a/b/c' }] });
  });

  it("answers cluster/not_found for another organization's cluster", async () => {
    const response = await graphql(api.url, other.tokens.admin, LABEL, { cluster: 'lab', labels: {} });
    expect(errorOf(response)).toMatchObject({ code: 'cluster/not_found' });
  });
});

describe('the fleet plan', () => {
  it("puts each selected cluster in the first wave that matches it, with the waves' defaults filled in", async () => {
    const read = await graphqlData<{ fleetRollout: unknown }>(api.url, org.tokens.viewer, FLEET_ROLLOUT, { name: 'checkout' });
    const plan = {
      fleetRollout: 'checkout',
      waves: [
        { wave: 'canary', clusters: ['staging'] },
        { wave: 'europe', clusters: ['eu-1'] },
        { wave: 'production', clusters: ['us-1', 'us-2'] },
      ],
      unassigned: ['lab'],
    };
    expect(read.fleetRollout).toEqual({
      name: 'checkout',
      labels: { team: 'payments' },
      rolloutNamespace: 'shop',
      rolloutName: 'checkout',
      failurePolicy: 'rollbackAll',
      generation: 1,
      appliedBy: 'token:admin',
      waves: [
        {
          name: 'canary',
          clusterSelector: { matchLabels: { env: 'staging' } },
          maxParallel: null,
          soakSeconds: 300,
          approval: 'automatic',
          allowMissing: false,
          disconnectedTimeoutSeconds: 600,
        },
        {
          name: 'europe',
          clusterSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['eu'] }] },
          maxParallel: '50%',
          soakSeconds: 0,
          approval: 'manual',
          allowMissing: false,
          disconnectedTimeoutSeconds: 600,
        },
        {
          name: 'production',
          clusterSelector: { matchLabels: { env: 'prod' } },
          maxParallel: '2',
          soakSeconds: 0,
          approval: 'automatic',
          allowMissing: false,
          disconnectedTimeoutSeconds: 60,
        },
      ],
      plan,
    });
    const fleetPlan = await graphqlData<{ fleetPlan: unknown }>(
      api.url,
      org.tokens.viewer,
      '{ fleetPlan(name: "checkout") { fleetRollout waves { wave clusters } unassigned } }',
    );
    expect(fleetPlan.fleetPlan).toEqual(plan);
  });

  it("follows the clusters' labels as they change", async () => {
    await graphqlData(api.url, org.tokens.admin, LABEL, { cluster: 'us-2', labels: { env: 'prod', region: 'eu' } });
    const read = await graphqlData<{ fleetPlan: { waves: unknown[] } }>(
      api.url,
      org.tokens.viewer,
      '{ fleetPlan(name: "checkout") { waves { wave clusters } } }',
    );
    expect(read.fleetPlan.waves).toEqual([
      { wave: 'canary', clusters: ['staging'] },
      { wave: 'europe', clusters: ['eu-1', 'us-2'] },
      { wave: 'production', clusters: ['us-1'] },
    ]);
  });

  it('answers fleet/not_found for a FleetRollout that does not exist', async () => {
    const response = await graphql(api.url, org.tokens.viewer, '{ fleetPlan(name: "nothing") { fleetRollout } }');
    expect(errorOf(response)).toMatchObject({ code: 'fleet/not_found' });
  });
});

const releaseStatus = (phase: ReleasePhase, startedAt: string): ReleaseStatus => ({
  phase,
  message: 'wave canary: 1 of 1 members changing',
  currentWave: 0,
  waves: [
    {
      name: 'canary',
      phase: 'Progressing',
      startedAt,
      finishedAt: null,
      healthySince: null,
      approval: null,
      gates: [{ gate: 'healthy', state: 'Waiting', message: 'staging is changing', since: startedAt, until: null }],
      members: [
        {
          cluster: 'staging',
          state: 'Changing',
          message: 'canary step 1',
          changedAt: startedAt,
          targetHash: 'abc',
          previousTemplate: null,
          previousHash: null,
        },
      ],
    },
    {
      name: 'europe',
      phase: 'Pending',
      startedAt: null,
      finishedAt: null,
      healthySince: null,
      approval: null,
      gates: [],
      members: [
        { cluster: 'eu-1', state: 'Pending', message: '', changedAt: null, targetHash: null, previousTemplate: null, previousHash: null },
      ],
    },
  ],
  unassigned: ['lab'],
  pausedFrom: null,
  startedAt,
  finishedAt: null,
});

/** Starts a release of the organization's FleetRollout straight in the store: starting one is not this API's part. */
async function startRelease(organization: TestOrganization, name: string, phase: ReleasePhase, image: string): Promise<FleetReleaseRecord> {
  const scope = organizationScope(organization.id);
  const rollouts = new RolloutStore(api.database);
  const releases = new FleetReleaseStore(api.database, rollouts, new AuditStore(api.database, { publish: () => Promise.resolve() }));
  const fleet = await new FleetRolloutStore(api.database).find(scope, name);
  if (!fleet) throw new Error(`no FleetRollout ${name}`);
  return inTransaction(api.database, (transaction) =>
    releases.create(scope, transaction, {
      fleetRollout: fleet,
      change: { type: 'image', container: 'checkout', image },
      reason: `ship ${image}`,
      startedBy: 'token:admin',
      status: releaseStatus(phase, new Date().toISOString()),
    }),
  );
}

describe('fleet releases', () => {
  let second: FleetReleaseRecord;

  beforeAll(async () => {
    await startRelease(org, 'checkout', 'Succeeded', 'shop/checkout:2');
    second = await startRelease(org, 'checkout', 'Progressing', 'shop/checkout:3');
  });

  it("answers the current release, with its waves, gates and each member's Rollout", async () => {
    const read = await graphqlData<{ fleetRelease: unknown; fleetRollout: { currentRelease: { number: number } } }>(
      api.url,
      org.tokens.viewer,
      `{ fleetRelease(fleetRollout: "checkout") { ${RELEASE_FIELDS} } fleetRollout(name: "checkout") { currentRelease { number } } }`,
    );
    expect(read.fleetRollout.currentRelease.number).toBe(2);
    expect(read.fleetRelease).toMatchObject({
      fleetRollout: 'checkout',
      number: 2,
      phase: 'Progressing',
      message: 'wave canary: 1 of 1 members changing',
      reason: 'ship shop/checkout:3',
      startedBy: 'token:admin',
      finishedAt: null,
      currentWave: 0,
      unassigned: ['lab'],
      supersededBy: null,
      change: { container: 'checkout', image: 'shop/checkout:3', template: null },
      waves: [
        {
          name: 'canary',
          phase: 'Progressing',
          approvedBy: null,
          gates: [{ gate: 'healthy', state: 'Waiting', message: 'staging is changing', until: null }],
          members: [
            {
              cluster: 'staging',
              state: 'Changing',
              message: 'canary step 1',
              rollout: { cluster: 'staging', namespace: 'shop', name: 'checkout' },
            },
          ],
        },
        { name: 'europe', phase: 'Pending', members: [{ cluster: 'eu-1', state: 'Pending', rollout: null }] },
      ],
    });
  });

  it('reads releases newest first, page by page, and one by number', async () => {
    const query = `query($after: String) { fleetReleases(fleetRollout: "checkout", page: { first: 1, after: $after }) { nodes { number } pageInfo { endCursor hasNextPage } } }`;
    type Page = { fleetReleases: { nodes: { number: number }[]; pageInfo: { endCursor: string; hasNextPage: boolean } } };
    const first = await graphqlData<Page>(api.url, org.tokens.viewer, query);
    expect(first.fleetReleases).toMatchObject({ nodes: [{ number: 2 }], pageInfo: { hasNextPage: true } });
    const next = await graphqlData<Page>(api.url, org.tokens.viewer, query, { after: first.fleetReleases.pageInfo.endCursor });
    expect(next.fleetReleases).toMatchObject({ nodes: [{ number: 1 }], pageInfo: { hasNextPage: false } });
    const one = await graphqlData<{ fleetRelease: unknown }>(
      api.url,
      org.tokens.viewer,
      '{ fleetRelease(fleetRollout: "checkout", number: 1) { number phase } }',
    );
    expect(one.fleetRelease).toEqual({ number: 1, phase: 'Succeeded' });
    const none = await graphqlData<{ fleetRelease: unknown }>(
      api.url,
      org.tokens.viewer,
      '{ fleetRelease(fleetRollout: "checkout", number: 9) { number } }',
    );
    expect(none.fleetRelease).toBeNull();
  });

  it("delivers changes of the organization's releases to subscribers", async () => {
    const publisher = createRedisConnection({ url: inject('redisUrl') });
    const subscriber = createRedisConnection({ url: inject('redisUrl') });
    const bus = new EventBus(publisher, subscriber, createLogger('test', 'silent'), api.environment.REDIS_PREFIX ?? '');
    const client = createClient({
      url: `${api.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${org.tokens.viewer}` },
    });
    try {
      const received = new Promise<unknown>((resolve, reject) => {
        client.subscribe(
          { query: 'subscription { fleetReleaseChanged(fleetRollout: "checkout") { fleetRollout number phase startedAt } }' },
          { next: (message) => resolve(message.data), error: reject, complete: () => undefined },
        );
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const elsewhere = { ...second, organizationId: other.id, number: 7 };
      await bus.publish('fleetReleaseChanged', { organizationId: other.id, payload: elsewhere });
      await bus.publish('fleetReleaseChanged', { organizationId: org.id, payload: { ...second, fleetRolloutName: 'orders', number: 8 } });
      await bus.publish('fleetReleaseChanged', { organizationId: org.id, payload: { ...second, phase: 'Paused' } });
      expect(await received).toEqual({
        fleetReleaseChanged: { fleetRollout: 'checkout', number: 2, phase: 'Paused', startedAt: second.startedAt.toISOString() },
      });
    } finally {
      await client.dispose();
      publisher.disconnect();
      subscriber.disconnect();
    }
  });
});

describe('tenancy', () => {
  it('shows another organization none of the FleetRollouts, plans or releases', async () => {
    const read = await graphql<{ fleetRollouts: unknown[]; fleetRollout: unknown }>(
      api.url,
      other.tokens.viewer,
      '{ fleetRollouts { name } fleetRollout(name: "checkout") { name } }',
    );
    expect(read.data).toEqual({ fleetRollouts: [], fleetRollout: null });
    for (const query of [
      '{ fleetPlan(name: "checkout") { fleetRollout } }',
      '{ fleetReleases(fleetRollout: "checkout") { nodes { number } } }',
      '{ fleetRelease(fleetRollout: "checkout", number: 1) { number } }',
    ]) {
      expect(errorOf(await graphql(api.url, other.tokens.viewer, query))).toMatchObject({ code: 'fleet/not_found' });
    }
  });

  it('lets another organization apply a FleetRollout of the same name as its own, leaving ours alone', async () => {
    const response = await apply(toYaml(fleetRollout('checkout', { failurePolicy: 'halt' })), other.tokens.admin);
    expect(response.data?.applyManifests).toMatchObject([{ name: 'checkout', action: 'Created', generation: 1 }]);
    const ours = await graphqlData<{ fleetRollout: { failurePolicy: string; generation: number } }>(
      api.url,
      org.tokens.viewer,
      FLEET_ROLLOUT,
      {
        name: 'checkout',
      },
    );
    expect(ours.fleetRollout).toMatchObject({ failurePolicy: 'rollbackAll', generation: 1 });
    const theirs = await graphqlData<{ fleetRollout: { plan: unknown } }>(api.url, other.tokens.viewer, FLEET_ROLLOUT, {
      name: 'checkout',
    });
    expect(theirs.fleetRollout.plan).toEqual({
      fleetRollout: 'checkout',
      waves: [
        { wave: 'canary', clusters: [] },
        { wave: 'europe', clusters: [] },
        { wave: 'production', clusters: [] },
      ],
      unassigned: [],
    });
    const releases = await graphqlData<{ fleetReleases: { nodes: unknown[] } }>(
      api.url,
      other.tokens.viewer,
      '{ fleetReleases(fleetRollout: "checkout") { nodes { number } } }',
    );
    expect(releases.fleetReleases.nodes).toEqual([]);
  });
});

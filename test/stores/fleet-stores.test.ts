import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PodTemplateSpec, RolloutSpec } from '../../libs/argo-spec/src/index.js';
import type { FleetRolloutSpec, ReleaseDecision, ReleaseStatus } from '../../libs/fleet-engine/src/index.js';
import { createDatabaseClient, inTransaction, type DatabaseClient } from '../../libs/stores/src/database/database.js';
import { AuditStore } from '../../libs/stores/src/audit/audit-store.js';
import { ClusterStore } from '../../libs/stores/src/clusters/cluster-store.js';
import { FleetReleaseStore } from '../../libs/stores/src/fleet/fleet-release-store.js';
import { FleetRolloutStore } from '../../libs/stores/src/fleet/fleet-rollout-store.js';
import { OrganizationStore } from '../../libs/stores/src/organizations/organization-store.js';
import { RolloutStore } from '../../libs/stores/src/rollouts/rollout-store.js';
import { ApiTokenStore } from '../../libs/stores/src/tokens/api-token-store.js';
import { organizationScope, systemScope, type OrganizationScope } from '../../libs/stores/src/scope/scope.js';
import { canaryRollout } from '../support/manifests.js';

const SYSTEM = systemScope('test');

let database: DatabaseClient;
let audit: AuditStore;
let clusters: ClusterStore;
let rollouts: RolloutStore;
let fleetRollouts: FleetRolloutStore;
let releases: FleetReleaseStore;
let organizations: OrganizationStore;

beforeAll(() => {
  database = createDatabaseClient(inject('databaseUrl'), 2);
  audit = new AuditStore(database, { publish: () => Promise.resolve() });
  clusters = new ClusterStore(database);
  rollouts = new RolloutStore(database);
  fleetRollouts = new FleetRolloutStore(database);
  releases = new FleetReleaseStore(database, rollouts, audit);
  organizations = new OrganizationStore(database, audit, new ApiTokenStore(database, audit));
});
afterAll(() => database.$disconnect());

const fleetSpec: FleetRolloutSpec = {
  rollout: { namespace: 'shop', name: 'checkout' },
  waves: [{ name: 'staging', clusterSelector: { matchLabels: { env: 'staging' } } }, { name: 'rest' }],
};

const rolloutSpec = canaryRollout('checkout', 'shop/checkout:1').spec as unknown as RolloutSpec;

/** An organization with a staging and a prod cluster, each with the `shop/checkout` Rollout, and the FleetRollout. */
async function fleet(): Promise<{ scope: OrganizationScope; fleetRolloutId: string; rolloutIds: Record<string, string> }> {
  const created = await organizations.create(SYSTEM, `fleet-${randomUUID().slice(0, 8)}`, { name: 'admin', role: 'admin' });
  const scope = organizationScope(created.organization.id);
  return inTransaction(database, async (transaction) => {
    const rolloutIds: Record<string, string> = {};
    for (const [name, env] of [
      ['eu', 'prod'],
      ['stg', 'staging'],
    ] as const) {
      const cluster = await clusters.register(scope, transaction, { name, labels: { env }, agentToken: `agent-${randomUUID()}` });
      const applied = await rollouts.apply(scope, transaction, {
        clusterId: cluster.id,
        namespace: 'shop',
        name: 'checkout',
        labels: {},
        annotations: {},
        spec: rolloutSpec,
        appliedBy: 'admin',
      });
      rolloutIds[name] = applied.rollout.id;
    }
    const applied = await fleetRollouts.apply(scope, transaction, {
      name: 'checkout',
      labels: {},
      annotations: {},
      spec: fleetSpec,
      appliedBy: 'admin',
    });
    return { scope, fleetRolloutId: applied.record.id, rolloutIds };
  });
}

const member = (cluster: string) => ({
  cluster,
  state: 'Pending' as const,
  message: '',
  changedAt: null,
  targetHash: null,
  previousTemplate: null,
  previousHash: null,
});

const startedStatus: ReleaseStatus = {
  phase: 'Progressing',
  message: '',
  currentWave: 0,
  waves: [
    {
      name: 'staging',
      phase: 'Progressing',
      startedAt: null,
      finishedAt: null,
      healthySince: null,
      approval: null,
      gates: [],
      members: [member('stg')],
    },
    {
      name: 'rest',
      phase: 'Pending',
      startedAt: null,
      finishedAt: null,
      healthySince: null,
      approval: null,
      gates: [],
      members: [member('eu')],
    },
  ],
  unassigned: [],
  pausedFrom: null,
  startedAt: '2026-12-05T10:00:00.000Z',
  finishedAt: null,
};

const newTemplate: PodTemplateSpec = { ...rolloutSpec.template, spec: { containers: [{ name: 'checkout', image: 'shop/checkout:2' }] } };

const decision = (status: ReleaseStatus, changes: ReleaseDecision['memberChanges'] = []): ReleaseDecision => ({
  status,
  memberChanges: changes,
  analysisRunsToStart: [],
  memberOperations: [],
  events: [{ type: 'MemberChanged', wave: 'staging', cluster: 'stg', message: 'stg changed' }],
  wakeAt: null,
});

describe('FleetRolloutStore', () => {
  it('creates, keeps and updates a FleetRollout, its generation growing only with its spec', async () => {
    const { scope } = await fleet();
    const apply = (spec: FleetRolloutSpec, labels: Record<string, string> = {}) =>
      inTransaction(database, (transaction) =>
        fleetRollouts.apply(scope, transaction, { name: 'checkout', labels, annotations: {}, spec, appliedBy: 'ops' }),
      );

    expect((await apply(fleetSpec)).action).toBe('Unchanged');
    const relabelled = await apply(fleetSpec, { team: 'payments' });
    expect([relabelled.action, relabelled.record.generation]).toEqual(['Updated', 1]);
    const changed = await apply({ ...fleetSpec, failurePolicy: 'rollbackAll' }, { team: 'payments' });
    expect([changed.action, changed.record.generation, changed.record.spec.failurePolicy]).toEqual(['Updated', 2, 'rollbackAll']);
    expect((await fleetRollouts.list(scope)).map((record) => record.name)).toEqual(['checkout']);
  });
});

describe('FleetReleaseStore', () => {
  it('numbers releases, makes the present rollouts members, and is seen by its organization only', async () => {
    const { scope, fleetRolloutId, rolloutIds } = await fleet();
    const other = await fleet();
    const fleetRollout = (await fleetRollouts.find(scope, 'checkout'))!;
    const created = await inTransaction(database, async (transaction) => {
      expect(await releases.lockForRelease(scope, transaction, fleetRolloutId)).toBeNull();
      return releases.create(scope, transaction, {
        fleetRollout,
        change: { type: 'image', container: 'checkout', image: 'shop/checkout:2' },
        reason: 'fix',
        startedBy: 'dev',
        status: startedStatus,
      });
    });

    expect([created.number, created.phase, created.fleetRolloutName, created.version]).toEqual([1, 'Progressing', 'checkout', 0]);
    for (const id of Object.values(rolloutIds)) expect((await rollouts.findById(SYSTEM, id))?.fleetReleaseId).toBe(created.id);
    expect((await releases.find(scope, 'checkout'))?.id).toBe(created.id);
    expect(await releases.find(other.scope, 'checkout')).toBeNull();
    expect(await releases.findById(other.scope, created.id)).toBeNull();
    const loaded = (await releases.load(SYSTEM, created.id))!;
    expect(Object.keys(loaded.members).sort()).toEqual(['eu', 'stg']);
    expect(loaded.members.stg?.rollout?.spec.template.spec.containers[0]?.image).toBe('shop/checkout:1');
    expect(loaded.members.stg?.cluster?.connectionState).toBe('Pending');
  });

  it('writes a decision whole at the version it read: status, member templates, audit; then frees the members at the end', async () => {
    const { scope, fleetRolloutId, rolloutIds } = await fleet();
    const fleetRollout = (await fleetRollouts.find(scope, 'checkout'))!;
    const created = await inTransaction(database, async (transaction) => {
      await releases.lockForRelease(scope, transaction, fleetRolloutId);
      return releases.create(scope, transaction, {
        fleetRollout,
        change: { type: 'template', template: newTemplate },
        reason: null,
        startedBy: 'dev',
        status: startedStatus,
      });
    });
    const loaded = (await releases.load(SYSTEM, created.id))!;
    const changing: ReleaseStatus = { ...startedStatus, message: 'staging under way' };
    const written = await inTransaction(database, (transaction, afterCommit) =>
      releases.write(SYSTEM, transaction, afterCommit, {
        ...loaded,
        decision: decision(changing, [{ cluster: 'stg', template: newTemplate, purpose: 'release' }]),
        actor: 'fleet-release:checkout#1',
      }),
    );

    expect(written?.record.version).toBe(1);
    expect(written?.record.status.message).toBe('staging under way');
    const staging = (await rollouts.findById(SYSTEM, rolloutIds.stg!))!;
    expect([staging.spec.template.spec.containers[0]?.image, staging.generation, staging.specChangedBy]).toEqual([
      'shop/checkout:2',
      2,
      'fleet-release:checkout#1',
    ]);
    expect(staging.spec.strategy).toEqual(rolloutSpec.strategy);
    expect(written?.changedRollouts).toEqual([{ id: staging.id, version: staging.version }]);
    const actions = (await audit.list(scope, { targetType: 'FleetRelease' }, 10, undefined)).map((event) => event.action);
    expect(actions).toContain('fleet_release.MemberChanged');
    expect((await audit.list(scope, { action: 'rollout.fleet_template_changed' }, 10, undefined)).map((event) => event.targetName)).toEqual(
      ['stg/shop/checkout'],
    );

    const stale = await inTransaction(database, (transaction, afterCommit) =>
      releases.write(SYSTEM, transaction, afterCommit, {
        ...loaded,
        decision: decision({ ...changing, message: 'stale' }),
        actor: 'worker',
      }),
    );
    expect(stale).toBeNull();
    expect((await releases.findById(scope, created.id))?.status.message).toBe('staging under way');

    const fresh = (await releases.load(SYSTEM, created.id))!;
    const finished = await inTransaction(database, (transaction, afterCommit) =>
      releases.write(SYSTEM, transaction, afterCommit, {
        ...fresh,
        decision: decision({ ...changing, phase: 'Aborted', finishedAt: '2026-12-05T10:05:00.000Z' }),
        actor: 'dev',
      }),
    );
    expect([finished?.record.phase, finished?.record.finishedAt?.toISOString()]).toEqual(['Aborted', '2026-12-05T10:05:00.000Z']);
    for (const id of Object.values(rolloutIds)) expect((await rollouts.findById(SYSTEM, id))?.fleetReleaseId).toBeNull();
    expect((await releases.active(SYSTEM)).map((release) => release.id)).not.toContain(created.id);
  });
});

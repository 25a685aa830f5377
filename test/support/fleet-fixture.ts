import { randomUUID } from 'node:crypto';
import type { RolloutSpec } from '../../libs/argo-spec/src/index.js';
import { startRelease, type FleetRolloutSpec } from '../../libs/fleet-engine/src/index.js';
import type { ClusterStore } from '../../libs/stores/src/clusters/cluster-store.js';
import { inTransaction, type DatabaseClient } from '../../libs/stores/src/database/database.js';
import type { FleetReleaseRecord } from '../../libs/stores/src/fleet/fleet-records.js';
import type { FleetReleaseStore } from '../../libs/stores/src/fleet/fleet-release-store.js';
import type { FleetRolloutStore } from '../../libs/stores/src/fleet/fleet-rollout-store.js';
import type { OrganizationStore } from '../../libs/stores/src/organizations/organization-store.js';
import type { RolloutStore } from '../../libs/stores/src/rollouts/rollout-store.js';
import type { LoadedRollout, ReconcileWritePlan } from '../../libs/stores/src/rollouts/reconcile-batches.js';
import type { AuditEntry } from '../../libs/stores/src/audit/audit-store.js';
import { organizationScope, systemScope, type OrganizationScope } from '../../libs/stores/src/scope/scope.js';
import { initialStatus, podTemplateHash, type RolloutStatus } from '../../libs/rollout-engine/src/index.js';
import { canaryRollout } from './manifests.js';

/** A cluster of a fixture, as a FleetRollout's waves select it. */
export interface FixtureCluster {
  name: string;
  labels: Record<string, string>;
}

/** An organization made by `organizationWithClusters`. */
export interface FixtureOrganization {
  organizationId: string;
  scope: OrganizationScope;
  /** Cluster ids by cluster name. */
  clusterIds: Record<string, string>;
  /** The `shop/checkout` Rollout's id by cluster name; empty when none was asked for. */
  rolloutIds: Record<string, string>;
}

/**
 * A new organization (named `<prefix>-<random>`, with an admin token) and its `clusters`, each running the canary
 * Rollout `shop/checkout` of `checkout.image` when `checkout` is given; written in one transaction.
 * @example await organizationWithClusters(stores, 'fleet', [{ name: 'eu-1', labels: { region: 'eu' } }], { rollouts, image: 'shop/checkout:1' })
 */
export async function organizationWithClusters(
  stores: { database: DatabaseClient; organizations: OrganizationStore; clusters: ClusterStore },
  prefix: string,
  clusters: readonly FixtureCluster[],
  checkout?: { rollouts: RolloutStore; image: string },
): Promise<FixtureOrganization> {
  const created = await stores.organizations.create(systemScope('test'), `${prefix}-${randomUUID().slice(0, 8)}`, {
    name: 'admin',
    role: 'admin',
  });
  const organizationId = created.organization.id;
  const scope = organizationScope(organizationId);
  return inTransaction(stores.database, async (transaction) => {
    const clusterIds: Record<string, string> = {};
    const rolloutIds: Record<string, string> = {};
    for (const { name, labels } of clusters) {
      const cluster = await stores.clusters.register(scope, transaction, { name, labels, agentToken: `agent-${randomUUID()}` });
      clusterIds[name] = cluster.id;
      if (checkout === undefined) continue;
      const applied = await checkout.rollouts.apply(scope, transaction, {
        clusterId: cluster.id,
        namespace: 'shop',
        name: 'checkout',
        labels: {},
        annotations: {},
        spec: canaryRollout('checkout', checkout.image).spec as unknown as RolloutSpec,
        appliedBy: 'admin',
      });
      rolloutIds[name] = applied.rollout.id;
    }
    return { organizationId, scope, clusterIds, rolloutIds };
  });
}

/** What `startedCheckoutRelease` releases, and to which clusters. */
export interface FixtureRelease {
  spec: FleetRolloutSpec;
  clusters: readonly FixtureCluster[];
  /** The new image of the `checkout` container. */
  image: string;
  reason: string | null;
  now: Date;
  /** The FleetRollout's annotations (its notification subscriptions); none unless given. */
  annotations?: Readonly<Record<string, string>>;
}

/**
 * The FleetRollout `checkout` of `release.spec` applied in the organization of `scope`, and a release of
 * `release.image` to it started at `release.now` by `token:deployer`; written in one transaction.
 */
export function startedCheckoutRelease(
  stores: { database: DatabaseClient; fleetRollouts: FleetRolloutStore; releases: FleetReleaseStore },
  scope: OrganizationScope,
  release: FixtureRelease,
): Promise<FleetReleaseRecord> {
  return inTransaction(stores.database, async (transaction) => {
    const { record: fleetRollout } = await stores.fleetRollouts.apply(scope, transaction, {
      name: 'checkout',
      labels: {},
      annotations: { ...release.annotations },
      spec: release.spec,
      appliedBy: 'admin',
    });
    await stores.releases.lockForRelease(scope, transaction, fleetRollout.id);
    return stores.releases.create(scope, transaction, {
      fleetRollout,
      change: { type: 'image', container: 'checkout', image: release.image },
      reason: release.reason,
      startedBy: 'token:deployer',
      status: startRelease({ spec: release.spec, clusters: [...release.clusters], now: release.now }).status,
    });
  });
}

/**
 * Writes the rollout's status as its reconcile would once it is Healthy and fully promoted on its current template,
 * for its current generation, through the reconcile path's own guarded write.
 */
export async function markHealthy(rollouts: RolloutStore, rolloutId: string, at: Date): Promise<void> {
  const scope = systemScope('worker');
  const rollout = await rollouts.loadForReconcile(scope, rolloutId);
  if (!rollout) throw new Error(`rollout ${rolloutId} is gone`);
  const hash = podTemplateHash(rollout.spec.template);
  const status = { ...initialStatus(hash, rollout.generation, at.toISOString()), phase: 'Healthy' as const, stableRS: hash };
  const result = await rollouts.writeReconcile(scope, statusWrite(rollout, status, at));
  if (!result.written) throw new Error(`rollout ${rolloutId} changed while it was being made Healthy`);
}

/** A reconcile's write of the rollout as loaded that changes its status, appends `audit`, and nothing else. */
export function statusWrite(rollout: LoadedRollout, status: RolloutStatus, at: Date, audit: AuditEntry[] = []): ReconcileWritePlan {
  return {
    rollout,
    expectedVersion: rollout.version,
    update: {
      spec: undefined,
      generation: rollout.generation,
      specChangedBy: rollout.specChangedBy,
      status,
      desiredState: undefined,
      desiredVersion: rollout.desiredVersion,
      nextReconcileAt: null,
      version: rollout.version + 1,
    },
    settledOperations: [],
    revisionStarts: [],
    revisionFinishes: [],
    currentRevision: undefined,
    analysisRunStarts: [],
    analysisRunsToEnd: [],
    experimentStarts: [],
    experimentUpdates: [],
    audit,
    now: at,
  };
}

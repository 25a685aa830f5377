import { jsonEqual } from '@flotilla/argo-spec';
import type { FleetRolloutSpec } from '@flotilla/fleet-engine';
import type { FleetRollout } from '../generated/prisma/client.js';
import type { DatabaseClient, Transaction } from '../database/database.js';
import { stringMapColumn } from '../rollouts/json-shapes.js';
import type { OrganizationScope } from '../scope/scope.js';
import { fleetRolloutSpecColumn } from './fleet-columns.js';
import type { FleetRolloutRecord } from './fleet-records.js';

/** A FleetRollout document as applied to the organization. */
export interface FleetRolloutManifest {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: FleetRolloutSpec;
  appliedBy: string;
}

export type FleetRolloutApplied =
  | { action: 'Created' | 'Unchanged'; record: FleetRolloutRecord }
  | { action: 'Updated'; record: FleetRolloutRecord; previousSpec: FleetRolloutSpec };

const columns = {
  labels: stringMapColumn('FleetRollout.labels'),
  annotations: stringMapColumn('FleetRollout.annotations'),
  spec: fleetRolloutSpecColumn('FleetRollout.spec'),
};

export const fleetRolloutRecordOf = (row: FleetRollout): FleetRolloutRecord => ({
  ...row,
  labels: columns.labels.decode(row.labels),
  annotations: columns.annotations.decode(row.annotations),
  spec: columns.spec.decode(row.spec),
});

/** The organization's FleetRollouts. Their releases are `FleetReleaseStore`'s. */
export class FleetRolloutStore {
  constructor(private readonly database: DatabaseClient) {}

  /** Every FleetRollout of the organization, by name. */
  async list(scope: OrganizationScope): Promise<FleetRolloutRecord[]> {
    const rows = await this.database.fleetRollout.findMany({ where: { organizationId: scope.organizationId }, orderBy: { name: 'asc' } });
    return rows.map(fleetRolloutRecordOf);
  }

  async find(scope: OrganizationScope, name: string, transaction: Transaction = this.database): Promise<FleetRolloutRecord | null> {
    const row = await transaction.fleetRollout.findUnique({
      where: { organizationId_name: { organizationId: scope.organizationId, name } },
    });
    return row && fleetRolloutRecordOf(row);
  }

  /** Creates or updates the FleetRollout of a manifest; its generation grows only when its spec really changed. */
  async apply(scope: OrganizationScope, transaction: Transaction, manifest: FleetRolloutManifest): Promise<FleetRolloutApplied> {
    const { name, labels, annotations, spec, appliedBy } = manifest;
    const data = {
      labels: columns.labels.encode(labels),
      annotations: columns.annotations.encode(annotations),
      spec: columns.spec.encode(spec),
      appliedBy,
    };
    const existingRow = await transaction.fleetRollout.findUnique({
      where: { organizationId_name: { organizationId: scope.organizationId, name } },
    });
    if (!existingRow) {
      const created = await transaction.fleetRollout.create({ data: { organizationId: scope.organizationId, name, ...data } });
      return { action: 'Created', record: fleetRolloutRecordOf(created) };
    }
    const existing = fleetRolloutRecordOf(existingRow);
    const specChanged = !jsonEqual(existing.spec, spec);
    if (!specChanged && jsonEqual(existing.labels, labels) && jsonEqual(existing.annotations, annotations)) {
      return { action: 'Unchanged', record: existing };
    }
    const updated = await transaction.fleetRollout.update({
      where: { id: existing.id },
      data: { ...data, ...(specChanged ? { generation: { increment: 1 } } : {}) },
    });
    return { action: 'Updated', record: fleetRolloutRecordOf(updated), previousSpec: existing.spec };
  }
}

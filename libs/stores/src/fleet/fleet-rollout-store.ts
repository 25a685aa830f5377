import type { FleetRolloutSpec } from '@flotilla/fleet-engine';
import type { FleetRollout } from '../generated/prisma/client.js';
import type { DatabaseClient, Transaction } from '../database/database.js';
import { stringMapColumn } from '../rollouts/json-shapes.js';
import type { OrganizationScope } from '../scope/scope.js';
import { applyOrganizationDocument, type OrganizationDocument, type OrganizationDocumentApplied } from '../scope/organization-documents.js';
import { fleetRolloutSpecColumn } from './fleet-columns.js';
import type { FleetRolloutRecord } from './fleet-records.js';

/** A FleetRollout document as applied to the organization. */
export type FleetRolloutManifest = OrganizationDocument<FleetRolloutSpec>;

export type FleetRolloutApplied = OrganizationDocumentApplied<FleetRolloutSpec, FleetRolloutRecord>;

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
  apply(scope: OrganizationScope, transaction: Transaction, manifest: FleetRolloutManifest): Promise<FleetRolloutApplied> {
    const { organizationId } = scope;
    const { name } = manifest;
    return applyOrganizationDocument(
      {
        find: async () => {
          const row = await transaction.fleetRollout.findUnique({ where: { organizationId_name: { organizationId, name } } });
          return row && fleetRolloutRecordOf(row);
        },
        create: async (data) => fleetRolloutRecordOf(await transaction.fleetRollout.create({ data: { organizationId, name, ...data } })),
        update: async (id, data) => fleetRolloutRecordOf(await transaction.fleetRollout.update({ where: { id }, data })),
      },
      columns,
      manifest,
    );
  }
}

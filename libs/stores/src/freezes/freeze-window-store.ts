import type { FreezeWindowSpec } from '@flotilla/argo-spec';
import { z } from 'zod';
import type { FreezeWindow } from '../generated/prisma/client.js';
import type { DatabaseClient, Transaction } from '../database/database.js';
import { shapedAs, stringMapColumn } from '../rollouts/json-shapes.js';
import { objectColumn } from '../scope/json-column.js';
import type { OrganizationScope, SystemScope } from '../scope/scope.js';
import { applyOrganizationDocument, type OrganizationDocument, type OrganizationDocumentApplied } from '../scope/organization-documents.js';

/** A FreezeWindow as applied: when releases of some clusters and namespaces of the organization wait. */
export interface FreezeWindowRecord {
  id: string;
  organizationId: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: FreezeWindowSpec;
  generation: number;
  appliedBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A FreezeWindow document as applied to the organization. */
export type FreezeWindowManifest = OrganizationDocument<FreezeWindowSpec>;

export type FreezeWindowApplied = OrganizationDocumentApplied<FreezeWindowSpec, FreezeWindowRecord>;

// The spec was validated at apply: the full check covers what evaluation relies on.
const columns = {
  labels: stringMapColumn('FreezeWindow.labels'),
  annotations: stringMapColumn('FreezeWindow.annotations'),
  spec: objectColumn(
    'FreezeWindow.spec',
    ['reason'],
    shapedAs<FreezeWindowSpec>(
      z.looseObject({ reason: z.string(), schedule: z.string().optional(), start: z.string().optional(), end: z.string().optional() }),
    ),
  ),
};

const freezeWindowRecordOf = (row: FreezeWindow): FreezeWindowRecord => ({
  ...row,
  labels: columns.labels.decode(row.labels),
  annotations: columns.annotations.decode(row.annotations),
  spec: columns.spec.decode(row.spec),
});

/** The organization's FreezeWindows. */
export class FreezeWindowStore {
  constructor(private readonly database: DatabaseClient) {}

  /** Every FreezeWindow of the organization, by name. */
  list(scope: OrganizationScope): Promise<FreezeWindowRecord[]> {
    return this.listOf(scope.organizationId);
  }

  /** Every FreezeWindow of one organization, for the control plane acting on its own (the worker's freeze checks). */
  ofOrganization(_scope: SystemScope, organizationId: string): Promise<FreezeWindowRecord[]> {
    return this.listOf(organizationId);
  }

  async find(scope: OrganizationScope, name: string, transaction: Transaction = this.database): Promise<FreezeWindowRecord | null> {
    const row = await transaction.freezeWindow.findUnique({
      where: { organizationId_name: { organizationId: scope.organizationId, name } },
    });
    return row && freezeWindowRecordOf(row);
  }

  /** Creates or updates the FreezeWindow of a manifest; its generation grows only when its spec really changed. */
  apply(scope: OrganizationScope, transaction: Transaction, manifest: FreezeWindowManifest): Promise<FreezeWindowApplied> {
    const { organizationId } = scope;
    const { name } = manifest;
    return applyOrganizationDocument(
      {
        find: () => this.find(scope, name, transaction),
        create: async (data) => freezeWindowRecordOf(await transaction.freezeWindow.create({ data: { organizationId, name, ...data } })),
        update: async (id, data) => freezeWindowRecordOf(await transaction.freezeWindow.update({ where: { id }, data })),
      },
      columns,
      manifest,
    );
  }

  private async listOf(organizationId: string): Promise<FreezeWindowRecord[]> {
    const rows = await this.database.freezeWindow.findMany({ where: { organizationId }, orderBy: { name: 'asc' } });
    return rows.map(freezeWindowRecordOf);
  }
}

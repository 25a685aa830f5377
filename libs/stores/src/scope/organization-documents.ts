import { jsonEqual } from '@flotilla/argo-spec';
import type { Prisma } from '../generated/prisma/client.js';
import type { JsonColumn } from './json-column.js';

/** A document of an organization-scoped kind (FleetRollout, FreezeWindow) as applied to the organization. */
export interface OrganizationDocument<Spec> {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: Spec;
  appliedBy: string;
}

export type OrganizationDocumentApplied<Spec, Record> =
  { action: 'Created' | 'Unchanged'; record: Record } | { action: 'Updated'; record: Record; previousSpec: Spec };

/** The columns an apply writes. */
export interface OrganizationDocumentColumns {
  labels: Prisma.InputJsonValue;
  annotations: Prisma.InputJsonValue;
  spec: Prisma.InputJsonValue;
  appliedBy: string;
}

/** A kind's table, in the caller's transaction: its row of the document's name, and how to create and update it. */
export interface OrganizationDocumentTable<Record> {
  find(): Promise<Record | null>;
  create(columns: OrganizationDocumentColumns): Promise<Record>;
  update(id: string, columns: OrganizationDocumentColumns & { generation?: { increment: number } }): Promise<Record>;
}

/**
 * Creates or updates the stored document of a manifest: unchanged when its spec, labels and annotations are, a new
 * generation only when its spec changed.
 */
export async function applyOrganizationDocument<Spec, Record extends OrganizationDocument<Spec> & { id: string }>(
  table: OrganizationDocumentTable<Record>,
  columns: { labels: JsonColumn<Record['labels']>; annotations: JsonColumn<Record['annotations']>; spec: JsonColumn<Spec> },
  manifest: OrganizationDocument<Spec>,
): Promise<OrganizationDocumentApplied<Spec, Record>> {
  const { labels, annotations, spec, appliedBy } = manifest;
  const data: OrganizationDocumentColumns = {
    labels: columns.labels.encode(labels),
    annotations: columns.annotations.encode(annotations),
    spec: columns.spec.encode(spec),
    appliedBy,
  };
  const existing = await table.find();
  if (!existing) return { action: 'Created', record: await table.create(data) };
  const specChanged = !jsonEqual(existing.spec, spec);
  if (!specChanged && jsonEqual(existing.labels, labels) && jsonEqual(existing.annotations, annotations)) {
    return { action: 'Unchanged', record: existing };
  }
  const updated = await table.update(existing.id, { ...data, ...(specChanged ? { generation: { increment: 1 } } : {}) });
  return { action: 'Updated', record: updated, previousSpec: existing.spec };
}

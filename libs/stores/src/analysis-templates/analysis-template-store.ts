import { z } from 'zod';
import { jsonEqual, type AnalysisTemplateSpec } from '@flotilla/argo-spec';
import type { Prisma } from '../generated/prisma/client.js';
import type { DatabaseClient, Transaction } from '../database/database.js';
import { anyObject, shapedAs, stringMapColumn } from '../rollouts/json-shapes.js';
import { objectColumn, type JsonColumn } from '../scope/json-column.js';
import { organizationFilter, type OrganizationScope } from '../scope/scope.js';

/** A template's name and spec, as references to it are checked against. */
export interface TemplateSpecByName {
  name: string;
  spec: AnalysisTemplateSpec;
}

/** An AnalysisTemplate (with its cluster and namespace) or a ClusterAnalysisTemplate document as applied. */
export interface TemplateManifest {
  name: string;
  annotations: Record<string, string>;
  spec: AnalysisTemplateSpec;
}

export type TemplateApplied =
  | { action: 'Created' | 'Unchanged'; id: string; version: number }
  | { action: 'Updated'; id: string; version: number; previousSpec: AnalysisTemplateSpec };

const templateSpecColumn = (column: string): JsonColumn<AnalysisTemplateSpec> =>
  objectColumn(column, ['metrics'], shapedAs<AnalysisTemplateSpec>(z.looseObject({ metrics: z.array(anyObject) })));

const namespacedColumns = {
  spec: templateSpecColumn('AnalysisTemplate.spec'),
  annotations: stringMapColumn('AnalysisTemplate.annotations'),
};
const clusterWideColumns = {
  spec: templateSpecColumn('ClusterAnalysisTemplate.spec'),
  annotations: stringMapColumn('ClusterAnalysisTemplate.annotations'),
};

interface StoredTemplateRow {
  id: string;
  version: number;
  spec: Prisma.JsonValue;
  annotations: Prisma.JsonValue;
}

/** AnalysisTemplates of a cluster's namespaces and ClusterAnalysisTemplates of an organization, as manifests apply them. */
export class AnalysisTemplateStore {
  constructor(private readonly database: DatabaseClient) {}

  /** The AnalysisTemplates of a namespace of the organization's cluster of that name. */
  async namespacedSpecs(scope: OrganizationScope, clusterName: string, namespace: string): Promise<TemplateSpecByName[]> {
    const rows = await this.database.analysisTemplate.findMany({
      where: { ...organizationFilter(scope), cluster: { name: clusterName }, namespace },
      select: { name: true, spec: true },
    });
    return rows.map(({ name, spec }) => ({ name, spec: namespacedColumns.spec.decode(spec) }));
  }

  async clusterWideSpecs(scope: OrganizationScope): Promise<TemplateSpecByName[]> {
    const rows = await this.database.clusterAnalysisTemplate.findMany({
      where: organizationFilter(scope),
      select: { name: true, spec: true },
    });
    return rows.map(({ name, spec }) => ({ name, spec: clusterWideColumns.spec.decode(spec) }));
  }

  /** Creates or updates an AnalysisTemplate in a namespace of a cluster of the organization. */
  async applyNamespaced(
    scope: OrganizationScope,
    transaction: Transaction,
    target: { clusterId: string; namespace: string },
    manifest: TemplateManifest,
  ): Promise<TemplateApplied> {
    const { clusterId, namespace } = target;
    const columns = {
      spec: namespacedColumns.spec.encode(manifest.spec),
      annotations: namespacedColumns.annotations.encode(manifest.annotations),
    };
    const existing = await transaction.analysisTemplate.findUnique({
      where: { clusterId_namespace_name: { clusterId, namespace, name: manifest.name }, ...organizationFilter(scope) },
    });
    if (!existing) {
      const created = await transaction.analysisTemplate.create({
        data: { organizationId: scope.organizationId, clusterId, namespace, name: manifest.name, ...columns },
      });
      return { action: 'Created', id: created.id, version: created.version };
    }
    return changeOf(existing, manifest, namespacedColumns, () =>
      transaction.analysisTemplate.update({ where: { id: existing.id }, data: { ...columns, version: { increment: 1 } } }),
    );
  }

  /** Creates or updates a ClusterAnalysisTemplate of the organization. */
  async applyClusterWide(scope: OrganizationScope, transaction: Transaction, manifest: TemplateManifest): Promise<TemplateApplied> {
    const { organizationId } = scope;
    const columns = {
      spec: clusterWideColumns.spec.encode(manifest.spec),
      annotations: clusterWideColumns.annotations.encode(manifest.annotations),
    };
    const existing = await transaction.clusterAnalysisTemplate.findUnique({
      where: { organizationId_name: { organizationId, name: manifest.name } },
    });
    if (!existing) {
      const created = await transaction.clusterAnalysisTemplate.create({ data: { organizationId, name: manifest.name, ...columns } });
      return { action: 'Created', id: created.id, version: created.version };
    }
    return changeOf(existing, manifest, clusterWideColumns, () =>
      transaction.clusterAnalysisTemplate.update({ where: { id: existing.id }, data: { ...columns, version: { increment: 1 } } }),
    );
  }
}

/** Leaves a template whose spec and annotations are as applied unchanged, and updates it otherwise. */
async function changeOf(
  existing: StoredTemplateRow,
  manifest: TemplateManifest,
  columns: typeof namespacedColumns,
  update: () => Promise<{ id: string; version: number }>,
): Promise<TemplateApplied> {
  const previousSpec = columns.spec.decode(existing.spec);
  if (jsonEqual(previousSpec, manifest.spec) && jsonEqual(columns.annotations.decode(existing.annotations), manifest.annotations))
    return { action: 'Unchanged', id: existing.id, version: existing.version };
  const updated = await update();
  return { action: 'Updated', id: updated.id, version: updated.version, previousSpec };
}

import type { Prisma } from '../../libs/stores/src/generated/prisma/client.js';
import type { DatabaseClient } from '../../libs/stores/src/database/database.js';
import { runSpecColumn } from '../../libs/stores/src/analysis-runs/analysis-run-columns.js';

/** The organization's ClusterAnalysisTemplate of these metrics. */
export interface FixtureTemplate {
  name: string;
  metrics: Prisma.InputJsonValue[];
  annotations?: Record<string, string>;
}

/**
 * The ClusterAnalysisTemplate `template`, and a step run `runName` of it for the rollout of `owner` (revision hash
 * `6f7d9c`), not yet started; answers the run's id.
 */
export async function templateWithStepRun(
  database: DatabaseClient,
  owner: { organizationId: string; clusterId: string; rolloutId: string },
  template: FixtureTemplate,
  runName: string,
): Promise<string> {
  const { organizationId, clusterId, rolloutId } = owner;
  await database.clusterAnalysisTemplate.create({
    data: { organizationId, name: template.name, annotations: template.annotations ?? {}, spec: { metrics: template.metrics } },
  });
  const run = await database.analysisRun.create({
    data: {
      organizationId,
      clusterId,
      rolloutId,
      namespace: 'shop',
      name: runName,
      kind: 'step',
      podTemplateHash: '6f7d9c',
      spec: runSpecColumn.encode({
        analysis: { templates: [{ templateName: template.name, clusterScope: true }] },
        stablePodTemplateHash: null,
      }),
    },
  });
  return run.id;
}

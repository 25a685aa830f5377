import type { Prisma } from '@flotilla/stores';
import type { AnalysisRunModel } from './analysis.models.js';

/** What an AnalysisRun object needs loaded with its row. */
export const ANALYSIS_RUN_INCLUDE = {
  cluster: { select: { name: true } },
  measurements: { orderBy: [{ metricName: 'asc' }, { index: 'asc' }] },
} satisfies Prisma.AnalysisRunInclude;

export type AnalysisRunRow = Prisma.AnalysisRunGetPayload<{ include: typeof ANALYSIS_RUN_INCLUDE }>;

export function toAnalysisRunModel(row: AnalysisRunRow): AnalysisRunModel {
  return { ...row, cluster: row.cluster.name };
}

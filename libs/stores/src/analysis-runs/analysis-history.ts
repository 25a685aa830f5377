import type { DatabaseClient } from '../database/database.js';

const DAY_MS = 86_400_000;

/**
 * Analysis history is kept after a rollout moves on, so that a release can be explained later; it is pruned only
 * once finished runs are older than the configured retention (0 keeps everything).
 */
export async function pruneAnalysisHistory(database: DatabaseClient, retentionDays: number, now = new Date()): Promise<number> {
  if (retentionDays <= 0) return 0;
  const { count } = await database.analysisRun.deleteMany({
    where: { finishedAt: { lt: new Date(now.getTime() - retentionDays * DAY_MS) } },
  });
  return count;
}

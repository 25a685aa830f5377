import type { Prisma } from '../generated/prisma/client.js';

/**
 * Experiments applied on their own that still have something in their cluster. A rollout step's experiment always has
 * its step index, even once its rollout is deleted.
 */
export const STANDALONE_LIVE_EXPERIMENT = { stepIndex: null, releasedAt: null } satisfies Prisma.ExperimentWhereInput;

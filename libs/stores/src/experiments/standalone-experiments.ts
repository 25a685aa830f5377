import type { Prisma } from '../generated/prisma/client.js';
import type { PreparedStatement } from '../database/sql.js';

/**
 * Experiments applied on their own that still have something in their cluster. A rollout step's experiment always has
 * its step index, even once its rollout is deleted.
 */
export const STANDALONE_LIVE_EXPERIMENT = { stepIndex: null, releasedAt: null } satisfies Prisma.ExperimentWhereInput;

/**
 * Live standalone experiments of connected clusters whose agent has not reported their current desired version as
 * applied, keyed as the agent protocol keys them (`kind` 'Experiment').
 */
export const LAGGING_EXPERIMENT_DESIRED_STATES: PreparedStatement = {
  name: 'sweep-lagging-experiment-desired-states',
  text: `SELECT e.id, e."organizationId", e."clusterId", e.namespace, e.name, e."desiredVersion", 'Experiment' AS kind
  FROM "Experiment" e JOIN "Cluster" c ON c.id = e."clusterId"
  WHERE c."connectionState" = 'Connected' AND e."stepIndex" IS NULL AND e."releasedAt" IS NULL
    AND e."appliedDesiredVersion" < e."desiredVersion"`,
};

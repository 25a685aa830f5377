import type { PreparedStatement } from '../database/sql.js';

// The statements of people's requests on rollouts (the list, the lookup by name, `setImage`, `promote`, …),
// hand-written: the Prisma client's planning of each query and mapping of its rows cost the API more than the query
// (docs/benchmarks.md).

/**
 * A page of an organization's rollouts with their clusters' names, in the order of cluster id, namespace, name and
 * id, after the rollout `$6` when given. Filters that are null hold for every rollout; every label equality of `$5`
 * (`[{ key, value }]`) must hold. $1 organization id, $2 cluster name, $3 namespace, $4 phase, $7 how many.
 */
export const ROLLOUT_PAGE: PreparedStatement = {
  name: 'request-rollout-page',
  text: `SELECT r.*, c.name AS "clusterName" FROM "Rollout" r JOIN "Cluster" c ON c.id = r."clusterId"
  WHERE r."organizationId" = $1::uuid AND ($2::text IS NULL OR c.name = $2) AND ($3::text IS NULL OR r.namespace = $3)
    AND ($4::text IS NULL OR r.phase = $4)
    AND NOT EXISTS (SELECT 1 FROM jsonb_to_recordset($5::jsonb) AS l(key text, value text) WHERE r.labels -> l.key IS DISTINCT FROM to_jsonb(l.value))
    AND ($6::uuid IS NULL OR (r."clusterId", r.namespace, r.name, r.id) > (SELECT a."clusterId", a.namespace, a.name, a.id FROM "Rollout" a WHERE a.id = $6::uuid))
  ORDER BY r."clusterId", r.namespace, r.name, r.id LIMIT $7::integer`,
};

/** A rollout with its cluster's name, by the names people use. $1 organization id, $2 cluster name, $3 namespace, $4 name. */
export const ROLLOUT_BY_NAME: PreparedStatement = {
  name: 'request-rollout-by-name',
  text: `SELECT r.*, c.name AS "clusterName" FROM "Rollout" r JOIN "Cluster" c ON c.id = r."clusterId"
  WHERE r."organizationId" = $1::uuid AND c."organizationId" = $1::uuid AND c.name = $2 AND r.namespace = $3 AND r.name = $4
  LIMIT 1`,
};

/** A rollout with its cluster's name, by id. $1 organization id, $2 rollout id. */
export const ROLLOUT_WITH_CLUSTER_BY_ID: PreparedStatement = {
  name: 'request-rollout-with-cluster-by-id',
  text: `SELECT r.*, c.name AS "clusterName" FROM "Rollout" r JOIN "Cluster" c ON c.id = r."clusterId"
  WHERE r.id = $2::uuid AND r."organizationId" = $1::uuid`,
};

/**
 * Records an operation and moves the rollout's version on, in one statement; no row when the organization has no
 * such rollout. $1 operation id, $2 organization id, $3 rollout id, $4 type, $5 parameters, $6 requested by, $7 time.
 */
export const REQUEST_OPERATION: PreparedStatement = {
  name: 'request-rollout-operation',
  text: `WITH moved AS (
    UPDATE "Rollout" SET version = version + 1, "updatedAt" = $7::timestamp
    WHERE id = $3::uuid AND "organizationId" = $2::uuid RETURNING version
  ), recorded AS (
    INSERT INTO "RolloutOperation" (id, "organizationId", "rolloutId", type, parameters, "requestedBy", "requestedAt")
    SELECT $1::uuid, $2::uuid, $3::uuid, $4, $5::jsonb, $6, $7::timestamp FROM moved
    RETURNING *
  )
  SELECT recorded.*, moved.version AS "rolloutVersion" FROM recorded, moved`,
};

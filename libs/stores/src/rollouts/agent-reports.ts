import type { PreparedStatement } from '../database/sql.js';

// The agent gateway's statements on rollouts, hand-written: every agent reports each rollout at least every 30 s,
// and the Prisma client's planning of a query cost the API more than the rest of a report (docs/benchmarks.md).

/**
 * Records what an agent reports of a rollout in one statement: the desired version it applied, unless a later one is
 * recorded, and its observation when that differs from the stored one in anything but its time (which moves the
 * version on; its pods and Events count, and agents send start and event times, never ages, so that a cluster that
 * did not change reports the same), with its digest (also when only the digest is missing, as on rows stored before
 * digests were kept). A report that changes none of them writes nothing and answers no row; otherwise the row answers
 * its id, its version and whether the observation changed.
 * $1 cluster id, $2 namespace, $3 name, $4 the observation, $5 the applied desired version, $6 the time, $7 the
 * observation's digest.
 */
export const RECORD_AGENT_REPORT: PreparedStatement = {
  name: 'agent-record-report',
  text: `WITH stored AS (
    SELECT r.id, r.observed IS NULL OR r.observed - 'observedAt' <> $4::jsonb - 'observedAt' AS changed
    FROM "Rollout" r WHERE r."clusterId" = $1::uuid AND r.namespace = $2 AND r.name = $3
  )
  UPDATE "Rollout" r SET "appliedDesiredVersion" = GREATEST(r."appliedDesiredVersion", $5::integer),
    observed = CASE WHEN stored.changed THEN $4::jsonb ELSE r.observed END,
    "observedAt" = CASE WHEN stored.changed THEN $6::timestamp ELSE r."observedAt" END,
    "observedDigest" = $7::text,
    "observationPending" = r."observationPending" OR stored.changed,
    version = r.version + CASE WHEN stored.changed THEN 1 ELSE 0 END,
    "updatedAt" = $6::timestamp
  FROM stored WHERE r.id = stored.id
    AND (stored.changed OR r."appliedDesiredVersion" < $5::integer OR r."observedDigest" IS DISTINCT FROM $7::text)
  RETURNING r.id, r.version, stored.changed AS "observationChanged"`,
};

/**
 * Of the rollouts an agent's `observedDigests` lists, those of its cluster whose stored observation has another digest
 * (or none) or whose applied desired version is behind the one listed: the agent is asked for them in full. Rollouts
 * the cluster does not have are left out, as their observations would be. $1 cluster id, then one array per field:
 * $2 namespaces, $3 names, $4 digests, $5 applied desired versions.
 */
export const ROLLOUTS_TO_OBSERVE_AGAIN: PreparedStatement = {
  name: 'agent-rollouts-to-observe-again',
  text: `SELECT listed.namespace, listed.name
  FROM unnest($2::text[], $3::text[], $4::text[], $5::integer[]) AS listed(namespace, name, digest, "appliedDesiredVersion")
  JOIN "Rollout" r ON r."clusterId" = $1::uuid AND r.namespace = listed.namespace AND r.name = listed.name
  WHERE r."observedDigest" IS DISTINCT FROM listed.digest OR r."appliedDesiredVersion" < listed."appliedDesiredVersion"`,
};

/** The desired version an agent applied, unless a later one is recorded. $1 cluster id, $2 namespace, $3 name, $4 version, $5 time. */
export const RECORD_APPLIED_VERSION: PreparedStatement = {
  name: 'agent-record-applied',
  text: `UPDATE "Rollout" SET "appliedDesiredVersion" = $4::integer, "updatedAt" = $5::timestamp
  WHERE "clusterId" = $1::uuid AND namespace = $2 AND name = $3 AND "appliedDesiredVersion" < $4::integer`,
};

/** A rollout whole, by id, to send its desired state. */
export const ROLLOUT_BY_ID: PreparedStatement = {
  name: 'agent-rollout-by-id',
  text: `SELECT * FROM "Rollout" WHERE id = $1::uuid`,
};

-- The current revision of every rollout (the newest one of its current pod template hash) takes the state its status
-- gives it: Aborted while aborted, Progressing while rolled out (so after a retry), Healthy once stable and healthy.
-- Revisions retried after an abort and then promoted were left Aborted before.
WITH "currentState" AS (
  SELECT DISTINCT ON (rr."rolloutId")
    rr.id,
    CASE
      WHEN COALESCE((r.status ->> 'abort')::boolean, false) THEN 'Aborted'
      WHEN r.status ->> 'stableRS' IS DISTINCT FROM r.status ->> 'currentPodHash' THEN 'Progressing'
      WHEN r.phase = 'Healthy' THEN 'Healthy'
    END AS state,
    r."updatedAt" AS at
  FROM "Rollout" r
  JOIN "RolloutRevision" rr ON rr."rolloutId" = r.id AND rr."podTemplateHash" = r.status ->> 'currentPodHash'
  WHERE r.status IS NOT NULL
  ORDER BY rr."rolloutId", rr.revision DESC
)
UPDATE "RolloutRevision" rr
SET outcome = c.state,
    "finishedAt" = CASE WHEN c.state = 'Progressing' THEN NULL ELSE COALESCE(rr."finishedAt", c.at) END
FROM "currentState" c
WHERE rr.id = c.id AND c.state IS NOT NULL AND rr.outcome <> c.state;

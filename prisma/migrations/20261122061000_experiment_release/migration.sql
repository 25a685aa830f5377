-- AlterTable
ALTER TABLE "Experiment" ADD COLUMN     "releasedAt" TIMESTAMP(3);

-- Experiments a rollout asked for before experiments were carried out never ran: they end in Error, with nothing to release.
UPDATE "Experiment" SET phase = 'Error', message = 'started by an earlier version that did not run experiments; retry the rollout', "releasedAt" = now()
WHERE "rolloutId" IS NOT NULL AND spec ? 'stepIndex' AND phase IN ('Pending', 'Running');

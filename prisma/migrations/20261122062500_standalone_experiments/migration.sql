-- AlterTable
ALTER TABLE "Experiment" ADD COLUMN     "desiredState" JSONB,
ADD COLUMN     "desiredVersion" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "nextReconcileAt" TIMESTAMP(3),
ADD COLUMN     "observed" JSONB;

-- CreateIndex
CREATE INDEX "Experiment_releasedAt_rolloutId_idx" ON "Experiment"("releasedAt", "rolloutId");


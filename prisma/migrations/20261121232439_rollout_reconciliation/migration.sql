-- AlterTable
ALTER TABLE "AnalysisRun" ADD COLUMN     "stepIndex" INTEGER;

-- AlterTable
ALTER TABLE "Experiment" ADD COLUMN     "podTemplateHash" TEXT,
ADD COLUMN     "stepIndex" INTEGER;

-- AlterTable
ALTER TABLE "Rollout" ADD COLUMN     "appliedDesiredVersion" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "nextReconcileAt" TIMESTAMP(3),
ADD COLUMN     "observed" JSONB,
ADD COLUMN     "observedAt" TIMESTAMP(3),
ADD COLUMN     "specChangedBy" TEXT NOT NULL DEFAULT '';


-- AlterTable
ALTER TABLE "AnalysisRun" ADD COLUMN     "metricResults" JSONB,
ADD COLUMN     "nextMeasurementAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "AnalysisTemplate" ADD COLUMN     "annotations" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "ClusterAnalysisTemplate" ADD COLUMN     "annotations" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "Measurement" ADD COLUMN     "requestId" TEXT,
ADD COLUMN     "takenBy" TEXT NOT NULL DEFAULT 'agent';

-- CreateIndex
CREATE INDEX "AnalysisRun_phase_nextMeasurementAt_idx" ON "AnalysisRun"("phase", "nextMeasurementAt");

-- CreateIndex
CREATE INDEX "Measurement_phase_startedAt_idx" ON "Measurement"("phase", "startedAt");


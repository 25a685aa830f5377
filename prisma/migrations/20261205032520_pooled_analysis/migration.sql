-- DropIndex
DROP INDEX "Measurement_analysisRunId_metricName_index_key";

-- AlterTable
ALTER TABLE "AnalysisRun" ADD COLUMN     "fleetReleaseId" UUID,
ADD COLUMN     "pooledClusters" JSONB,
ALTER COLUMN "clusterId" DROP NOT NULL;

-- AlterTable
ALTER TABLE "Measurement" ADD COLUMN     "cluster" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "AnalysisRun_fleetReleaseId_name_key" ON "AnalysisRun"("fleetReleaseId", "name");

-- CreateIndex
-- NULLS NOT DISTINCT (written by hand: Prisma cannot say it): a single-cluster run's measurements, whose cluster is
-- null, stay unique per run, metric and index as before, and so does a pooled run's own measurement.
CREATE UNIQUE INDEX "Measurement_analysisRunId_metricName_index_cluster_key" ON "Measurement"("analysisRunId", "metricName", "index", "cluster") NULLS NOT DISTINCT;

-- AddForeignKey
ALTER TABLE "AnalysisRun" ADD CONSTRAINT "AnalysisRun_fleetReleaseId_fkey" FOREIGN KEY ("fleetReleaseId") REFERENCES "FleetRelease"("id") ON DELETE CASCADE ON UPDATE CASCADE;


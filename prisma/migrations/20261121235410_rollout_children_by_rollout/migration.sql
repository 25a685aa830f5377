-- CreateIndex
CREATE INDEX "AnalysisRun_rolloutId_idx" ON "AnalysisRun"("rolloutId");

-- CreateIndex
CREATE INDEX "Experiment_rolloutId_idx" ON "Experiment"("rolloutId");

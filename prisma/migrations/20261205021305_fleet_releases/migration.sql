-- AlterTable
ALTER TABLE "Rollout" ADD COLUMN     "fleetReleaseId" UUID;

-- CreateTable
CREATE TABLE "FleetRollout" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "spec" JSONB NOT NULL,
    "generation" INTEGER NOT NULL DEFAULT 1,
    "appliedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FleetRollout_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FleetRelease" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "fleetRolloutId" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "spec" JSONB NOT NULL,
    "change" JSONB NOT NULL,
    "reason" TEXT,
    "startedBy" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "phase" TEXT NOT NULL,
    "status" JSONB NOT NULL,
    "supersededById" UUID,
    "nextReconcileAt" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FleetRelease_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "FleetRollout_organizationId_name_key" ON "FleetRollout"("organizationId", "name");

-- CreateIndex
CREATE INDEX "FleetRelease_organizationId_phase_idx" ON "FleetRelease"("organizationId", "phase");

-- CreateIndex
CREATE INDEX "FleetRelease_phase_idx" ON "FleetRelease"("phase");

-- CreateIndex
CREATE UNIQUE INDEX "FleetRelease_fleetRolloutId_number_key" ON "FleetRelease"("fleetRolloutId", "number");

-- CreateIndex
CREATE INDEX "Rollout_fleetReleaseId_idx" ON "Rollout"("fleetReleaseId");

-- AddForeignKey
ALTER TABLE "Rollout" ADD CONSTRAINT "Rollout_fleetReleaseId_fkey" FOREIGN KEY ("fleetReleaseId") REFERENCES "FleetRelease"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FleetRollout" ADD CONSTRAINT "FleetRollout_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FleetRelease" ADD CONSTRAINT "FleetRelease_fleetRolloutId_fkey" FOREIGN KEY ("fleetRolloutId") REFERENCES "FleetRollout"("id") ON DELETE CASCADE ON UPDATE CASCADE;


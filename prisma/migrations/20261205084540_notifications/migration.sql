-- CreateEnum
CREATE TYPE "NotificationDeliveryState" AS ENUM ('Pending', 'Delivered', 'Failed', 'Muted');

-- CreateTable
CREATE TABLE "NotificationConfig" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "clusterId" UUID,
    "namespace" TEXT,
    "placement" TEXT NOT NULL,
    "configData" JSONB NOT NULL DEFAULT '{}',
    "configAppliedBy" TEXT,
    "secretKeys" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "secretEnvelope" JSONB,
    "secretKeyId" TEXT,
    "secretAppliedBy" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NotificationConfig_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationDelivery" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "subjectKind" TEXT NOT NULL,
    "subjectId" UUID NOT NULL,
    "subjectName" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "service" TEXT NOT NULL,
    "serviceType" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "notification" JSONB NOT NULL,
    "state" "NotificationDeliveryState" NOT NULL DEFAULT 'Pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NotificationDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationMute" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "subjectId" UUID,
    "subjectName" TEXT,
    "trigger" TEXT,
    "service" TEXT,
    "reason" TEXT NOT NULL,
    "until" TIMESTAMP(3) NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "NotificationMute_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationHistory" (
    "organizationId" UUID NOT NULL,
    "subjectId" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NotificationHistory_pkey" PRIMARY KEY ("organizationId","subjectId","key")
);

-- CreateIndex
CREATE INDEX "NotificationConfig_secretKeyId_idx" ON "NotificationConfig"("secretKeyId");

-- CreateIndex
CREATE UNIQUE INDEX "NotificationConfig_organizationId_placement_key" ON "NotificationConfig"("organizationId", "placement");

-- CreateIndex
CREATE INDEX "NotificationDelivery_state_nextAttemptAt_idx" ON "NotificationDelivery"("state", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "NotificationDelivery_organizationId_subjectId_createdAt_idx" ON "NotificationDelivery"("organizationId", "subjectId", "createdAt");

-- CreateIndex
CREATE INDEX "NotificationDelivery_organizationId_createdAt_idx" ON "NotificationDelivery"("organizationId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "NotificationDelivery_organizationId_dedupeKey_key" ON "NotificationDelivery"("organizationId", "dedupeKey");

-- CreateIndex
CREATE INDEX "NotificationMute_organizationId_until_idx" ON "NotificationMute"("organizationId", "until");

-- AddForeignKey
ALTER TABLE "NotificationConfig" ADD CONSTRAINT "NotificationConfig_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationConfig" ADD CONSTRAINT "NotificationConfig_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationDelivery" ADD CONSTRAINT "NotificationDelivery_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationMute" ADD CONSTRAINT "NotificationMute_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationHistory" ADD CONSTRAINT "NotificationHistory_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;


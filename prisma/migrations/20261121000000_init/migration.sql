-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('viewer', 'deployer', 'admin');

-- CreateEnum
CREATE TYPE "ConnectionState" AS ENUM ('Pending', 'Connected', 'Disconnected');

-- CreateTable
CREATE TABLE "Organization" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "auditSequence" INTEGER NOT NULL DEFAULT 0,
    "auditHeadHash" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "Organization_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "tokenPrefix" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Cluster" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "agentTokenHash" TEXT NOT NULL,
    "connectionState" "ConnectionState" NOT NULL DEFAULT 'Pending',
    "lastHeartbeatAt" TIMESTAMP(3),
    "agentVersion" TEXT,
    "kubernetesVersion" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Cluster_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Rollout" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "clusterId" UUID NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "spec" JSONB NOT NULL,
    "generation" INTEGER NOT NULL DEFAULT 1,
    "observedGeneration" INTEGER NOT NULL DEFAULT 0,
    "phase" TEXT NOT NULL DEFAULT 'Pending',
    "message" TEXT NOT NULL DEFAULT '',
    "status" JSONB,
    "desiredState" JSONB,
    "desiredVersion" INTEGER NOT NULL DEFAULT 0,
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Rollout_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RolloutRevision" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "rolloutId" UUID NOT NULL,
    "revision" INTEGER NOT NULL,
    "podTemplateHash" TEXT NOT NULL,
    "images" TEXT[],
    "specSnapshot" JSONB NOT NULL,
    "startedBy" TEXT NOT NULL,
    "outcome" TEXT NOT NULL DEFAULT 'Progressing',
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "RolloutRevision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RolloutOperation" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "rolloutId" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "parameters" JSONB NOT NULL DEFAULT '{}',
    "requestedBy" TEXT NOT NULL,
    "requestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "state" TEXT NOT NULL DEFAULT 'Pending',
    "message" TEXT,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "RolloutOperation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AnalysisTemplate" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "clusterId" UUID NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AnalysisTemplate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ClusterAnalysisTemplate" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ClusterAnalysisTemplate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AnalysisRun" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "clusterId" UUID NOT NULL,
    "rolloutId" UUID,
    "experimentId" UUID,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "revision" INTEGER,
    "podTemplateHash" TEXT,
    "spec" JSONB NOT NULL,
    "phase" TEXT NOT NULL DEFAULT 'Pending',
    "message" TEXT NOT NULL DEFAULT '',
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "AnalysisRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Measurement" (
    "id" UUID NOT NULL,
    "analysisRunId" UUID NOT NULL,
    "metricName" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "phase" TEXT NOT NULL,
    "value" TEXT,
    "message" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Measurement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Experiment" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "clusterId" UUID NOT NULL,
    "rolloutId" UUID,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "generation" INTEGER NOT NULL DEFAULT 1,
    "phase" TEXT NOT NULL DEFAULT 'Pending',
    "message" TEXT NOT NULL DEFAULT '',
    "status" JSONB,
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Experiment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetName" TEXT NOT NULL,
    "targetId" TEXT,
    "before" JSONB,
    "after" JSONB,
    "reason" TEXT,
    "requestId" TEXT,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "previousHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Organization_name_key" ON "Organization"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "ApiToken_organizationId_idx" ON "ApiToken"("organizationId");

-- CreateIndex
CREATE UNIQUE INDEX "Cluster_agentTokenHash_key" ON "Cluster"("agentTokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "Cluster_organizationId_name_key" ON "Cluster"("organizationId", "name");

-- CreateIndex
CREATE INDEX "Rollout_organizationId_phase_idx" ON "Rollout"("organizationId", "phase");

-- CreateIndex
CREATE INDEX "Rollout_organizationId_clusterId_namespace_name_id_idx" ON "Rollout"("organizationId", "clusterId", "namespace", "name", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Rollout_clusterId_namespace_name_key" ON "Rollout"("clusterId", "namespace", "name");

-- CreateIndex
CREATE INDEX "RolloutRevision_organizationId_rolloutId_idx" ON "RolloutRevision"("organizationId", "rolloutId");

-- CreateIndex
CREATE UNIQUE INDEX "RolloutRevision_rolloutId_revision_key" ON "RolloutRevision"("rolloutId", "revision");

-- CreateIndex
CREATE INDEX "RolloutOperation_rolloutId_state_requestedAt_idx" ON "RolloutOperation"("rolloutId", "state", "requestedAt");

-- CreateIndex
CREATE INDEX "AnalysisTemplate_organizationId_idx" ON "AnalysisTemplate"("organizationId");

-- CreateIndex
CREATE UNIQUE INDEX "AnalysisTemplate_clusterId_namespace_name_key" ON "AnalysisTemplate"("clusterId", "namespace", "name");

-- CreateIndex
CREATE UNIQUE INDEX "ClusterAnalysisTemplate_organizationId_name_key" ON "ClusterAnalysisTemplate"("organizationId", "name");

-- CreateIndex
CREATE INDEX "AnalysisRun_organizationId_rolloutId_idx" ON "AnalysisRun"("organizationId", "rolloutId");

-- CreateIndex
CREATE UNIQUE INDEX "AnalysisRun_clusterId_namespace_name_key" ON "AnalysisRun"("clusterId", "namespace", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Measurement_analysisRunId_metricName_index_key" ON "Measurement"("analysisRunId", "metricName", "index");

-- CreateIndex
CREATE INDEX "Experiment_organizationId_idx" ON "Experiment"("organizationId");

-- CreateIndex
CREATE UNIQUE INDEX "Experiment_clusterId_namespace_name_key" ON "Experiment"("clusterId", "namespace", "name");

-- CreateIndex
CREATE INDEX "AuditEvent_organizationId_occurredAt_idx" ON "AuditEvent"("organizationId", "occurredAt");

-- CreateIndex
CREATE INDEX "AuditEvent_organizationId_actor_idx" ON "AuditEvent"("organizationId", "actor");

-- CreateIndex
CREATE INDEX "AuditEvent_organizationId_action_idx" ON "AuditEvent"("organizationId", "action");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_organizationId_sequence_key" ON "AuditEvent"("organizationId", "sequence");

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Cluster" ADD CONSTRAINT "Cluster_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Rollout" ADD CONSTRAINT "Rollout_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Rollout" ADD CONSTRAINT "Rollout_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RolloutRevision" ADD CONSTRAINT "RolloutRevision_rolloutId_fkey" FOREIGN KEY ("rolloutId") REFERENCES "Rollout"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RolloutOperation" ADD CONSTRAINT "RolloutOperation_rolloutId_fkey" FOREIGN KEY ("rolloutId") REFERENCES "Rollout"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnalysisTemplate" ADD CONSTRAINT "AnalysisTemplate_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ClusterAnalysisTemplate" ADD CONSTRAINT "ClusterAnalysisTemplate_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnalysisRun" ADD CONSTRAINT "AnalysisRun_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnalysisRun" ADD CONSTRAINT "AnalysisRun_rolloutId_fkey" FOREIGN KEY ("rolloutId") REFERENCES "Rollout"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnalysisRun" ADD CONSTRAINT "AnalysisRun_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Measurement" ADD CONSTRAINT "Measurement_analysisRunId_fkey" FOREIGN KEY ("analysisRunId") REFERENCES "AnalysisRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Experiment" ADD CONSTRAINT "Experiment_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Experiment" ADD CONSTRAINT "Experiment_rolloutId_fkey" FOREIGN KEY ("rolloutId") REFERENCES "Rollout"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditEvent" ADD CONSTRAINT "AuditEvent_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Audit events are append-only: any change or removal is refused by the database itself.
CREATE FUNCTION "refuse_audit_event_change"() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER "AuditEvent_append_only" BEFORE UPDATE OR DELETE ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION "refuse_audit_event_change"();

-- CreateTable
CREATE TABLE "RolloutDeletion" (
    "rolloutId" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "clusterId" UUID NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "deletedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RolloutDeletion_pkey" PRIMARY KEY ("rolloutId")
);

-- CreateIndex
CREATE UNIQUE INDEX "RolloutDeletion_clusterId_namespace_name_key" ON "RolloutDeletion"("clusterId", "namespace", "name");

-- AddForeignKey
ALTER TABLE "RolloutDeletion" ADD CONSTRAINT "RolloutDeletion_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;


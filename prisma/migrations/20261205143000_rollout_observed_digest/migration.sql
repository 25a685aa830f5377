-- AlterTable
ALTER TABLE "Rollout" ADD COLUMN     "observedDigest" TEXT;

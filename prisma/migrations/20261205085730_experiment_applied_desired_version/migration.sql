-- AlterTable
ALTER TABLE "Experiment" ADD COLUMN     "appliedDesiredVersion" INTEGER NOT NULL DEFAULT 0;


-- AlterTable
ALTER TABLE "NotificationDelivery" ADD COLUMN     "clusterId" UUID,
ADD COLUMN     "namespace" TEXT;


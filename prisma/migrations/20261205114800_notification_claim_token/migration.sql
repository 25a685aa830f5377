-- AlterTable
ALTER TABLE "NotificationDelivery" ADD COLUMN     "claimToken" UUID;

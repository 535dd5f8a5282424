-- AlterTable
ALTER TABLE "Profile" ADD COLUMN "lastTestResult" TEXT;

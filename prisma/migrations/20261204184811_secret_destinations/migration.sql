-- AlterTable
ALTER TABLE "ProfileSecret" ADD COLUMN "destination" TEXT;

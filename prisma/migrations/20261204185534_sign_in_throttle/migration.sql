-- CreateTable
CREATE TABLE "SignInThrottle" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "account" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "lastAttemptAt" DATETIME NOT NULL,
    "blockedUntil" DATETIME
);

-- CreateIndex
CREATE INDEX "SignInThrottle_lastAttemptAt_idx" ON "SignInThrottle"("lastAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "SignInThrottle_account_address_key" ON "SignInThrottle"("account", "address");

-- CreateTable
CREATE TABLE "Certificate" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "nameKey" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "serialNumber" TEXT NOT NULL,
    "notBefore" DATETIME NOT NULL,
    "notAfter" DATETIME NOT NULL,
    "keySize" INTEGER NOT NULL,
    "sha1Hex" TEXT NOT NULL,
    "x5t" TEXT NOT NULL,
    "sha256Hex" TEXT NOT NULL,
    "x5tS256" TEXT NOT NULL,
    "certificatePem" TEXT NOT NULL,
    "chainPem" TEXT,
    "privateKeyCiphertext" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Profile" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "nameKey" TEXT NOT NULL,
    "protocol" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "username" TEXT NOT NULL,
    "authLabel" TEXT NOT NULL,
    "searchText" TEXT NOT NULL,
    "configJson" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "lastTestAt" DATETIME,
    "lastTestOk" BOOLEAN,
    "lastTestSummary" TEXT,
    "failingSince" DATETIME,
    "certificateId" TEXT,
    CONSTRAINT "Profile_certificateId_fkey" FOREIGN KEY ("certificateId") REFERENCES "Certificate" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Profile" ("authLabel", "configJson", "createdAt", "failingSince", "host", "id", "lastTestAt", "lastTestOk", "lastTestSummary", "name", "nameKey", "port", "protocol", "searchText", "updatedAt", "username", "version") SELECT "authLabel", "configJson", "createdAt", "failingSince", "host", "id", "lastTestAt", "lastTestOk", "lastTestSummary", "name", "nameKey", "port", "protocol", "searchText", "updatedAt", "username", "version" FROM "Profile";
DROP TABLE "Profile";
ALTER TABLE "new_Profile" RENAME TO "Profile";
CREATE UNIQUE INDEX "Profile_nameKey_key" ON "Profile"("nameKey");
CREATE INDEX "Profile_updatedAt_idx" ON "Profile"("updatedAt");
CREATE INDEX "Profile_certificateId_idx" ON "Profile"("certificateId");
CREATE INDEX "Profile_protocol_idx" ON "Profile"("protocol");
CREATE INDEX "Profile_host_idx" ON "Profile"("host");
CREATE INDEX "Profile_username_idx" ON "Profile"("username");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "Certificate_nameKey_key" ON "Certificate"("nameKey");

-- CreateIndex
CREATE INDEX "Certificate_notAfter_idx" ON "Certificate"("notAfter");

/**
 * Runs before every test file: a fresh SQLite file and data folder per file, a fixed secret key,
 * and no Prisma client left over from the previous file in the same worker.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { migrate } from "../../scripts/migrate.mjs";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcf-test-"));
process.env.MCF_DATA_DIR = dir;
process.env.DATABASE_URL = `file:${path.join(dir, "test.db")}`;
process.env.MCF_SECRET_KEY = crypto.randomBytes(32).toString("base64");
process.env.MCF_LOG_LEVEL = "silent";
delete process.env.MCF_SECRET_KEY_PREVIOUS;

const globals = globalThis as { mcfPrisma?: { $disconnect(): Promise<void> }; mcfAuth?: unknown };
await globals.mcfPrisma?.$disconnect();
delete globals.mcfPrisma;
// better-auth holds the Prisma client and the settings of the file that created it
delete globals.mcfAuth;

migrate(process.env.DATABASE_URL, { log: () => {} });

afterAll(async () => {
  await globals.mcfPrisma?.$disconnect();
  delete globals.mcfPrisma;
  fs.rmSync(dir, { recursive: true, force: true });
});

// scripts/migrate.mjs: apply prisma/migrations/*/migration.sql with better-sqlite3. Idempotent; writes
// Prisma-compatible rows (sha256 checksum) to _prisma_migrations. CLI: node scripts/migrate.mjs | import { migrate }
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { createDataFiles, databaseFile } from "./owner-only-files.mjs";
const DIR = fileURLToPath(new URL("../prisma/migrations/", import.meta.url));
const ROOT = fileURLToPath(new URL("../", import.meta.url));
// the same default as lib/env.ts: <MCF_DATA_DIR or ./data>/mcf.db
const dataDir = () => path.resolve(ROOT, process.env.MCF_DATA_DIR || "data");
export const DEFAULT_DATABASE_URL = `file:${path.join(dataDir(), "mcf.db")}`;

/**
 * Applies prisma/migrations/* in order; creates the database file (and its folder) on first use, and
 * keeps them owner-only (0600, folder 0700), tightening what an earlier version left readable.
 */
export function migrate(url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL, { log = console.log } = {}) {
  const file = databaseFile(url);
  createDataFiles(file, dataDir());
  const db = new Database(file, { timeout: 10_000 });
  try {
    // WAL is a property of the file: readers no longer wait for a writer, and each commit costs one
    // sequential append instead of a journal rewrite (the app and the CLI may use the file at once).
    db.pragma("journal_mode = WAL");
    db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" ("id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL,
      "finished_at" DATETIME, "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
      "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`);
    const names = fs.existsSync(DIR)
      ? fs
          .readdirSync(DIR)
          .filter((n) => fs.existsSync(path.join(DIR, n, "migration.sql")))
          .sort()
      : [];
    const applied = [];
    db.pragma("foreign_keys = OFF"); // outside the transaction: it is a no-op inside one
    for (const name of names) {
      const sql = fs.readFileSync(path.join(DIR, name, "migration.sql"), "utf8");
      const checksum = crypto.createHash("sha256").update(sql).digest("hex");
      const apply = db.transaction(() => {
        const row = db
          .prepare(`SELECT checksum, finished_at FROM "_prisma_migrations" WHERE migration_name = ? AND rolled_back_at IS NULL`)
          .get(name);
        if (row && row.finished_at === null)
          throw new Error(`${name} failed earlier: fix the DB, then set rolled_back_at on its row`);
        if (row && row.checksum !== checksum)
          throw new Error(`${name} was edited after it was applied: add a new migration instead`);
        if (row) return false;
        const startedAt = new Date().toISOString();
        db.exec(sql);
        const bad = db.pragma("foreign_key_check");
        if (bad.length) throw new Error(`${name} leaves foreign-key violations: ${JSON.stringify(bad.slice(0, 3))}`);
        db.prepare(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)`,
        ).run(crypto.randomUUID(), checksum, new Date().toISOString(), name, startedAt);
        return true;
      });
      if (apply.immediate()) applied.push(name); // BEGIN IMMEDIATE: safe if two processes start at once
    }
    db.pragma("foreign_keys = ON");
    log(applied.length ? `migrate: applied ${applied.join(", ")}` : `migrate: up to date (${names.length} migrations)`);
    return applied;
  } finally {
    db.close();
  }
}
if (process.argv[1] === fileURLToPath(import.meta.url))
  try {
    migrate();
  } catch (e) {
    console.error(`migrate: ${e.message}`);
    process.exit(1);
  }

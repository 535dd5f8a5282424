/**
 * The database (with its -wal and -shm files), the secret key and the data folder are readable by
 * the account that runs the console only: they hold every stored secret, encrypted, and the key.
 * Each case runs the real entry point in its own process, with the usual umask 022, so a file the
 * code does not create or tighten on purpose would show up as 0644.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const mode = (file: string) => fs.statSync(file).mode & 0o777;
const folders: string[] = [];

function tempFolder(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "mcf-modes-"));
  folders.push(folder);
  return folder;
}

function run(args: string[], dataDir: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, MCF_DATA_DIR: dataDir, MCF_LOG_LEVEL: "silent" };
  delete env.DATABASE_URL;
  const result = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
  expect(result.status, result.stderr).toBe(0);
}

const migrateCli = (dataDir: string) => run(["scripts/migrate.mjs"], dataDir);

/** What an earlier version left behind: the folder 0755, everything in it 0644, -wal and -shm still there (held open). */
function earlierInstall(dataDir: string): Database.Database {
  fs.mkdirSync(dataDir, { mode: 0o755 });
  fs.chmodSync(dataDir, 0o755);
  fs.writeFileSync(path.join(dataDir, "secret.key"), "c2VjcmV0\n", { mode: 0o644 });
  fs.chmodSync(path.join(dataDir, "secret.key"), 0o644);
  const holder = new Database(path.join(dataDir, "mcf.db"));
  holder.pragma("journal_mode = WAL");
  holder.exec("CREATE TABLE IF NOT EXISTS left_over (x)");
  holder.exec("INSERT INTO left_over VALUES (1)");
  for (const suffix of ["", "-wal", "-shm"]) fs.chmodSync(path.join(dataDir, `mcf.db${suffix}`), 0o644);
  return holder;
}

function expectOwnerOnly(dataDir: string, files: string[]) {
  expect(mode(dataDir).toString(8)).toBe("700");
  for (const name of files) expect(`${name} ${mode(path.join(dataDir, name)).toString(8)}`).toBe(`${name} 600`);
}

afterEach(() => {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

describe("data file modes", () => {
  it("a fresh install: migrate creates the folder 0700 and the database 0600, and a later write's -wal and -shm are 0600", () => {
    const dataDir = path.join(tempFolder(), "data");
    migrateCli(dataDir);
    expectOwnerOnly(dataDir, ["mcf.db"]);

    // another process writes, with its umask 022: SQLite gives the files it adds the database's mode
    const db = new Database(path.join(dataDir, "mcf.db"));
    try {
      db.prepare(`INSERT INTO "AuditEvent" (id, actorLabel, action) VALUES ('a1', 'test', 'profile.tested')`).run();
      expectOwnerOnly(dataDir, ["mcf.db", "mcf.db-wal", "mcf.db-shm"]);
    } finally {
      db.close();
    }
  });

  it("an install left readable by an earlier version is tightened by migrate: folder, database, -wal, -shm and the secret key", () => {
    const dataDir = path.join(tempFolder(), "data");
    const holder = earlierInstall(dataDir);
    try {
      migrateCli(dataDir);
      expectOwnerOnly(dataDir, ["mcf.db", "mcf.db-wal", "mcf.db-shm", "secret.key"]);
    } finally {
      holder.close();
    }
  });

  it("so is one the console or the CLI opens without migrating first (the database client tightens it)", () => {
    const dataDir = path.join(tempFolder(), "data");
    const holder = earlierInstall(dataDir);
    try {
      run(
        [
          "--import",
          "./scripts/server-runtime.mjs",
          "--input-type=module",
          "-e",
          `await import(${JSON.stringify(path.join(ROOT, "lib/db/client.ts"))});`,
        ],
        dataDir,
      );
      expectOwnerOnly(dataDir, ["mcf.db", "mcf.db-wal", "mcf.db-shm", "secret.key"]);
    } finally {
      holder.close();
    }
  });

  it("the console's server starts with umask 077, for every other file it creates", async () => {
    const { register } = await import("@/instrumentation");
    const previous = process.umask(0o022);
    process.env.NEXT_RUNTIME = "nodejs";
    try {
      register();
      expect(process.umask(previous).toString(8)).toBe("77");
    } finally {
      delete process.env.NEXT_RUNTIME;
      process.umask(previous);
    }
  });
});

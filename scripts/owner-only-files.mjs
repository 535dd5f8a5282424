// scripts/owner-only-files.mjs: the console's data (the SQLite database, with its -wal/-shm/-journal
// companions, and the generated secret key) readable by the account that runs the console only.
// Shared by scripts/migrate.mjs (plain Node) and lib/db/client.ts.
//
// Why these steps are enough: SQLite's unix VFS creates -wal, -shm and -journal, whenever it needs
// them, with the permissions of the database file itself. So the database file is created 0600
// before SQLite first opens it (never 0644 for a moment: a reader that opened it in that moment
// would keep reading through its open descriptor after a chmod), and files left 0644 by an earlier
// version are tightened. The console process also runs with umask 077 (instrumentation.ts), for
// anything else it may create.
import fs from "node:fs";
import path from "node:path";

/** The path a `file:` URL names, as the adapter and the runner read it (relative to the working directory). */
export function databaseFile(url) {
  return path.resolve(url.replace(/^file:/, "").replace(/\?.*$/, ""));
}

/**
 * Takes group and other permissions off a file or folder this account owns. Others' files are left
 * alone (chmod would fail): the operator chose them.
 */
export function ownerOnly(target) {
  let stat;
  try {
    stat = fs.statSync(target);
  } catch (error) {
    if (error.code === "ENOENT") return;
    throw error;
  }
  if ((stat.mode & 0o077) === 0 || stat.uid !== process.getuid?.()) return;
  fs.chmodSync(target, stat.mode & 0o700);
}

/**
 * Tightens what exists: the data folder, the database and its companion files, the secret key. The
 * database's own folder only when it is the data folder: DATABASE_URL may point into a shared one.
 */
export function tightenDataFiles(file, dataDir) {
  ownerOnly(dataDir);
  for (const suffix of ["", "-wal", "-shm", "-journal"]) ownerOnly(`${file}${suffix}`);
  ownerOnly(path.join(dataDir, "secret.key"));
}

/** Before the database is first opened: its folder (0700) and the file (0600) exist, owner-only. */
export function createDataFiles(file, dataDir) {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  tightenDataFiles(file, dataDir);
  // "a": creates an empty file (SQLite's new database) with this mode, never truncates an existing one
  fs.closeSync(fs.openSync(file, "a", 0o600));
}

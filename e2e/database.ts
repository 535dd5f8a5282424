import path from "node:path";
import Database from "better-sqlite3";

/** The console's database for this run (playwright.config.ts): read-only, to see what the server did. */
export const E2E_DATABASE = path.resolve(".tmp/e2e/mcf.db");

function read<T>(query: (db: Database.Database) => T): T {
  const db = new Database(E2E_DATABASE, { readonly: true, fileMustExist: true });
  try {
    return query(db);
  } finally {
    db.close();
  }
}

/** How many audit events of this action (and object label, when given) the log holds. */
export function auditCount(action: string, objectLabel?: string): number {
  return read((db) =>
    objectLabel === undefined
      ? (db.prepare(`SELECT count(*) AS n FROM "AuditEvent" WHERE action = ?`).get(action) as { n: number }).n
      : (
          db.prepare(`SELECT count(*) AS n FROM "AuditEvent" WHERE action = ? AND objectLabel = ?`).get(action, objectLabel) as {
            n: number;
          }
        ).n,
  );
}

export function profileExists(name: string): boolean {
  return read((db) => db.prepare(`SELECT 1 FROM "Profile" WHERE name = ?`).get(name) !== undefined);
}

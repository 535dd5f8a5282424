import "server-only";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "@/generated/prisma/client";
import { dataDir, databaseUrl } from "@/lib/env";
import { databaseFile, tightenDataFiles } from "@/scripts/owner-only-files.mjs";

export class AppendOnlyError extends Error {
  constructor(operation: string) {
    super(`The audit log is append-only: ${operation} is not allowed`);
  }
}

function refuse(operation: string) {
  return () => {
    throw new AppendOnlyError(operation);
  };
}

function createClient() {
  // scripts/migrate.mjs creates the database owner-only; this covers one an earlier version left
  // readable when the console or the CLI starts without migrating first. SQLite gives the -wal and
  // -shm files it creates later the database file's own mode.
  tightenDataFiles(databaseFile(databaseUrl), dataDir);
  return new PrismaClient({
    adapter: new PrismaBetterSqlite3({ url: databaseUrl }),
    // Secret columns stay out of every query unless a caller opts in with `select` (token exchange,
    // export): a forgotten `select` can then never leak a ciphertext into a DTO. (Account.password is
    // not omitted: better-auth reads it through this client to check a sign-in.)
    omit: { profileSecret: { ciphertext: true }, certificate: { privateKeyCiphertext: true } },
  }).$extends({
    // The audit log is append-only in the data layer: nothing in the console can rewrite history.
    query: {
      auditEvent: {
        update: refuse("update"),
        updateMany: refuse("updateMany"),
        upsert: refuse("upsert"),
        delete: refuse("delete"),
        deleteMany: refuse("deleteMany"),
      },
    },
  });
}

const globalForPrisma = globalThis as unknown as { mcfPrisma?: ReturnType<typeof createClient> };

export const prisma = globalForPrisma.mcfPrisma ?? createClient();
globalForPrisma.mcfPrisma = prisma;

export type Db = typeof prisma;
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

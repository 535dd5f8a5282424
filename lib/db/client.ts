import "server-only";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "@/generated/prisma/client";
import { databaseUrl } from "@/lib/env";

function createClient() {
  return new PrismaClient({
    adapter: new PrismaBetterSqlite3({ url: databaseUrl }),
    // Secret columns stay out of every query unless a caller opts in with `select` (token exchange,
    // login, export): a forgotten `select` can then never leak a ciphertext into a DTO.
    omit: { profileSecret: { ciphertext: true }, certificate: { privateKeyCiphertext: true } },
  });
}

const globalForPrisma = globalThis as unknown as { mcfPrisma?: ReturnType<typeof createClient> };

export const prisma = globalForPrisma.mcfPrisma ?? createClient();
globalForPrisma.mcfPrisma = prisma;

export type Db = typeof prisma;
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

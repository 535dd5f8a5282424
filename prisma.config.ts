import { defineConfig } from "prisma/config";

// The Prisma CLI would otherwise try to download its native schema engine, which is unreachable here.
// `prisma generate` never needs it; migrations are applied by scripts/migrate.mjs and written by
// scripts/prisma-wasm.mjs (Prisma's own Wasm engine).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= "/bin/false";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "file:./data/mcf.db" },
});

import "server-only";
import path from "node:path";
import { z } from "zod";

/**
 * The only reader of process.env (CONVENTIONS: one validated env module). Everything is optional:
 * the console runs on its embedded SQLite default with no configuration at all.
 */
const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** Folder for the default database and the generated secret key. */
  MCF_DATA_DIR: z.string().min(1).optional(),
  DATABASE_URL: z.string().startsWith("file:", "DATABASE_URL must be a file: URL for SQLite").optional(),
  /** 32 bytes as base64 or 64 hex characters; generated into the data folder when absent. */
  MCF_SECRET_KEY: z.string().min(1).optional(),
  /** Earlier keys, comma-separated, still accepted for decryption while secrets are re-encrypted. */
  MCF_SECRET_KEY_PREVIOUS: z.string().optional(),
  /** Read by the console too: Node ignores it once a `ca` list is passed explicitly. */
  NODE_EXTRA_CA_CERTS: z.string().optional(),
  MCF_LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
});

export type Env = z.infer<typeof envSchema>;

function readEnv(): Env {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid environment:\n${lines}`);
  }
  return parsed.data;
}

export const env = readEnv();

/** Project root: Next and the CLI both run from it. */
// turbopackIgnore: the data folder is chosen at run time, not a file to bundle
export const projectRoot = process.cwd();

export const dataDir = path.resolve(/* turbopackIgnore: true */ projectRoot, env.MCF_DATA_DIR ?? "data");

export const databaseUrl = env.DATABASE_URL ?? `file:${path.join(dataDir, "mcf.db")}`;

import "server-only";
import { isIP } from "node:net";
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
  /** Signs session cookies; derived from the secret key when unset (rotating that key signs everyone out). */
  MCF_AUTH_SECRET: z.string().min(32, "MCF_AUTH_SECRET must be at least 32 characters").optional(),
  /** The console's public URL (https://mcf.example.com): trusted origin for sign-in, and secure cookies when https. */
  MCF_PUBLIC_URL: z.url().optional(),
  /**
   * Outbound guard for Test connections: addresses normally refused (link-local, cloud metadata)
   * that the operator allows anyway, comma-separated IPs or CIDRs.
   */
  MCF_OUTBOUND_ALLOW: z.string().optional(),
  /** When set, a Test may only connect to these hosts (comma-separated; "*.example.com" matches subdomains). */
  MCF_TEST_ALLOWED_HOSTS: z.string().optional(),
  /**
   * Reverse proxies in front of the console whose X-Forwarded-For is believed: comma-separated
   * addresses or CIDRs. Empty (the default): no proxy is trusted and the client is the TCP peer.
   */
  MCF_TRUST_PROXY: z
    .string()
    .optional()
    .transform((text, ctx) => {
      const entries = (text ?? "").split(",").map((entry) => entry.trim()).filter(Boolean);
      for (const entry of entries) {
        if (!isAddressOrCidr(entry)) ctx.addIssue({ code: "custom", message: `"${entry}" is not an IP address or CIDR (e.g. 10.0.0.1, 10.0.0.0/8, fd00::/8)` });
      }
      return entries;
    }),
  MCF_LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
});

function isAddressOrCidr(entry: string): boolean {
  const [address = "", prefix, ...rest] = entry.split("/");
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

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

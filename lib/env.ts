import "server-only";
import net from "node:net";
import path from "node:path";
import { z } from "zod";

/**
 * The only reader of process.env, so every setting is validated and typed in one place. Everything is optional:
 * the console runs on its embedded SQLite default with no configuration at all.
 */
/** "a, b ,c" → ["a", "b", "c"] */
export function listEntries(text: string | undefined): string[] {
  return (text ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** Why an entry of an address list (MCF_OUTBOUND_ALLOW, MCF_TRUST_PROXY) is not an IP or CIDR, or undefined when it is one. */
function allowEntryProblem(entry: string): string | undefined {
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = net.isIP(address);
  if (!family || rest.length) return "is not an IP address or CIDR";
  if (prefix === undefined) return undefined;
  const bits = Number(prefix);
  if (!/^\d{1,3}$/.test(prefix) || bits > (family === 4 ? 32 : 128))
    return `has a prefix length outside 0-${family === 4 ? 32 : 128}`;
  return undefined;
}

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
   * Outbound guard for Test connections: addresses normally refused (link-local, cloud metadata,
   * and private ranges under MCF_OUTBOUND_BLOCK_PRIVATE) that the operator allows anyway,
   * comma-separated IPs or CIDRs. A typo must not silently leave an address blocked (or open).
   */
  MCF_OUTBOUND_ALLOW: z
    .string()
    .optional()
    .superRefine((text, ctx) => {
      for (const entry of listEntries(text)) {
        const problem = allowEntryProblem(entry);
        if (problem)
          ctx.addIssue({
            code: "custom",
            message: `"${entry}" ${problem}: write IPs or CIDRs, comma-separated (169.254.10.0/24, fd00:ec2::254)`,
          });
      }
    }),
  /**
   * Also refuse private and loopback ranges (10/8, 172.16/12, 192.168/16, 127/8, 100.64/10, ::1,
   * fc00::/7) for Tests. Off by default: a console next to its mail server often reaches it on a
   * private address.
   */
  MCF_OUTBOUND_BLOCK_PRIVATE: z.preprocess(
    (value) => (value === "" ? undefined : value),
    z.stringbool({ error: "MCF_OUTBOUND_BLOCK_PRIVATE must be true or false" }).default(false),
  ),
  /** When set, a Test may only connect to these hosts (comma-separated; "*.example.com" matches subdomains). */
  MCF_TEST_ALLOWED_HOSTS: z.string().optional(),
  /**
   * Reverse proxies in front of the console whose X-Forwarded-For is believed: comma-separated
   * addresses or CIDRs. Empty (the default): no proxy is trusted and the client is the TCP peer.
   */
  MCF_TRUST_PROXY: z
    .string()
    .optional()
    .superRefine((text, ctx) => {
      for (const entry of listEntries(text)) {
        const problem = allowEntryProblem(entry);
        if (problem)
          ctx.addIssue({
            code: "custom",
            message: `"${entry}" ${problem}: write the proxies' IPs or CIDRs, comma-separated (10.0.0.1, 10.0.0.0/8, fd00::/8)`,
          });
      }
    }),
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

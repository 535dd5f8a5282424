import "server-only";
import { betterAuth, APIError } from "better-auth";
import { createAuthMiddleware, getIP, isAPIError } from "better-auth/api";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { nextCookies } from "better-auth/next-js";
import { audit } from "@/lib/audit/record";
import { authSecret } from "@/lib/crypto/secret-key";
import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";

/**
 * Sign-in is better-auth with its Prisma adapter: the library hashes passwords, signs and checks the
 * session cookie (httpOnly, SameSite=Lax, Secure behind https), and throttles /api/auth per IP. Public
 * sign-up is off: users come from first-run setup and invitations (lib/auth/users.ts).
 */

// better-auth's rateLimit counts HTTP requests per IP only; server actions call auth.api directly and
// bypass it. This per-account limit runs in the hooks, which see both.
const FAILED_SIGN_IN_LIMIT = 10;
const FAILED_SIGN_IN_WINDOW_MS = 15 * 60_000;
export const MIN_PASSWORD_LENGTH = 12;

const emailOf = (body: unknown) => String((body as { email?: unknown } | undefined)?.email ?? "").trim().toLowerCase().slice(0, 320);
const codeOf = (error: APIError) => (error.body as { code?: string } | undefined)?.code;

function createAuth() {
  const publicUrl = env.MCF_PUBLIC_URL;
  return betterAuth({
    appName: "MCF Console",
    secret: authSecret(),
    baseURL: publicUrl,
    // Without a configured URL, trust the origin the browser addressed (its Host header), as Next does
    // for server actions: a cross-site page still fails because its Origin differs from that Host.
    trustedOrigins: publicUrl
      ? undefined
      : (request?: Request) => {
          const host = request?.headers.get("host");
          return host ? [`http://${host}`, `https://${host}`] : [];
        },
    database: prismaAdapter(prisma, { provider: "sqlite", transaction: true }),
    telemetry: { enabled: false },
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: MIN_PASSWORD_LENGTH, maxPasswordLength: 128 },
    user: {
      additionalFields: {
        role: { type: "string", required: true, defaultValue: "viewer", input: false },
        disabled: { type: "boolean", required: true, defaultValue: false, input: false },
      },
    },
    session: { expiresIn: 60 * 60 * 12, updateAge: 60 * 60, freshAge: 60 * 15 },
    rateLimit: {
      enabled: true,
      storage: "database",
      window: 60,
      max: 100,
      customRules: { "/sign-in/email": { window: 60, max: 5 }, "/change-password": { window: 60, max: 5 }, "/get-session": false },
    },
    advanced: {
      useSecureCookies: publicUrl?.startsWith("https://") ?? false,
      cookiePrefix: "mcf",
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax", path: "/" },
      ipAddress: { ipAddressHeaders: ["x-forwarded-for"] },
      // better-auth would skip the origin check under NODE_ENV=test; tests must see production behaviour
      disableOriginCheck: false,
    },
    databaseHooks: {
      session: {
        create: {
          async before(session) {
            const user = await prisma.user.findUnique({ where: { id: session.userId }, select: { disabled: true } });
            if (!user || user.disabled) throw new APIError("FORBIDDEN", { code: "USER_DISABLED", message: "This account is disabled." });
          },
        },
      },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email") return;
        const since = new Date(Date.now() - FAILED_SIGN_IN_WINDOW_MS);
        const failures = await prisma.auditEvent.count({ where: { action: "auth.sign_in_failed", objectLabel: emailOf(ctx.body), at: { gt: since } } });
        if (failures >= FAILED_SIGN_IN_LIMIT) {
          throw new APIError("TOO_MANY_REQUESTS", { code: "TOO_MANY_FAILED_SIGN_INS", message: "Too many failed sign-ins for this account. Try again later." });
        }
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email") return;
        const source = ctx.request ?? ctx.headers;
        const ip = source ? getIP(source, ctx.context.options) : null;
        const returned = ctx.context.returned;
        const email = emailOf(ctx.body);
        if (isAPIError(returned)) {
          const code = codeOf(returned);
          if (code !== "INVALID_EMAIL_OR_PASSWORD" && code !== "USER_DISABLED") return;
          const user = await prisma.user.findUnique({ where: { email }, select: { id: true } });
          await audit({ actor: { id: user?.id ?? null, label: email }, action: "auth.sign_in_failed", object: { type: "session", label: email }, detail: { reason: code }, ip });
        } else if (ctx.context.newSession) {
          const user = ctx.context.newSession.user;
          await audit({ actor: { id: user.id, label: `${user.name} <${user.email}>` }, action: "auth.sign_in", object: { type: "session", label: email }, ip });
        }
      }),
    },
    plugins: [nextCookies()], // must stay last: it copies Set-Cookie onto server-action responses
  });
}

export type Auth = ReturnType<typeof createAuth>;
const globalForAuth = globalThis as unknown as { mcfAuth?: Auth };

/** Created on first use, not at import: `next build` loads route modules and must not need the secret key. */
export function getAuth(): Auth {
  return (globalForAuth.mcfAuth ??= createAuth());
}

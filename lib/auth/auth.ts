import "server-only";
import { betterAuth, APIError } from "better-auth";
import { createAuthMiddleware, isAPIError } from "better-auth/api";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { nextCookies } from "better-auth/next-js";
import { audit } from "@/lib/audit/record";
import { CLIENT_ADDRESS_HEADER, clientAddress } from "@/lib/auth/client-address";
import { admitSignIn, recordSignInSuccess, throttleMessage } from "@/lib/auth/sign-in-throttle";
import { authSecret } from "@/lib/crypto/secret-key";
import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { displayNameProblem } from "@/lib/users/display-name";

/**
 * Sign-in is better-auth with its Prisma adapter: the library hashes passwords, signs and checks the
 * session cookie (httpOnly, SameSite=Lax, Secure behind https). Public sign-up is off: users come from
 * first-run setup and invitations (lib/auth/users.ts). Over HTTP only sign-in and sign-out answer
 * (lib/auth/http-handler.ts); the console calls everything else server-side through auth.api.
 */
export const MIN_PASSWORD_LENGTH = 12;

/**
 * The HTTP endpoints of better-auth 1.7.25 the console does not use. The route answers only its
 * allow-list anyway (lib/auth/http-handler.ts); this list keeps the library itself refusing them too.
 * Among them: list-sessions and get-session (they hand raw session tokens to page JavaScript),
 * update-user (an unchecked name and image), revoke-session(s), delete-user, change-email,
 * change-password (the account page's action does it), password reset and verification flows.
 */
export const DISABLED_AUTH_PATHS = [
  "/get-session",
  "/list-sessions",
  "/update-session",
  "/revoke-session",
  "/revoke-sessions",
  "/revoke-other-sessions",
  "/update-user",
  "/delete-user",
  "/delete-user/callback",
  "/change-email",
  "/change-password",
  "/verify-password",
  "/request-password-reset",
  "/reset-password",
  "/send-verification-email",
  "/verify-email",
  "/sign-up/email",
  "/sign-in/social",
  "/link-social",
  "/list-accounts",
  "/unlink-account",
  "/account-info",
  "/refresh-token",
  "/get-access-token",
  "/ok",
  "/error",
];

const emailOf = (body: unknown) =>
  String((body as { email?: unknown } | undefined)?.email ?? "")
    .trim()
    .toLowerCase()
    .slice(0, 320);
const codeOf = (error: APIError) => (error.body as { code?: string } | undefined)?.code;

function invalidName(problem: string): APIError {
  return new APIError("BAD_REQUEST", { code: "INVALID_NAME", message: `Name: ${problem}.` });
}

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
    // the library logs each wrong password ("Invalid password"); the console's own level decides
    logger:
      env.MCF_LOG_LEVEL === "silent" ? { disabled: true } : { level: env.MCF_LOG_LEVEL === "info" ? "warn" : env.MCF_LOG_LEVEL },
    disabledPaths: DISABLED_AUTH_PATHS,
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: MIN_PASSWORD_LENGTH, maxPasswordLength: 128 },
    user: {
      additionalFields: {
        role: { type: "string", required: true, defaultValue: "viewer", input: false },
        disabled: { type: "boolean", required: true, defaultValue: false, input: false },
      },
    },
    session: { expiresIn: 60 * 60 * 12, updateAge: 60 * 60, freshAge: 60 * 15 },
    // The per-address request limit of the HTTP endpoints (auth.api calls from server actions skip it;
    // the failed sign-in throttle in the hooks below covers both).
    rateLimit: {
      enabled: true,
      storage: "database",
      window: 60,
      max: 100,
      customRules: { "/sign-in/email": { window: 60, max: 5 } },
    },
    advanced: {
      useSecureCookies: publicUrl?.startsWith("https://") ?? false,
      cookiePrefix: "mcf",
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax", path: "/" },
      // the address lib/auth/client-address.ts resolved: set by the route and by authHeaders(), never a client's
      ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] },
      // better-auth would skip the origin check under NODE_ENV=test; tests must see production behaviour
      disableOriginCheck: false,
    },
    databaseHooks: {
      user: {
        // every write through the library (whatever endpoint or server call) gets the same name rules
        create: {
          async before(user) {
            const problem = displayNameProblem(user.name);
            if (problem) throw invalidName(problem);
            return { data: { ...user, name: user.name.trim() } };
          },
        },
        update: {
          async before(user) {
            if (user.name === undefined) return;
            const problem = displayNameProblem(user.name);
            if (problem) throw invalidName(problem);
            return { data: { ...user, name: user.name.trim() } };
          },
        },
      },
      session: {
        create: {
          async before(session) {
            const user = await prisma.user.findUnique({ where: { id: session.userId }, select: { disabled: true } });
            if (!user || user.disabled)
              throw new APIError("FORBIDDEN", { code: "USER_DISABLED", message: "This account is disabled." });
          },
        },
      },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path === "/update-user") {
          // Not reachable over HTTP, and refused to server-side calls too: names change through
          // lib/users/rename-user.ts, which validates and audits; the console keeps no pictures.
          throw new APIError("FORBIDDEN", { code: "USE_ACCOUNT_PAGE", message: "Change your name on your account page." });
        }
        if (ctx.path !== "/sign-in/email") return;
        const address = clientAddress(ctx.headers ?? ctx.request?.headers ?? new Headers());
        const admission = await admitSignIn(emailOf(ctx.body), address);
        if (!admission.ok) {
          const { scope, retryAfterSeconds } = admission;
          throw new APIError(
            "TOO_MANY_REQUESTS",
            {
              code: "SIGN_IN_THROTTLED",
              message: throttleMessage(scope, retryAfterSeconds),
              scope,
              retryAfter: retryAfterSeconds,
            },
            { "Retry-After": String(retryAfterSeconds) },
          );
        }
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email") return;
        const ip = clientAddress(ctx.headers ?? ctx.request?.headers ?? new Headers());
        const returned = ctx.context.returned;
        const email = emailOf(ctx.body);
        if (isAPIError(returned)) {
          const code = codeOf(returned);
          if (code !== "INVALID_EMAIL_OR_PASSWORD" && code !== "USER_DISABLED") return;
          const user = await prisma.user.findUnique({ where: { email }, select: { id: true } });
          await audit({
            actor: { id: user?.id ?? null, label: email },
            action: "auth.sign_in_failed",
            object: { type: "session", label: email },
            detail: { reason: code },
            ip,
          });
        } else if (ctx.context.newSession) {
          const user = ctx.context.newSession.user;
          await recordSignInSuccess(email, ip);
          await audit({
            actor: { id: user.id, label: `${user.name} <${user.email}>` },
            action: "auth.sign_in",
            object: { type: "session", label: email },
            ip,
          });
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

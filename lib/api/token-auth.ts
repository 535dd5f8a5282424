import "server-only";
import { prisma } from "@/lib/db/client";
import { ROLES, type Role } from "@/lib/auth/permissions";
import type { CurrentUser } from "@/lib/auth/session";
import { log } from "@/lib/log";
import { API_TOKEN_PATTERN } from "@/lib/api/token-schema";
import { hashApiToken, tokenStatus } from "@/lib/api/tokens";

export type TokenAuthentication = { ok: true; user: CurrentUser; tokenId: string } | { ok: false; message: string };

/** lastUsedAt is for people ("used 3 min ago"); writing it on every request would make each GET a write. */
export const LAST_USED_RESOLUTION_MS = 60_000;

const MISSING = "Send a personal API token as `Authorization: Bearer mcf_…` (create one under Account → API tokens).";
const INVALID = "This API token is not valid: check that it was copied whole, or create a new one.";

/**
 * Resolves `Authorization: Bearer mcf_…` to the user the token acts for. The user is read fresh on
 * every request, so a token follows its creator's CURRENT role and shares, and stops working the
 * moment that user is disabled or removed (removal deletes the token with the user row).
 */
export async function authenticateApiToken(authorization: string | null, now = new Date()): Promise<TokenAuthentication> {
  if (!authorization) return { ok: false, message: MISSING };
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  if (!match) return { ok: false, message: MISSING };
  const token = match[1]!;
  // malformed tokens are refused without a database lookup
  if (!API_TOKEN_PATTERN.test(token)) return { ok: false, message: INVALID };
  const row = await prisma.apiToken.findUnique({
    where: { tokenHash: hashApiToken(token) },
    select: {
      id: true,
      revokedAt: true,
      expiresAt: true,
      lastUsedAt: true,
      user: { select: { id: true, name: true, email: true, role: true, disabled: true } },
    },
  });
  if (!row) return { ok: false, message: INVALID };
  const status = tokenStatus(row, now);
  if (status === "revoked")
    return { ok: false, message: "This API token was revoked. Create a new one under Account → API tokens." };
  if (status === "expired")
    return { ok: false, message: "This API token has expired. Create a new one under Account → API tokens." };
  const { user } = row;
  if (user.disabled) return { ok: false, message: "The account this API token belongs to is disabled." };
  if (!ROLES.includes(user.role as Role)) return { ok: false, message: INVALID };

  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    // conditional update: concurrent requests within the same minute write at most once
    await prisma.apiToken
      .updateMany({
        where: {
          id: row.id,
          OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } }],
        },
        data: { lastUsedAt: now },
      })
      .catch((error: unknown) =>
        log.warn("api token last-used update failed", { error: error instanceof Error ? error.message : String(error) }),
      );
  }
  return { ok: true, tokenId: row.id, user: { id: user.id, name: user.name, email: user.email, role: user.role as Role } };
}

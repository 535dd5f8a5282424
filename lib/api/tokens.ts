import "server-only";
import crypto from "node:crypto";
import { prisma, type Tx } from "@/lib/db/client";
import { audit } from "@/lib/audit/record";
import { requireAbility } from "@/lib/auth/access";
import { ROLES, isAdmin, type Role } from "@/lib/auth/permissions";
import { actorOf, type CurrentUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import {
  API_TOKEN_PREFIX,
  API_TOKEN_VISIBLE_CHARS,
  createApiTokenSchema,
  type ApiTokenStatus,
  type ApiTokenSummary,
  type CreateApiTokenInput,
} from "@/lib/api/token-schema";
import { fieldErrorsFrom } from "@/lib/profiles/validation-errors";
import { userOperationRefusal } from "@/lib/users/rules";

/**
 * Personal API tokens. The token is shown once, in the response to its creation; the database keeps
 * only its SHA-256 hash (a 256-bit random value needs no slow hash: there is nothing to guess) and
 * its first characters for lists. A token carries no permissions of its own: every request resolves
 * its creator and acts with the role and shares that user has at that moment (lib/api/token-auth.ts).
 */

/** A user cannot pile up tokens without bound; revoked and expired ones do not count. */
export const MAX_ACTIVE_TOKENS_PER_USER = 50;

export function hashApiToken(token: string): string {
  return crypto.createHash("sha256").update(token, "utf8").digest("hex");
}

export function generateApiToken(): string {
  return `${API_TOKEN_PREFIX}${crypto.randomBytes(32).toString("base64url")}`;
}

const summarySelect = {
  id: true,
  name: true,
  prefix: true,
  createdAt: true,
  expiresAt: true,
  lastUsedAt: true,
  revokedAt: true,
  user: { select: { id: true, name: true, email: true, role: true } },
} as const;

type SummaryRow = {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  user: { id: string; name: string; email: string; role: string };
};

export function tokenStatus(row: { revokedAt: Date | null; expiresAt: Date | null }, now = new Date()): ApiTokenStatus {
  if (row.revokedAt) return "revoked";
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return "expired";
  return "active";
}

function toSummary(row: SummaryRow, now = new Date()): ApiTokenSummary {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    status: tokenStatus(row, now),
    owner: { id: row.user.id, name: row.user.name, email: row.user.email },
  };
}

const activeWhere = (now: Date) => ({ revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] });

export interface CreatedApiToken {
  /** the token itself: returned this once and never again */
  token: string;
  summary: ApiTokenSummary;
}

export async function createApiToken(
  user: CurrentUser,
  raw: CreateApiTokenInput,
  ip: string | null = null,
): Promise<CreatedApiToken> {
  const parsed = createApiTokenSchema.safeParse(raw);
  if (!parsed.success)
    throw new AppError(
      "invalid_input",
      "Some fields need attention: see the messages beside them.",
      fieldErrorsFrom(parsed.error),
    );
  const { name, expiresInDays } = parsed.data;
  const now = new Date();
  const active = await prisma.apiToken.count({ where: { userId: user.id, ...activeWhere(now) } });
  if (active >= MAX_ACTIVE_TOKENS_PER_USER) {
    throw new AppError(
      "conflict",
      `You already have ${MAX_ACTIVE_TOKENS_PER_USER} active tokens: revoke the ones you no longer use first.`,
    );
  }
  const token = generateApiToken();
  const expiresAt = expiresInDays === null ? null : new Date(now.getTime() + expiresInDays * 86_400_000);
  const row = await prisma.$transaction(async (tx) => {
    const created = await tx.apiToken.create({
      data: {
        id: crypto.randomUUID(),
        userId: user.id,
        name,
        prefix: token.slice(0, API_TOKEN_VISIBLE_CHARS),
        tokenHash: hashApiToken(token),
        createdAt: now,
        expiresAt,
      },
      select: summarySelect,
    });
    // the prefix identifies the token in the log; the token itself is never written anywhere
    await audit(
      {
        actor: actorOf(user),
        action: "api_token.created",
        object: { type: "api_token", id: created.id, label: name },
        detail: { prefix: created.prefix, expiresAt: expiresAt?.toISOString() ?? null },
        ip,
      },
      tx,
    );
    return created;
  });
  return { token, summary: toSummary(row, now) };
}

/** The caller's own tokens, newest first (revoked and expired ones too, so the list explains why a script stopped). */
export async function listApiTokens(user: CurrentUser): Promise<ApiTokenSummary[]> {
  const rows = await prisma.apiToken.findMany({
    where: { userId: user.id },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    select: summarySelect,
  });
  const now = new Date();
  return rows.map((row) => toSummary(row, now));
}

/** Whose tokens this user may revoke besides their own: the users-page rules (lib/users/rules.ts) as a query. */
function revocableOwnersWhere(user: CurrentUser) {
  // the owner's tokens are the owner's alone, and admins' are the owner's business
  return user.role === "owner" ? { id: { not: user.id } } : { id: { not: user.id }, role: { notIn: ["owner", "admin"] } };
}

const roleOf = (role: string): Role => (ROLES.includes(role as Role) ? (role as Role) : "viewer");

/**
 * For owners and admins: other users' tokens that still work and that they may revoke, so one can be
 * cut off (a leaked token, someone leaving).
 */
export async function listOtherUsersActiveTokens(user: CurrentUser): Promise<ApiTokenSummary[]> {
  requireAbility(user, "manageUsers", "Only the console owner and admins can see other users' tokens.");
  const now = new Date();
  const rows = await prisma.apiToken.findMany({
    where: { user: revocableOwnersWhere(user), ...activeWhere(now) },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    take: 500,
    select: summarySelect,
  });
  return rows.map((row) => toSummary(row, now));
}

/**
 * Revokes a token: its own creator, or someone the user rules let act on its creator (the owner for
 * admins, editors and viewers; an admin for editors and viewers: lib/users/rules.ts). Nobody but the
 * owner touches the owner's tokens. Someone else's token is "not found" to a non-admin, so token ids
 * reveal nothing. Revoking twice is not an error.
 */
export async function revokeApiToken(user: CurrentUser, id: string, ip: string | null = null): Promise<ApiTokenSummary> {
  const row = await prisma.apiToken.findUnique({ where: { id }, select: summarySelect });
  if (!row || (row.user.id !== user.id && !isAdmin(user.role)))
    throw new AppError("not_found", "This token does not exist, or it is not yours.");
  if (row.user.id !== user.id) {
    const refusal = userOperationRefusal(user, { id: row.user.id, role: roleOf(row.user.role) }, "revokeApiTokens");
    if (refusal) throw new AppError("forbidden", refusal);
  }
  if (row.revokedAt) return toSummary(row);
  const revoked = await prisma.$transaction(async (tx) => {
    // conditional, so two revocations at once record one event
    const result = await tx.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
    if (result.count === 1) {
      await audit(
        {
          actor: actorOf(user),
          action: "api_token.revoked",
          object: { type: "api_token", id, label: row.name },
          detail: { prefix: row.prefix, ...(row.user.id !== user.id ? { owner: `${row.user.name} <${row.user.email}>` } : {}) },
          ip,
        },
        tx,
      );
    }
    return tx.apiToken.findUniqueOrThrow({ where: { id }, select: summarySelect });
  });
  return toSummary(revoked);
}

/**
 * Revokes every working token of a user, inside the caller's transaction: disabling a user ends their
 * tokens for good (re-enabling the account does not bring a possibly leaked token back). Each token
 * gets its own "api_token.revoked" event, so its history reads whole.
 */
export async function revokeAllApiTokensOf(
  tx: Tx,
  actor: CurrentUser,
  owner: { id: string; name: string; email: string },
  reason: string,
  ip: string | null,
): Promise<number> {
  const now = new Date();
  const tokens = await tx.apiToken.findMany({
    where: { userId: owner.id, revokedAt: null },
    select: { id: true, name: true, prefix: true },
  });
  if (tokens.length === 0) return 0;
  await tx.apiToken.updateMany({ where: { id: { in: tokens.map((t) => t.id) }, revokedAt: null }, data: { revokedAt: now } });
  for (const token of tokens) {
    await audit(
      {
        actor: actorOf(actor),
        action: "api_token.revoked",
        object: { type: "api_token", id: token.id, label: token.name },
        detail: { prefix: token.prefix, owner: `${owner.name} <${owner.email}>`, reason },
        ip,
      },
      tx,
    );
  }
  return tokens.length;
}

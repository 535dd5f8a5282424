import "server-only";
import crypto from "node:crypto";

/**
 * Invitation links carry 32 random bytes; the database keeps only their SHA-256. A fast hash is
 * enough here (unlike for passwords): with 256 bits of entropy there is nothing to brute-force, and
 * the hash means a copy of the database cannot be turned into working links.
 */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export const hashInvitationToken = (token: string) => crypto.createHash("sha256").update(token, "utf8").digest("hex");

export function newInvitationToken(): { token: string; tokenHash: string } {
  const token = crypto.randomBytes(32).toString("base64url");
  return { token, tokenHash: hashInvitationToken(token) };
}

/** The shape newInvitationToken produces (43 base64url characters); anything else is not looked up. */
export const looksLikeInvitationToken = (token: string) => /^[A-Za-z0-9_-]{43}$/.test(token);

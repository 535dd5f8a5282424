import "server-only";

/**
 * SASL payload encoders shared by the IMAP and POP3 clients, and the decoder for the XOAUTH2
 * error challenge. Kept as pure functions so they are unit-tested against Microsoft's published
 * check vector (docs/MICROSOFT.md#xoauth2).
 */

/** Thrown when a value cannot be framed as a single SASL field; the message never contains the value. */
export class SaslEncodingError extends Error {
  constructor(public readonly field: "user" | "accessToken" | "password" | "authzid") {
    super(`The ${field} contains a character that cannot be sent in a SASL field`);
    this.name = "SaslEncodingError";
  }
}

// XOAUTH2 fields are separated by \x01; any control character inside a value would end the field
// early and let the rest of it become a field of its own (auth= included), so refuse them all.
const CONTROL_CHARS = /[\x00-\x1f\x7f]/;
// PLAIN separates its three fields with NUL; NUL is the only byte it cannot carry.
const NUL = /\x00/;

/**
 * The XOAUTH2 initial client response:
 * `base64("user=" + user + "\x01auth=Bearer " + token + "\x01\x01")`, standard base64 with padding
 * (not base64url), exactly as Exchange Online and Gmail document it.
 */
export function xoauth2InitialResponse(user: string, accessToken: string): string {
  if (CONTROL_CHARS.test(user)) throw new SaslEncodingError("user");
  if (CONTROL_CHARS.test(accessToken)) throw new SaslEncodingError("accessToken");
  return Buffer.from(`user=${user}\x01auth=Bearer ${accessToken}\x01\x01`, "utf8").toString("base64");
}

/** The SASL PLAIN response (RFC 4616): `base64(authzid \0 authcid \0 password)`. */
export function plainInitialResponse(user: string, password: string, authzid = ""): string {
  if (NUL.test(user)) throw new SaslEncodingError("user");
  if (NUL.test(password)) throw new SaslEncodingError("password");
  if (NUL.test(authzid)) throw new SaslEncodingError("authzid");
  return Buffer.from(`${authzid}\x00${user}\x00${password}`, "utf8").toString("base64");
}

/**
 * What a server puts in the XOAUTH2 error challenge (`+ <base64 JSON>`) before it fails the
 * exchange. Gmail and Dovecot send one (`{"status":"401","schemes":"bearer","scope":"mail"}`);
 * Exchange Online goes straight to `NO AUTHENTICATE failed.` without it.
 */
export interface Xoauth2ErrorChallenge {
  status?: string;
  schemes?: string;
  scope?: string;
  /** the decoded JSON text, for display; tokens are never part of it */
  json: string;
}

const MAX_CHALLENGE_LENGTH = 4096;

/**
 * Decodes an XOAUTH2 error challenge. Returns null for anything that is not base64-encoded JSON
 * (an empty `+` continuation, garbage), so callers can tell "server asked for the payload" from
 * "server reported an error".
 */
export function decodeXoauth2Challenge(challenge: string): Xoauth2ErrorChallenge | null {
  const text = challenge.trim();
  if (!text || text.length > MAX_CHALLENGE_LENGTH || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  const json = Buffer.from(text, "base64").toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return null;
  const record = parsed as Record<string, unknown>;
  // Servers disagree on types (Gmail sends "400" as a string, others a number), so normalise to strings.
  const field = (key: string) =>
    typeof record[key] === "string" || typeof record[key] === "number" ? String(record[key]) : undefined;
  return { status: field("status"), schemes: field("schemes"), scope: field("scope"), json };
}

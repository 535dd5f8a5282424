/**
 * Checks a client assertion pasted by the admin (the "Pasted client assertion" method) against
 * what Entra will check (docs/MICROSOFT.md#client-assertion), before it is sent. Decodes without verifying: the console
 * has only the public certificate at best, and the point is to explain, not to authenticate.
 * Client-safe (no Node imports, no server-only): the form shows these findings as the admin types.
 * Messages never repeat the assertion itself.
 */
import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from "jose";

export type PastedAssertionCode =
  | "not_jwt"
  | "alg_unsupported"
  | "thumbprint_missing"
  | "exp_missing"
  | "expired"
  | "expires_soon"
  | "nbf_missing"
  | "not_yet_valid"
  | "times_in_milliseconds"
  | "aud_mismatch"
  | "iss_mismatch"
  | "sub_mismatch"
  | "jti_missing";

export interface AssertionFinding {
  level: "error" | "warning";
  code: PastedAssertionCode;
  message: string;
}

export interface PastedAssertionContext {
  /** The resolved token URL (placeholders replaced) */
  tokenUrl: string;
  clientId: string;
  now?: Date;
}

export type DecodedAssertion = { ok: true; header: ProtectedHeaderParameters; claims: JWTPayload } | { ok: false };

export function decodeAssertion(jwt: string): DecodedAssertion {
  const text = jwt.trim();
  // A signed JWT in compact form has exactly three parts; five would be an encrypted JWT (JWE).
  if (text.split(".").length !== 3) return { ok: false };
  try {
    return { ok: true, header: decodeProtectedHeader(text), claims: decodeJwt(text) };
  } catch {
    return { ok: false };
  }
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
const SOON_SECONDS = 10 * 60;

export function checkPastedAssertion(jwt: string, context: PastedAssertionContext): AssertionFinding[] {
  const decoded = decodeAssertion(jwt);
  if (!decoded.ok) {
    return [
      {
        level: "error",
        code: "not_jwt",
        message: "This is not a signed JWT (three base64url parts separated by dots): paste the whole client assertion",
      },
    ];
  }
  const { header, claims } = decoded;
  const findings: AssertionFinding[] = [];
  const add = (level: AssertionFinding["level"], code: PastedAssertionCode, message: string) =>
    findings.push({ level, code, message });
  const now = Math.floor((context.now ?? new Date()).getTime() / 1000);

  if (header.alg !== "PS256" && header.alg !== "RS256") {
    add(
      "error",
      "alg_unsupported",
      `The assertion is signed with ${header.alg ?? "no algorithm"}; Entra accepts PS256 (current) or RS256 (legacy)`,
    );
  }
  if (typeof header["x5t#S256"] !== "string" && typeof header.x5t !== "string") {
    add(
      "error",
      "thumbprint_missing",
      "The assertion header has no certificate thumbprint (x5t#S256 or x5t): Entra cannot tell which certificate signed it (AADSTS50027)",
    );
  }

  // Seconds since 1970 are 10 digits until 2286; a 13-digit value is milliseconds (AADSTS700024).
  const inMilliseconds = (value: unknown) => typeof value === "number" && value > 100_000_000_000;
  if (inMilliseconds(claims.exp) || inMilliseconds(claims.nbf)) {
    add("error", "times_in_milliseconds", "exp/nbf look like milliseconds: JWT times are seconds since 1970 (AADSTS700024)");
  } else {
    if (typeof claims.exp !== "number") add("error", "exp_missing", "The assertion has no exp (expiry) claim");
    else if (claims.exp <= now) {
      add(
        "error",
        "expired",
        `The assertion expired at ${iso(claims.exp)}: generate a new one, or switch to Client certificate so the console signs a fresh assertion for every request`,
      );
    } else if (claims.exp - now < SOON_SECONDS) {
      add(
        "warning",
        "expires_soon",
        `The assertion expires at ${iso(claims.exp)}; after that every token request fails until a new one is pasted (Client certificate avoids this)`,
      );
    }
    if (typeof claims.nbf !== "number")
      add("error", "nbf_missing", "The assertion has no nbf (not before) claim: Entra treats it as not valid (AADSTS700024)");
    else if (claims.nbf > now)
      add(
        "error",
        "not_yet_valid",
        `The assertion is not valid before ${iso(claims.nbf)}: check the clock of the machine that created it`,
      );
  }

  if (
    typeof claims.aud === "string"
      ? claims.aud !== context.tokenUrl
      : !(Array.isArray(claims.aud) && claims.aud.includes(context.tokenUrl))
  ) {
    const aud = Array.isArray(claims.aud) ? claims.aud.join(", ") : (claims.aud ?? "(none)");
    add(
      "error",
      "aud_mismatch",
      `The assertion's audience (aud) is ${aud}, but it must be exactly the token URL ${context.tokenUrl} (AADSTS700023)`,
    );
  }
  const clientId = context.clientId.trim();
  if (clientId && claims.iss !== clientId) {
    add(
      "error",
      "iss_mismatch",
      `The assertion's issuer (iss) is ${claims.iss ?? "(none)"}, but it must be the client ID ${clientId}`,
    );
  }
  if (claims.sub !== claims.iss) {
    add(
      "error",
      "sub_mismatch",
      `The assertion's subject (sub) is ${claims.sub ?? "(none)"}; it must equal the issuer (iss), the client ID (AADSTS50048)`,
    );
  }
  if (typeof claims.jti !== "string" || claims.jti.length === 0) {
    add("warning", "jti_missing", "The assertion has no jti (unique id): Microsoft requires one");
  }
  return findings;
}

/** Expiry of a pasted assertion, for failure messages; undefined when it does not decode. */
export function pastedAssertionExpiry(jwt: string): Date | undefined {
  const decoded = decodeAssertion(jwt);
  return decoded.ok && typeof decoded.claims.exp === "number" ? new Date(decoded.claims.exp * 1000) : undefined;
}

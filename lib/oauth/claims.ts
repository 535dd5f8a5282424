/**
 * Token sanity check (docs/MICROSOFT.md#access-token-claims): decode the access token WITHOUT verifying
 * it and say whether Exchange Online will accept it. The signature is Entra's business and Exchange's
 * to check; what goes wrong in practice is a token for the wrong resource or without the app role,
 * which Entra issues happily and Exchange then refuses with a bare "AUTHENTICATE failed".
 * Client-safe: decoding only, no secrets kept. Messages never include the token.
 */
import { decodeJwt } from "jose";
import { cloudById, exchangeAudienceClouds, isGraphAudience, type CloudId } from "@/lib/oauth/clouds";
import { normalizeGuid } from "@/lib/oauth/identifiers";

export type MailProtocol = "imap" | "pop3";

export type ClaimCode =
  | "opaque_token"
  | "aud_missing"
  | "aud_graph"
  | "aud_not_exchange"
  | "aud_other_cloud"
  | "roles_missing"
  | "role_missing"
  | "delegated_token"
  | "tid_mismatch"
  | "expired"
  | "exp_missing";

export interface ClaimFinding {
  level: "error" | "warning" | "info";
  code: ClaimCode;
  message: string;
  fix?: string;
}

/** The claims the checks read; the rest of the payload is kept for display. */
export interface AccessTokenClaims {
  aud?: string | string[];
  roles?: string[];
  scp?: string;
  tid?: string;
  exp?: number;
  nbf?: number;
  iat?: number;
  iss?: string;
  appid?: string;
  azp?: string;
  [claim: string]: unknown;
}

export interface ClaimsCheck {
  opaque: boolean;
  claims?: AccessTokenClaims;
  findings: ClaimFinding[];
}

export interface ClaimsContext {
  protocol: MailProtocol;
  /** The profile's tenant; compared with `tid` only when it is a GUID (a domain cannot be compared offline). */
  tenantId?: string;
  cloud?: CloudId;
  now?: Date;
}

export const REQUIRED_ROLE: Record<MailProtocol, string> = { imap: "IMAP.AccessAsApp", pop3: "POP.AccessAsApp" };

const permissionFix = (role: string) =>
  `In Entra admin center > App registrations > your app > API permissions, click "Add a permission" > "APIs my organization uses" > Office 365 Exchange Online > Application permissions > ${role}, then click "Grant admin consent". Test again afterwards: only a new token carries the new role, and Exchange may take up to an hour to notice.`;

/** The decoded payload of a JWT access token, or undefined for an opaque token. */
export function decodeAccessToken(accessToken: string): AccessTokenClaims | undefined {
  if (accessToken.split(".").length !== 3) return undefined;
  try {
    return decodeJwt(accessToken) as AccessTokenClaims;
  } catch {
    return undefined;
  }
}

export function checkAccessTokenClaims(accessToken: string, context: ClaimsContext): ClaimsCheck {
  const claims = decodeAccessToken(accessToken);
  if (!claims) {
    return {
      opaque: true,
      findings: [
        {
          level: "info",
          code: "opaque_token",
          message:
            "The access token is not a JWT, so its audience and permissions cannot be read here; the mail server's login step will tell whether it is accepted.",
        },
      ],
    };
  }
  const findings: ClaimFinding[] = [];
  const add = (finding: ClaimFinding) => findings.push(finding);
  const role = REQUIRED_ROLE[context.protocol];
  const cloud = context.cloud ? cloudById(context.cloud) : undefined;

  const audiences =
    typeof claims.aud === "string"
      ? [claims.aud]
      : Array.isArray(claims.aud)
        ? claims.aud.filter((a) => typeof a === "string")
        : [];
  const exchangeClouds = audiences.flatMap(exchangeAudienceClouds);
  let wrongResource = false;
  if (audiences.length === 0) {
    add({
      level: "error",
      code: "aud_missing",
      message: "The token has no audience (aud) claim, so Exchange Online will not accept it.",
    });
    wrongResource = true;
  } else if (audiences.some(isGraphAudience) && exchangeClouds.length === 0) {
    wrongResource = true;
    add({
      level: "error",
      code: "aud_graph",
      message: `Wrong scope: the token is for Microsoft Graph (aud ${audiences.join(", ")}), not for Exchange Online, so IMAP/POP login will fail with "AUTHENTICATE failed".`,
      fix: `Set scope to ${cloud?.scope ?? "https://outlook.office365.com/.default"}.`,
    });
  } else if (exchangeClouds.length === 0) {
    wrongResource = true;
    add({
      level: "error",
      code: "aud_not_exchange",
      message: `The token is for ${audiences.join(", ")}, not for Exchange Online: the scope names another resource.`,
      fix: `Set scope to ${cloud?.scope ?? "https://outlook.office365.com/.default"}.`,
    });
  } else if (cloud && !exchangeClouds.includes(cloud)) {
    add({
      level: "warning",
      code: "aud_other_cloud",
      message: `The token is for Exchange Online in ${exchangeClouds.map((c) => c.label).join(" / ")}, but the profile uses ${cloud.label}.`,
      fix: "Use the scope, token URL and mail host of one cloud.",
    });
  }

  // Roles belong to the token's resource: for a Graph token they say nothing about Exchange.
  if (!wrongResource) {
    const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === "string") : [];
    if (roles.length === 0) {
      add({
        level: "error",
        code: "roles_missing",
        message: `Admin consent / application permission missing: the token carries no roles, so Exchange Online will refuse it. The app needs the application permission ${role} with admin consent.`,
        fix: permissionFix(role),
      });
    } else if (!roles.includes(role)) {
      add({
        level: "error",
        code: "role_missing",
        message: `Admin consent / application permission missing: the token's roles are ${roles.join(", ")}, without ${role}, which ${context.protocol === "imap" ? "IMAP" : "POP3"} needs.`,
        fix: permissionFix(role),
      });
    }
    if (typeof claims.scp === "string" && claims.scp) {
      add({
        level: "warning",
        code: "delegated_token",
        message: `The token carries delegated scopes (scp: ${claims.scp}); an app-only token for IMAP/POP carries roles instead.`,
        fix: "Use the client-credentials grant with an Application permission, not a delegated one.",
      });
    }
  }

  const expected = normalizeGuid(context.tenantId);
  const tid = normalizeGuid(typeof claims.tid === "string" ? claims.tid : undefined);
  if (expected && claims.tid !== undefined && tid !== expected) {
    add({
      level: "error",
      code: "tid_mismatch",
      message: `The token was issued by tenant ${String(claims.tid)}, not by the profile's tenant ${expected}.`,
      fix: "Check the tenant in the token URL and the Tenant field.",
    });
  }

  const now = Math.floor((context.now ?? new Date()).getTime() / 1000);
  if (typeof claims.exp !== "number") {
    add({ level: "warning", code: "exp_missing", message: "The token has no expiry (exp) claim." });
  } else if (claims.exp <= now) {
    add({
      level: "error",
      code: "expired",
      message: `The token expired at ${new Date(claims.exp * 1000).toISOString()}.`,
      fix: "Request a new token; if this repeats, check this server's clock (NTP).",
    });
  }
  return { opaque: false, claims, findings };
}

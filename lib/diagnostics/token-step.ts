import "server-only";
/**
 * The token and claims steps. The token comes from requestToken (fresh by default, so new consent
 * and roles show at once; through the token cache when the caller allows a cached one). Its failure
 * texts (cause, fix) are used as they are, with Microsoft's AADSTS codes, trace and correlation ids
 * and lookup link kept in the step's data. The claims step decodes the token without verifying it
 * and says whether Exchange Online will accept it.
 */
import { checkAccessTokenClaims } from "@/lib/oauth/claims";
import { cloudOfHost } from "@/lib/oauth/clouds";
import { normalizeGuid } from "@/lib/oauth/identifiers";
import { cacheKey, tokenCache } from "@/lib/oauth/token-cache";
import { requestToken, type TokenRequestSettings, type TokenResult, type TokenSuccess } from "@/lib/oauth/token-request";
import type { StepOutcome } from "@/lib/diagnostics/steps";
import type { Transcript } from "@/lib/diagnostics/transcript";

export interface TokenStepInput {
  settings: TokenRequestSettings;
  profileId?: string;
  fresh: boolean;
  signal: AbortSignal;
  transcript: Transcript;
}

export type TokenStepResult = { outcome: StepOutcome; token?: TokenSuccess; result: TokenResult & { fromCache?: boolean } };

const FORM_SECRETS = new Set(["client_secret", "client_assertion"]);

/** The request as the transcript shows it: form field names and non-secret values, never a secret. */
function describeRequest(settings: TokenRequestSettings, url: string): string {
  const fields = Object.entries(settings.requestProperties)
    .filter(([key]) => !FORM_SECRETS.has(key) && !(settings.method === "client_secret" && key === "client_assertion_type"))
    .map(([key, value]) => `${key}=${value}`);
  if (settings.method === "client_secret" && settings.clientAuthentication === "client_secret_post")
    fields.push("client_secret=••••••");
  if (settings.method !== "client_secret") fields.push("client_assertion=••••••");
  const header =
    settings.method === "client_secret" && settings.clientAuthentication === "client_secret_basic"
      ? " with Authorization: Basic ••••••"
      : "";
  return `POST ${url}${header} (${fields.join(", ")})`;
}

function resolvedUrl(settings: TokenRequestSettings): string {
  let url = settings.tokenUrl.trim();
  const tenant = settings.tenantId?.trim();
  if (tenant) for (const placeholder of ["TENANT_ID", "{tenant}"]) url = url.split(placeholder).join(tenant);
  return url;
}

export async function runTokenStep(input: TokenStepInput): Promise<TokenStepResult> {
  const { settings, transcript } = input;
  const url = resolvedUrl(settings);
  transcript.add("token", "C", describeRequest(settings, url));
  const request = () => requestToken(settings, { signal: input.signal });
  let result: TokenResult & { fromCache?: boolean };
  try {
    result = await tokenCache.getOrRequest(cacheKey(settings), input.profileId ?? "draft", request, { fresh: input.fresh });
  } catch {
    // cacheKey parses the certificate; a broken one is requestToken's to explain.
    result = await request();
  }

  if (result.ok) {
    transcript.add(
      "token",
      "S",
      // Worded so that "Bearer" is never followed by a word: the redaction pattern would mask it as a token.
      result.fromCache
        ? `(cached) access token of type ${result.tokenType}; expires ${result.expiresAt.toISOString()}`
        : `HTTP 200: access token of type ${result.tokenType}; expires in ${result.expiresIn} s`,
    );
    return {
      result,
      token: result,
      outcome: {
        status: "ok",
        detail: `${result.fromCache ? "Cached access token" : `Access token received from ${new URL(url).hostname} in ${result.ms} ms${result.attempts > 1 ? " after one retry" : ""}`}, valid for ${Math.round(result.expiresIn / 60)} min (until ${result.expiresAt.toISOString()}).`,
        data: {
          tokenType: result.tokenType,
          expiresIn: result.expiresIn,
          expiresAt: result.expiresAt.toISOString(),
          attempts: result.attempts,
          fromCache: !!result.fromCache,
        },
      },
    };
  }

  const codes = result.aadstsCodes.map((code) => `AADSTS${code}`);
  transcript.add(
    "token",
    result.httpStatus ? "S" : "-",
    result.httpStatus
      ? `HTTP ${result.httpStatus}${result.error ? ` ${result.error}` : ""}${codes.length ? ` ${codes.join(", ")}` : ""}${result.description ? `: ${result.description.split(/\r?\n/)[0]}` : ""}`
      : `${result.title}`,
  );
  const data: NonNullable<StepOutcome["data"]> = { kind: result.kind, attempts: result.attempts };
  if (result.httpStatus) data.httpStatus = result.httpStatus;
  if (result.error) data.error = result.error;
  if (codes.length) data.aadsts = codes;
  if (result.description) data.description = result.description;
  if (result.traceId) data.traceId = result.traceId;
  if (result.correlationId) data.correlationId = result.correlationId;
  if (result.timestamp) data.timestamp = result.timestamp;
  if (result.errorUri) data.errorUri = result.errorUri;
  if (result.lookupUrl) data.lookupUrl = result.lookupUrl;
  return { result, outcome: { status: "fail", detail: `${result.title}.`, cause: result.cause, fix: result.fix, data } };
}

export function claimsStep(
  token: TokenSuccess,
  context: { protocol: "imap" | "pop3"; tenantId: string; tokenUrl: string; now: Date },
): StepOutcome {
  const check = checkAccessTokenClaims(token.accessToken, {
    protocol: context.protocol,
    ...(normalizeGuid(context.tenantId) ? { tenantId: context.tenantId } : {}),
    ...(cloudOfHost(context.tokenUrl) ? { cloud: cloudOfHost(context.tokenUrl)!.id } : {}),
    now: context.now,
  });
  if (check.opaque)
    return { status: "ok", detail: check.findings[0]?.message ?? "The token is not a JWT; its claims cannot be read." };
  const claims = check.claims!;
  const audiences = typeof claims.aud === "string" ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === "string") : [];
  const data: NonNullable<StepOutcome["data"]> = {
    ...(audiences.length ? { aud: audiences } : {}),
    roles,
    ...(typeof claims.tid === "string" ? { tid: claims.tid } : {}),
    ...(typeof claims.appid === "string" ? { appid: claims.appid } : typeof claims.azp === "string" ? { appid: claims.azp } : {}),
    ...(typeof claims.exp === "number" ? { exp: new Date(claims.exp * 1000).toISOString() } : {}),
    ...(typeof claims.scp === "string" ? { scp: claims.scp } : {}),
  };
  const errors = check.findings.filter((f) => f.level === "error");
  const warnings = check.findings.filter((f) => f.level === "warning");
  if (errors.length) {
    return {
      status: "fail",
      detail: errors[0]!.message.split(": ")[0]!.replace(/\.$/, "") + ".",
      cause: errors.map((f) => f.message).join(" "),
      fix: errors.find((f) => f.fix)?.fix ?? "Check the app registration's API permissions and the scope.",
      data,
    };
  }
  const summary = `Audience ${audiences.join(", ") || "?"}, roles ${roles.join(", ") || "none"}${typeof claims.tid === "string" ? `, tenant ${claims.tid}` : ""}`;
  if (warnings.length) {
    return {
      status: "warn",
      detail: `${summary}.`,
      cause: warnings.map((f) => f.message).join(" "),
      fix: warnings.find((f) => f.fix)?.fix ?? "",
      data,
    };
  }
  return { status: "ok", detail: `${summary}: as Exchange Online expects.`, data };
}

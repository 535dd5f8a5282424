import "server-only";
/**
 * The client-credentials token exchange (docs/MICROSOFT.md#token-request): a pure function of
 * its settings that never throws and returns a typed result. A failure says in plain words what
 * happened and what to change, with Microsoft's error class, AADSTS codes, trace/correlation ids and
 * lookup link when there are some.
 *
 * Secrets (client secret, assertion, private key) and the access token never appear in a failure
 * result or a log line: server texts pass through redactText, and the finished failure is scrubbed of
 * the exact secret strings as a last guard.
 */
import crypto from "node:crypto";
import { z } from "zod";
import { redactText, REDACTION_MASK } from "@/lib/crypto/redact";
import { log } from "@/lib/log";
import { trustedCertificates } from "@/lib/net/trust";
import { CLIENT_ASSERTION_TYPE, TENANT_PLACEHOLDERS, resolveTokenUrl, type OAuthMethod } from "@/lib/profiles/oauth-defaults";
import { checkTokenUrl } from "@/lib/profiles/schema";
import { explainTokenError, lookupUrl, type TokenErrorExplanation } from "@/lib/oauth/aadsts";
import { decodeAccessToken, type AccessTokenClaims } from "@/lib/oauth/claims";
import { buildClientAssertion, type AssertionAlgorithm, type CertificateThumbprints } from "@/lib/oauth/client-assertion";
import { postForm, type PostResult } from "@/lib/oauth/http-post";
import { isGuid } from "@/lib/oauth/identifiers";
import { describeNetworkFailure } from "@/lib/oauth/network-failure";
import { pastedAssertionExpiry } from "@/lib/oauth/pasted-assertion";

export type ClientAuthentication = "client_secret_post" | "client_secret_basic";

export interface TokenRequestSettings {
  /** May contain TENANT_ID or {tenant}, replaced by tenantId */
  tokenUrl: string;
  tenantId?: string;
  method: OAuthMethod;
  /** How a client secret travels: form field (post) or RFC 6749 §2.3.1 Basic header (basic) */
  clientAuthentication: ClientAuthentication;
  /** Non-secret form fields: grant_type, client_id, scope, client_assertion_type and extras */
  requestProperties: Record<string, string>;
  clientSecret?: string;
  /** A signed JWT pasted by the admin (method client_assertion) */
  clientAssertion?: string;
  certificate?: { certificatePem: string; privateKeyPem: string; passphrase?: string };
  assertion?: { algorithm: AssertionAlgorithm; lifetimeSeconds: number };
  /** The profile's trusted CAs (PEM bundle) */
  trustedCaPem?: string;
  /** CAs given for this run only (CLI --ca-file) */
  extraCaPem?: string;
  /** Deadline for connect + answer, per attempt; default 15 000 */
  timeoutMs?: number;
}

export interface TokenRequestOptions {
  now?: Date;
  signal?: AbortSignal;
  /** Pause before the single retry after a 5xx or temporarily_unavailable; default 1000 */
  retryDelayMs?: number;
}

export type TokenFailureKind = "config" | "dns" | "connect" | "tls" | "timeout" | "http" | "invalid_response" | "cancelled";

export interface TokenSuccess {
  ok: true;
  accessToken: string;
  tokenType: string;
  expiresIn: number;
  extExpiresIn?: number;
  expiresAt: Date;
  /** Decoded payload (not verified), or null for an opaque token */
  claims: AccessTokenClaims | null;
  /** One line for the result panel; never contains the token */
  summary: string;
  attempts: number;
  ms: number;
}

export interface TokenFailure {
  ok: false;
  kind: TokenFailureKind;
  /** Short headline, e.g. "Wrong client secret" */
  title: string;
  httpStatus?: number;
  /** OAuth error class from the server, e.g. invalid_client */
  error?: string;
  aadstsCodes: number[];
  /** Server's error text, redacted */
  description?: string;
  traceId?: string;
  correlationId?: string;
  timestamp?: string;
  errorUri?: string;
  lookupUrl?: string;
  cause: string;
  fix: string;
  attempts: number;
  ms: number;
}

export type TokenResult = TokenSuccess | TokenFailure;

export const DEFAULT_TOKEN_TIMEOUT_MS = 15_000;
const DEFAULT_RETRY_DELAY_MS = 1_000;

const numeric = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)]);
export const tokenSuccessSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().min(1),
  expires_in: numeric,
  ext_expires_in: numeric.optional(),
});

/** Keys whose values come from the dedicated secret fields, never from the request properties. */
const SECRET_KEYS = new Set(["client_secret", "client_assertion"]);

type Failure = Omit<TokenFailure, "ok" | "ms" | "attempts" | "aadstsCodes"> & { aadstsCodes?: number[] };

interface Prepared {
  url: URL;
  resolvedUrl: string;
  clientId: string;
  /** Builds the form body and headers for one attempt: a new assertion each time for Method 2 */
  build: () => Promise<{ ok: true; body: string; headers: Record<string, string> } | { ok: false; failure: Failure }>;
  thumbprints?: () => CertificateThumbprints | undefined;
}

/** application/x-www-form-urlencoded for one value (RFC 6749 Appendix B: space as +). */
export function formEncode(value: string): string {
  return new URLSearchParams([["", value]]).toString().slice(1);
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded BEFORE base64, which most clients forget. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString("base64")}`;
}

const config = (title: string, cause: string, fix: string): { ok: false; failure: Failure } => ({
  ok: false,
  failure: { kind: "config", title, cause, fix },
});

function prepare(
  settings: TokenRequestSettings,
  options: TokenRequestOptions,
): { ok: true; prepared: Prepared } | { ok: false; failure: Failure } {
  const tenantId = settings.tenantId?.trim();
  const rawUrl = settings.tokenUrl.trim();
  if (!rawUrl)
    return config(
      "Token URL missing",
      "No token URL is set.",
      "Enter the token URL, e.g. https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token.",
    );
  const resolvedUrl = resolveTokenUrl(rawUrl, tenantId);
  if (TENANT_PLACEHOLDERS.some((p) => resolvedUrl.includes(p))) {
    return config(
      "Tenant missing",
      "The token URL contains TENANT_ID but no tenant is set.",
      "Enter the Directory (tenant) ID from Entra admin center > Overview.",
    );
  }
  const urlProblem = checkTokenUrl(resolvedUrl);
  if (urlProblem)
    return config(
      "Token URL not usable",
      `${urlProblem}.`,
      "Enter the full https:// token URL, e.g. https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token.",
    );
  const url = new URL(resolvedUrl);

  const properties = Object.entries(settings.requestProperties)
    .map(([key, value]) => [key.trim(), value.trim()] as const)
    .filter(([key]) => key && !SECRET_KEYS.has(key) && !(settings.method === "client_secret" && key === "client_assertion_type"));
  const clientId = properties.find(([key]) => key === "client_id")?.[1] ?? "";
  const base = () => new URLSearchParams(properties.map(([k, v]) => [k, v]));
  const headers = (extra: Record<string, string> = {}) => ({
    "Content-Type": "application/x-www-form-urlencoded",
    Accept: "application/json",
    "User-Agent": "mcf-console",
    // Microsoft echoes this id as the correlation id, which ties a support case to this request.
    "client-request-id": crypto.randomUUID(),
    ...extra,
  });

  if (settings.method === "client_secret") {
    const secret = settings.clientSecret?.trim();
    if (!secret)
      return config(
        "Client secret missing",
        "No client secret is set.",
        "Enter the client secret's Value (Certificates & secrets > Client secrets).",
      );
    if (settings.clientAuthentication === "client_secret_basic") {
      if (!clientId)
        return config(
          "Client ID missing",
          "The Basic header needs the client_id, and none is set.",
          "Add the client_id row with the Application (client) ID.",
        );
      return {
        ok: true,
        prepared: {
          url,
          resolvedUrl,
          clientId,
          // client_id stays in the body as well (Microsoft lists it as required); it is the same value, and
          // the secret travels only in the header.
          build: async () => ({
            ok: true,
            body: base().toString(),
            headers: headers({ Authorization: basicAuthorization(clientId, secret) }),
          }),
        },
      };
    }
    return {
      ok: true,
      prepared: {
        url,
        resolvedUrl,
        clientId,
        build: async () => {
          const body = base();
          body.set("client_secret", secret);
          return { ok: true, body: body.toString(), headers: headers() };
        },
      },
    };
  }

  const withAssertion = (assertion: string) => {
    const body = base();
    body.set("client_assertion_type", CLIENT_ASSERTION_TYPE);
    body.set("client_assertion", assertion);
    return { ok: true as const, body: body.toString(), headers: headers() };
  };

  if (settings.method === "client_assertion") {
    const assertion = settings.clientAssertion?.trim();
    if (!assertion)
      return config(
        "Client assertion missing",
        "No client assertion is set.",
        "Paste the signed client assertion (a JWT), or choose Client certificate.",
      );
    return { ok: true, prepared: { url, resolvedUrl, clientId, build: async () => withAssertion(assertion) } };
  }

  const certificate = settings.certificate;
  if (!certificate?.certificatePem.trim() || !certificate.privateKeyPem.trim()) {
    return config(
      "Certificate missing",
      "Client certificate needs both the certificate and its private key.",
      "Paste the certificate (PEM) and its private key.",
    );
  }
  let thumbprints: CertificateThumbprints | undefined;
  return {
    ok: true,
    prepared: {
      url,
      resolvedUrl,
      clientId,
      thumbprints: () => thumbprints,
      build: async () => {
        // A fresh assertion per attempt (retry included): new jti, nbf/iat = now. See client-assertion.ts.
        const built = await buildClientAssertion({
          clientId,
          audience: resolvedUrl,
          certificatePem: certificate.certificatePem,
          privateKeyPem: certificate.privateKeyPem,
          passphrase: certificate.passphrase || undefined,
          algorithm: settings.assertion?.algorithm ?? "PS256",
          lifetimeSeconds: settings.assertion?.lifetimeSeconds ?? 300,
          now: options.now,
        });
        if (!built.ok)
          return {
            ok: false,
            failure: config("Cannot sign the client assertion", `${built.message}.`, certificateFix(built.code)).failure,
          };
        thumbprints = built.thumbprints;
        return withAssertion(built.assertion);
      },
    },
  };
}

function certificateFix(code: string): string {
  switch (code) {
    case "passphrase_required":
    case "passphrase_wrong":
      return "Enter the passphrase the private key was exported with, or paste an unencrypted PKCS#8 key.";
    case "key_mismatch":
      return "Paste the private key generated together with this certificate (the pair uploaded to Entra).";
    case "lifetime_out_of_range":
      return "Set the assertion lifetime between 60 and 600 seconds (300 is a good default).";
    case "client_id_missing":
      return "Add the client_id row with the Application (client) ID.";
    default:
      return "Paste the certificate and its RSA private key (2048 bits or more) in PEM form.";
  }
}

const looksLikeHtml = (contentType: string, body: string) =>
  /html/i.test(contentType) || /^\s*<(!doctype|html|head|body)/i.test(body);

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

type Attempt =
  { ok: true; success: Omit<TokenSuccess, "attempts" | "ms" | "summary"> } | { ok: false; failure: Failure; retryable: boolean };

function interpret(
  post: PostResult,
  settings: TokenRequestSettings,
  prepared: Prepared,
  startedAt: Date,
  timeoutMs: number,
): Attempt {
  const url = prepared.url;
  const host = url.hostname;
  if (!post.ok) {
    const text = describeNetworkFailure(post.failure, {
      host,
      port: url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80,
      timeoutMs,
    });
    return { ok: false, retryable: false, failure: { ...text } };
  }
  const { status, contentType, body } = post;
  const json = parseJson(body);
  const html = looksLikeHtml(contentType, body);

  if (status >= 200 && status < 300) {
    const parsed = tokenSuccessSchema.safeParse(json);
    if (!parsed.success) {
      return {
        ok: false,
        retryable: false,
        failure:
          json === undefined
            ? {
                kind: "invalid_response",
                httpStatus: status,
                title: "The answer is not a token",
                cause: `${host} answered HTTP ${status} with ${html ? "an HTML page" : "something that is not JSON"} instead of a token: the token URL probably points to a web page, or a proxy's sign-in page is in the way.`,
                fix: "Use the token endpoint itself, e.g. https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token.",
              }
            : {
                kind: "invalid_response",
                httpStatus: status,
                title: "Token response incomplete",
                cause: `${host} answered HTTP ${status} with JSON that lacks ${missingFields(json)}.`,
                fix: "Check that the token URL points to Microsoft's v2.0 token endpoint (…/oauth2/v2.0/token).",
              },
      };
    }
    const data = parsed.data;
    if (data.token_type.toLowerCase() !== "bearer") {
      return {
        ok: false,
        retryable: false,
        failure: {
          kind: "invalid_response",
          httpStatus: status,
          title: "Not a bearer token",
          cause: `${host} issued a token of type "${data.token_type.slice(0, 40)}"; IMAP and POP3 XOAUTH2 need a Bearer token.`,
          fix: "Check that the token URL points to Microsoft's v2.0 token endpoint.",
        },
      };
    }
    return {
      ok: true,
      success: {
        ok: true,
        accessToken: data.access_token,
        tokenType: data.token_type,
        expiresIn: data.expires_in,
        ...(data.ext_expires_in !== undefined ? { extExpiresIn: data.ext_expires_in } : {}),
        expiresAt: new Date(startedAt.getTime() + data.expires_in * 1000),
        claims: decodeAccessToken(data.access_token) ?? null,
      },
    };
  }

  const explanation = explainTokenError(json);
  if (explanation) {
    const retryable = status >= 500 || explanation.error === "temporarily_unavailable";
    return { ok: false, retryable, failure: fromExplanation(explanation, status, settings, prepared) };
  }
  return { ok: false, retryable: status >= 500, failure: unexpectedStatus(status, html, host, url.pathname, body) };
}

function missingFields(json: unknown): string {
  const object = typeof json === "object" && json !== null ? (json as Record<string, unknown>) : {};
  const missing = ["access_token", "token_type", "expires_in"].filter((k) => object[k] === undefined || object[k] === "");
  return missing.length ? missing.join(", ") : "a valid access_token, token_type or expires_in";
}

function fromExplanation(e: TokenErrorExplanation, status: number, settings: TokenRequestSettings, prepared: Prepared): Failure {
  let { cause, fix } = e;
  const codes = e.aadstsCodes;
  const secret = settings.clientSecret?.trim();
  if (codes.includes(7000215) && secret && isGuid(secret)) {
    cause = "Entra rejected the client secret, and the value entered is a GUID: that is the secret's ID, not its Value.";
    fix =
      'Open Entra admin center > App registrations > your app > Certificates & secrets > Client secrets, and copy the Value column (not "Secret ID"). The Value is shown only right after creation: if it is gone, click "New client secret" and copy its Value.';
  }
  if (codes.includes(700024) && settings.method === "client_assertion" && settings.clientAssertion) {
    const expiry = pastedAssertionExpiry(settings.clientAssertion);
    if (expiry && expiry.getTime() <= Date.now()) {
      cause = `The pasted client assertion expired at ${expiry.toISOString()}.`;
      fix =
        "Generate a new assertion and paste it, or switch to Client certificate so the console signs a fresh assertion for every request.";
    }
  }
  if (codes.includes(700027) && settings.method === "client_certificate") {
    const t = prepared.thumbprints?.();
    if (t)
      cause = `${cause} The console signed with the certificate whose thumbprint is ${t.sha1Hex} (SHA-1) / ${t.sha256Hex} (SHA-256).`;
  }
  if (codes.includes(50013) && settings.method === "client_assertion") {
    fix =
      "A pasted assertion can be refused once it has been used: generate a new one, or switch to Client certificate so the console signs a fresh assertion for every request.";
  }
  const temporary = status >= 500 || e.error === "temporarily_unavailable";
  return {
    kind: "http",
    httpStatus: status,
    title: codes[0] !== undefined ? `${e.title} (AADSTS${codes[0]})` : e.title,
    error: e.error,
    aadstsCodes: codes,
    ...(e.description ? { description: e.description } : {}),
    ...(e.traceId ? { traceId: e.traceId } : {}),
    ...(e.correlationId ? { correlationId: e.correlationId } : {}),
    ...(e.timestamp ? { timestamp: e.timestamp } : {}),
    ...(e.errorUri ? { errorUri: e.errorUri } : {}),
    ...(codes[0] !== undefined ? { lookupUrl: lookupUrl(codes[0]) } : {}),
    cause: temporary ? `${cause} It failed again when retried.` : cause,
    fix,
  };
}

function unexpectedStatus(status: number, html: boolean, host: string, path: string, body: string): Failure {
  const what = html ? "an HTML page" : body.trim() ? "a non-OAuth answer" : "an empty answer";
  if (status >= 500) {
    return {
      kind: "http",
      httpStatus: status,
      title: `Token endpoint server error (HTTP ${status})`,
      cause: `${host} answered HTTP ${status} with ${what} instead of a token, also when retried.`,
      fix: "The problem is on the server side: try again in a few minutes and check Microsoft 365 service health. If a proxy sits in between, its logs may show the cause.",
    };
  }
  if (status === 404) {
    return {
      kind: "http",
      httpStatus: status,
      title: "Token endpoint not found (HTTP 404)",
      cause: `${host} has no token endpoint at ${path} (HTTP 404).`,
      fix: "Use https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token; check the path for typos.",
    };
  }
  if (status >= 300 && status < 400) {
    return {
      kind: "http",
      httpStatus: status,
      title: `Redirected (HTTP ${status})`,
      cause: `${host} answered with a redirect instead of a token: the URL is not the token endpoint, or a proxy's sign-in page is in the way.`,
      fix: "Use the exact token endpoint URL, e.g. https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token.",
    };
  }
  return {
    kind: "http",
    httpStatus: status,
    title: `Unexpected answer (HTTP ${status})`,
    cause: `${host} answered HTTP ${status} with ${what}, not an OAuth error: the URL may not be a token endpoint, or a proxy answered instead.`,
    fix: "Check the token URL (…/oauth2/v2.0/token) and any proxy between this server and the internet.",
  };
}

/** Replaces every exact secret string left anywhere in a failure (last line of defence). */
function scrub<T>(value: T, secrets: string[]): T {
  const active = secrets.filter((s) => s.length >= 4);
  if (active.length === 0) return value;
  const clean = (text: string) => active.reduce((acc, s) => acc.split(s).join(REDACTION_MASK), text);
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return clean(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object" && !(v instanceof Date))
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

function summaryOf(
  host: string,
  success: Omit<TokenSuccess, "attempts" | "ms" | "summary">,
  ms: number,
  attempts: number,
): string {
  const minutes = Math.round(success.expiresIn / 60);
  const retried = attempts > 1 ? " after one retry" : "";
  return `Token received from ${host} in ${ms} ms${retried}: ${success.tokenType} token valid for ${minutes} min (until ${success.expiresAt.toISOString()}).`;
}

export async function requestToken(settings: TokenRequestSettings, options: TokenRequestOptions = {}): Promise<TokenResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const secrets = [
    settings.clientSecret?.trim() ?? "",
    settings.clientAssertion?.trim() ?? "",
    settings.certificate?.privateKeyPem ?? "",
    settings.certificate?.passphrase ?? "",
  ];
  let attempts = 0;
  const failed = (failure: Failure): TokenFailure =>
    scrub({ ok: false, aadstsCodes: [], ...failure, attempts, ms: elapsed() } as TokenFailure, [...secrets]);

  try {
    const prep = prepare(settings, options);
    if (!prep.ok) return failed(prep.failure);
    const prepared = prep.prepared;
    const timeoutMs = settings.timeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS;
    const ca = trustedCertificates(settings.trustedCaPem, settings.extraCaPem);

    const cancelled = (): TokenFailure =>
      failed({
        kind: "cancelled",
        title: "Cancelled",
        cause: "The token request was cancelled before the token endpoint answered.",
        fix: "Run the test again.",
      });
    let failure: Failure | undefined;
    // At most two attempts: the second only after a 5xx or temporarily_unavailable, never for invalid_client & co.
    while (attempts < 2) {
      if (attempts > 0) await sleep(options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS, options.signal);
      if (options.signal?.aborted) return cancelled();
      const request = await prepared.build();
      if (!request.ok) return failed(request.failure);
      attempts++;
      const startedAt = options.now ?? new Date();
      const post = await postForm({
        url: prepared.url,
        body: request.body,
        headers: request.headers,
        ca,
        timeoutMs,
        signal: options.signal,
      });
      const attempt = interpret(post, settings, prepared, startedAt, timeoutMs);
      logAttempt(prepared.url, post, attempt, attempts, [...secrets, ...(attempt.ok ? [attempt.success.accessToken] : [])]);
      if (attempt.ok) {
        const ms = elapsed();
        return { ...attempt.success, summary: summaryOf(prepared.url.hostname, attempt.success, ms, attempts), attempts, ms };
      }
      failure = attempt.failure;
      if (!attempt.retryable) break;
    }
    return failure ? failed(failure) : cancelled();
  } catch (error) {
    // Unexpected: logged without its message (which could quote input), shown as a generic failure.
    log.error("token request failed unexpectedly", { name: error instanceof Error ? error.name : typeof error });
    return failed({
      kind: "config",
      title: "Token request could not be made",
      cause: "An unexpected error stopped the token request before it completed.",
      fix: "Check the profile's OAuth settings; if this repeats, send the server log (which contains no secrets) to support.",
    });
  }
}

function logAttempt(url: URL, post: PostResult, attempt: Attempt, number: number, secrets: string[]) {
  const fields: Record<string, unknown> = { host: url.hostname, path: url.pathname, attempt: number };
  if (post.ok) {
    fields.status = post.status;
    // Success bodies hold the token: never logged. Error bodies are logged redacted, for support.
    if (!attempt.ok) fields.body = scrub(redactText(post.body.slice(0, 4000)), secrets);
  } else fields.failure = post.failure.code;
  if (attempt.ok) log.debug("token request succeeded", fields);
  else log.info("token request failed", { ...fields, kind: attempt.failure.kind, codes: attempt.failure.aadstsCodes });
}

/**
 * requestToken with a client secret (Method 1) against the token-endpoint stand-in: both client
 * authentication styles, every server-side refusal a secret profile can meet, the retry rule, and the
 * token sanity check on what comes back. No failure result or log line may contain the secret.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { newProfileInput } from "@/lib/profiles/defaults";
import { checkAccessTokenClaims } from "@/lib/oauth/claims";
import { lintOAuthProfile } from "@/lib/oauth/lint";
import { requestToken, type TokenFailure, type TokenRequestSettings, type TokenResult } from "@/lib/oauth/token-request";
import { CLIENT, TENANT, startTokenFixture, type TokenFixture } from "@/tests/support/mail-fixture";
import type { TokenEndpoint } from "@/tests/servers/token-endpoint";

const NO_ROLES = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d";
const POP_ONLY = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a";
const ODD = "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d";
const SECRET = "Xy78Q~integration-secret-0123456789abcdef";
const ODD_SECRET = "a b:c~+/%&=é";
const SECRET_ID = "0b3c1a2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let fixture: TokenFixture;
let endpoint: TokenEndpoint;
const issuedTokens: string[] = [];
// Log everything (the shared setup silences logs) so the leak check below has lines to search.
vi.hoisted(() => {
  process.env.MCF_LOG_LEVEL = "debug";
});
const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);

beforeAll(async () => {
  fixture = await startTokenFixture({
    tenants: [{ id: TENANT, domains: ["contoso.onmicrosoft.com"] }],
    apps: [
      { clientId: CLIENT, secrets: [SECRET] },
      { clientId: NO_ROLES, secrets: [SECRET], roles: [] },
      { clientId: POP_ONLY, secrets: [SECRET], roles: ["POP.AccessAsApp"] },
      { clientId: ODD, secrets: [ODD_SECRET], roles: ["IMAP.AccessAsApp"] },
    ],
  });
  endpoint = fixture.tokens;
});

afterAll(async () => {
  await fixture?.stop();
  // Nothing this file logged may carry a secret or a token.
  const logged = stderr.mock.calls.map((c) => String(c[0])).join("\n");
  stderr.mockRestore();
  expect(logged.length, "the server-side log was captured").toBeGreaterThan(0);
  for (const s of [SECRET, ODD_SECRET, SECRET_ID, ...issuedTokens]) expect(logged).not.toContain(s);
});

function settings(overrides: Partial<TokenRequestSettings> = {}, properties: Record<string, string> = {}): TokenRequestSettings {
  return {
    tokenUrl: `${endpoint.url}/TENANT_ID/oauth2/v2.0/token`,
    tenantId: TENANT,
    method: "client_secret",
    clientAuthentication: "client_secret_post",
    requestProperties: {
      grant_type: "client_credentials",
      client_id: CLIENT,
      scope: "https://outlook.office365.com/.default",
      ...properties,
    },
    clientSecret: SECRET,
    trustedCaPem: endpoint.caPem,
    timeoutMs: 5000,
    ...overrides,
  };
}

async function token(s: TokenRequestSettings) {
  const result = await requestToken(s, { retryDelayMs: 10 });
  if (result.ok) issuedTokens.push(result.accessToken);
  return result;
}

function expectFailure(result: TokenResult, secrets: string[] = [SECRET]): TokenFailure {
  expect(result.ok).toBe(false);
  const text = JSON.stringify(result);
  for (const s of secrets) expect(text).not.toContain(s);
  return result as TokenFailure;
}

describe("client secret: success", () => {
  it("client_secret_post: a Bearer token for Exchange with the IMAP role, and a one-line summary", async () => {
    const started = Date.now();
    const result = await token(settings());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result).toMatchObject({ tokenType: "Bearer", expiresIn: 3599, extExpiresIn: 3599, attempts: 1 });
    expect(Math.abs(result.expiresAt.getTime() - (started + 3599_000))).toBeLessThan(5000);
    expect(result.claims).toMatchObject({
      aud: "https://outlook.office.com",
      tid: TENANT,
      appid: CLIENT,
      roles: ["IMAP.AccessAsApp", "POP.AccessAsApp"],
    });
    expect(result.summary).toMatch(
      /^Token received from 127\.0\.0\.1 in \d+ ms: Bearer token valid for 60 min \(until \d{4}-\d\d-\d\dT[\d:.]+Z\)\.$/,
    );
    expect(result.summary).not.toContain(result.accessToken);
    expect(checkAccessTokenClaims(result.accessToken, { protocol: "imap", tenantId: TENANT }).findings).toEqual([]);
    const logged = endpoint.requests.at(-1)!;
    expect(logged).toMatchObject({ clientAuth: "client_secret_post", status: 200, clientId: CLIENT });
    expect(logged.fields).toEqual(["grant_type", "client_id", "scope", "client_secret"]);
  });

  it("client_secret_basic: the secret travels only in the Authorization header, form-encoded (RFC 6749 §2.3.1)", async () => {
    const result = await token(settings({ clientAuthentication: "client_secret_basic" }));
    expect(result.ok).toBe(true);
    const logged = endpoint.requests.at(-1)!;
    expect(logged.clientAuth).toBe("client_secret_basic");
    expect(logged.fields).not.toContain("client_secret");
    const odd = await token(
      settings({ clientAuthentication: "client_secret_basic", clientSecret: ODD_SECRET }, { client_id: ODD }),
    );
    expect(odd.ok).toBe(true);
  });

  it("accepts a verified domain as tenant", async () => {
    expect((await token(settings({ tenantId: "contoso.onmicrosoft.com" }))).ok).toBe(true);
  });
});

describe("client secret: refusals from the token endpoint", () => {
  it("unknown tenant → AADSTS90002 with the ids, timestamp and lookup link", async () => {
    const f = expectFailure(await token(settings({ tenantId: "fabrikam.onmicrosoft.com" })));
    expect(f).toMatchObject({
      kind: "http",
      httpStatus: 400,
      error: "invalid_request",
      aadstsCodes: [90002],
      title: "Tenant not found (AADSTS90002)",
      lookupUrl: "https://login.microsoftonline.com/error?code=90002",
      errorUri: "https://login.microsoftonline.com/error?code=90002",
      attempts: 1,
    });
    expect(f.traceId).toMatch(GUID);
    expect(f.correlationId).toMatch(GUID);
    expect(f.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(f.description).toMatch(/^AADSTS90002: Tenant 'fabrikam.onmicrosoft.com' not found/);
    expect(f.description).not.toContain("Trace ID");
    expect(f.cause).toBe(
      "Entra does not know the tenant in the token URL: a wrong tenant ID or domain, or the right tenant on another cloud's sign-in host.",
    );
    expect(f.fix).toMatch(/^Copy the Directory \(tenant\) ID from Entra admin center > Overview/);
  });

  it("unknown client → AADSTS700016", async () => {
    const f = expectFailure(await token(settings({}, { client_id: "11111111-2222-4333-8444-555555555555" })));
    expect(f).toMatchObject({
      kind: "http",
      httpStatus: 400,
      error: "unauthorized_client",
      aadstsCodes: [700016],
      title: "Application not found in this tenant (AADSTS700016)",
    });
    expect(f.fix).toContain("App registrations > your app > Overview");
  });

  it("wrong secret → AADSTS7000215 (401), not retried", async () => {
    const wrong = "Zz99Q~this-is-not-the-right-secret-value";
    const before = endpoint.requests.length;
    const f = expectFailure(await token(settings({ clientSecret: wrong })), [wrong]);
    expect(endpoint.requests.length - before).toBe(1);
    expect(f).toMatchObject({
      kind: "http",
      httpStatus: 401,
      error: "invalid_client",
      aadstsCodes: [7000215],
      title: "Wrong client secret (AADSTS7000215)",
      attempts: 1,
    });
    expect(f.cause).toBe("Entra rejected the client secret. Most often the secret's ID was copied instead of its Value.");
  });

  it("secret ID pasted instead of the Value → AADSTS7000215 with the specific explanation, and the lint rule warns first", async () => {
    const f = expectFailure(await token(settings({ clientSecret: SECRET_ID })), [SECRET_ID]);
    expect(f.aadstsCodes).toEqual([7000215]);
    expect(f.cause).toBe(
      "Entra rejected the client secret, and the value entered is a GUID: that is the secret's ID, not its Value.",
    );
    expect(f.fix).toContain('copy the Value column (not "Secret ID")');
    const input = newProfileInput();
    input.authentication.tenantId = TENANT;
    input.authentication.requestProperties = input.authentication.requestProperties.map((r) =>
      r.key === "client_id" ? { ...r, value: CLIENT } : r,
    );
    expect(lintOAuthProfile(input, { clientSecret: SECRET_ID }).map((x) => x.code)).toEqual(["secret_looks_like_id"]);
  });

  it("scope without /.default → AADSTS1002012, which the lint rule also catches", async () => {
    const f = expectFailure(await token(settings({}, { scope: "https://outlook.office365.com/IMAP.AccessAsApp" })));
    expect(f).toMatchObject({
      error: "invalid_scope",
      aadstsCodes: [1002012],
      title: "Scope must end with /.default (AADSTS1002012)",
    });
    expect(f.fix).toContain("https://outlook.office365.com/.default");
    const g = expectFailure(await token(settings({}, { scope: "https://outlook.office365.com" })));
    expect(g.aadstsCodes).toEqual([1002012]);
  });

  it("resource parameter → AADSTS901002; common tenant → AADSTS9001023", async () => {
    expect(expectFailure(await token(settings({}, { resource: "https://outlook.office365.com" })))).toMatchObject({
      aadstsCodes: [901002],
      title: "'resource' is not supported (AADSTS901002)",
    });
    const f = expectFailure(await token(settings({ tenantId: "common" })));
    expect(f).toMatchObject({ aadstsCodes: [9001023], title: "A specific tenant is required (AADSTS9001023)" });
    expect(f.fix).toContain("Directory (tenant) ID");
  });
});

describe("client secret: tokens Exchange would refuse", () => {
  it("Graph scope: a token is issued, and the claims check says wrong scope", async () => {
    const result = await token(settings({}, { scope: "https://graph.microsoft.com/.default" }));
    if (!result.ok) throw new Error(result.cause);
    const check = checkAccessTokenClaims(result.accessToken, { protocol: "imap", tenantId: TENANT });
    expect(check.findings.map((f) => f.code)).toEqual(["aud_graph"]);
    expect(check.findings[0]!.message).toContain("Wrong scope");
  });

  it("app without consented permission: no roles → admin consent / application permission missing", async () => {
    const result = await token(settings({}, { client_id: NO_ROLES }));
    if (!result.ok) throw new Error(result.cause);
    const check = checkAccessTokenClaims(result.accessToken, { protocol: "imap", tenantId: TENANT });
    expect(check.findings).toMatchObject([{ level: "error", code: "roles_missing" }]);
    expect(check.findings[0]!.message).toMatch(/^Admin consent \/ application permission missing/);
    const pop = await token(settings({}, { client_id: POP_ONLY }));
    if (!pop.ok) throw new Error(pop.cause);
    expect(checkAccessTokenClaims(pop.accessToken, { protocol: "imap" }).findings.map((f) => f.code)).toEqual(["role_missing"]);
    expect(checkAccessTokenClaims(pop.accessToken, { protocol: "pop3" }).findings).toEqual([]);
  });
});

describe("client secret: retry rule", () => {
  it("retries once after temporarily_unavailable and succeeds", async () => {
    endpoint.setFault({ temporarilyUnavailable: 1 });
    const result = await token(settings());
    endpoint.setFault(null);
    expect(result).toMatchObject({ ok: true, attempts: 2 });
    if (result.ok) expect(result.summary).toContain("after one retry");
  });

  it("gives up after the second temporarily_unavailable", async () => {
    endpoint.setFault({ temporarilyUnavailable: 2 });
    const f = expectFailure(await token(settings()));
    endpoint.setFault(null);
    expect(f).toMatchObject({ kind: "http", httpStatus: 503, error: "temporarily_unavailable", attempts: 2 });
    expect(f.cause).toMatch(/It failed again when retried\.$/);
  });
});

/**
 * requestToken with a certificate (Method 2: the console signs a fresh assertion) and with a pasted
 * assertion, against the token-endpoint stand-in: PS256 and RS256 success, and every assertion rule
 * Entra enforces. No failure result may contain the assertion, the key or a token.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { buildClientAssertion } from "@/lib/oauth/client-assertion";
import { checkPastedAssertion } from "@/lib/oauth/pasted-assertion";
import { lintOAuthProfile } from "@/lib/oauth/lint";
import { newProfileInput } from "@/lib/profiles/defaults";
import { requestPropertiesFor } from "@/lib/profiles/oauth-defaults";
import { requestToken, type TokenFailure, type TokenRequestSettings, type TokenResult } from "@/lib/oauth/token-request";
import { createTestCa, type IssuedCertificate } from "@/tests/support/test-ca";
import { CLIENT, TENANT, startTokenFixture, type TokenFixture } from "@/tests/support/mail-fixture";
import { signTestAssertion, type TokenEndpoint } from "@/tests/servers/token-endpoint";

let fixture: TokenFixture;
let endpoint: TokenEndpoint;
let cert: IssuedCertificate;
let legacy: IssuedCertificate;
let stranger: IssuedCertificate;
// Log everything (the shared setup silences logs) so the leak check below has lines to search.
vi.hoisted(() => {
  process.env.MCF_LOG_LEVEL = "debug";
});
const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
const sensitive: string[] = [];

beforeAll(async () => {
  const ca = await createTestCa();
  [cert, legacy, stranger] = await Promise.all([
    ca.issue({ hosts: ["mail-connector"] }),
    ca.issue({ hosts: ["legacy-connector"] }),
    ca.issue({ hosts: ["stranger"] }),
  ]);
  fixture = await startTokenFixture({
    ca,
    apps: [{ clientId: CLIENT, certificatesPem: [cert.certPem, legacy.certPem], roles: ["IMAP.AccessAsApp"] }],
  });
  endpoint = fixture.tokens;
  sensitive.push(...[cert, legacy, stranger].map((c) => c.keyPem.split("\n")[1]!));
});

afterAll(async () => {
  await fixture?.stop();
  const logged = stderr.mock.calls.map((c) => String(c[0])).join("\n");
  stderr.mockRestore();
  expect(logged.length, "the server-side log was captured").toBeGreaterThan(0);
  for (const s of sensitive) expect(logged).not.toContain(s);
});

const tokenUrl = () => endpoint.tokenUrl(TENANT);

function certificateSettings(overrides: Partial<TokenRequestSettings> = {}): TokenRequestSettings {
  return {
    tokenUrl: `${endpoint.url}/{tenant}/oauth2/v2.0/token`,
    tenantId: TENANT,
    method: "client_certificate",
    clientAuthentication: "client_secret_post",
    requestProperties: {
      grant_type: "client_credentials",
      client_id: CLIENT,
      scope: "https://outlook.office365.com/.default",
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    },
    certificate: { certificatePem: cert.certPem, privateKeyPem: cert.keyPem },
    assertion: { algorithm: "PS256", lifetimeSeconds: 300 },
    trustedCaPem: endpoint.caPem,
    timeoutMs: 5000,
    ...overrides,
  };
}

const pastedSettings = (assertion: string): TokenRequestSettings => ({
  ...certificateSettings(),
  method: "client_assertion",
  certificate: undefined,
  clientAssertion: assertion,
});

async function run(settings: TokenRequestSettings): Promise<TokenResult> {
  const result = await requestToken(settings, { retryDelayMs: 10 });
  if (result.ok) sensitive.push(result.accessToken);
  if (settings.clientAssertion) sensitive.push(settings.clientAssertion);
  return result;
}

function expectFailure(result: TokenResult, extra: string[] = []): TokenFailure {
  expect(result.ok).toBe(false);
  const text = JSON.stringify(result);
  for (const s of [...sensitive, ...extra]) expect(text).not.toContain(s);
  expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
  return result as TokenFailure;
}

const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  aud: tokenUrl(),
  iss: CLIENT,
  sub: CLIENT,
  jti: crypto.randomUUID(),
  nbf: now(),
  iat: now(),
  exp: now() + 300,
  ...extra,
});

describe("client certificate: success", () => {
  it("PS256 + x5t#S256 (current Microsoft format)", async () => {
    const result = await run(certificateSettings());
    expect(result).toMatchObject({ ok: true, tokenType: "Bearer", claims: { appidacr: "2", roles: ["IMAP.AccessAsApp"] } });
    expect(endpoint.requests.at(-1)).toMatchObject({
      clientAuth: "client_assertion",
      assertionAlg: "PS256",
      assertionThumbprint: "x5t#S256",
      status: 200,
    });
  });

  it("RS256 + x5t (legacy pair), with an encrypted PKCS#8 key", async () => {
    const encrypted = crypto
      .createPrivateKey(legacy.keyPem)
      .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw-123456" })
      .toString();
    const result = await run(
      certificateSettings({
        certificate: { certificatePem: legacy.certPem, privateKeyPem: encrypted, passphrase: "pw-123456" },
        assertion: { algorithm: "RS256", lifetimeSeconds: 120 },
      }),
    );
    expect(result.ok).toBe(true);
    expect(endpoint.requests.at(-1)).toMatchObject({ assertionAlg: "RS256", assertionThumbprint: "x5t", status: 200 });
  });

  it("signs a fresh assertion per request: the stand-in refuses replays, yet back-to-back requests succeed", async () => {
    const results = await Promise.all([run(certificateSettings()), run(certificateSettings()), run(certificateSettings())]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
  });

  it("signs a new assertion for the retry after temporarily_unavailable", async () => {
    endpoint.setFault({ temporarilyUnavailable: 1 });
    const result = await run(certificateSettings());
    endpoint.setFault(null);
    expect(result).toMatchObject({ ok: true, attempts: 2 });
  });
});

describe("client certificate and pasted assertion: refusals", () => {
  it("certificate not uploaded to the app (unknown thumbprint) → AADSTS700027, naming the thumbprint the console used", async () => {
    const f = expectFailure(
      await run(certificateSettings({ certificate: { certificatePem: stranger.certPem, privateKeyPem: stranger.keyPem } })),
    );
    expect(f).toMatchObject({
      kind: "http",
      httpStatus: 401,
      error: "invalid_client",
      aadstsCodes: [700027],
      title: "Certificate not accepted (AADSTS700027)",
      attempts: 1,
    });
    const x509 = new crypto.X509Certificate(stranger.certPem);
    expect(f.cause).toContain(
      `thumbprint is ${x509.fingerprint.replace(/:/g, "")} (SHA-1) / ${x509.fingerprint256.replace(/:/g, "")} (SHA-256)`,
    );
    expect(f.fix).toContain("Certificates & secrets > Certificates");
  });

  it("assertion signed by another key than the registered certificate's → AADSTS700027", async () => {
    const forged = await signTestAssertion({ privateKeyPem: stranger.keyPem, certificatePem: cert.certPem, claims: claims() });
    const f = expectFailure(await run(pastedSettings(forged)));
    expect(f.aadstsCodes).toEqual([700027]);
    expect(f.description).toContain("invalid signature");
  });

  it("wrong aud → AADSTS700023, which checkPastedAssertion predicts", async () => {
    const wrongAud = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`;
    const built = await buildClientAssertion({
      clientId: CLIENT,
      audience: wrongAud,
      certificatePem: cert.certPem,
      privateKeyPem: cert.keyPem,
    });
    if (!built.ok) throw new Error(built.message);
    // (A 5-minute assertion also draws the "expires soon" warning meant for pasted ones.)
    expect(
      checkPastedAssertion(built.assertion, { tokenUrl: tokenUrl(), clientId: CLIENT })
        .filter((x) => x.level === "error")
        .map((x) => x.code),
    ).toEqual(["aud_mismatch"]);
    const f = expectFailure(await run(pastedSettings(built.assertion)));
    expect(f).toMatchObject({ aadstsCodes: [700023], title: "Assertion audience does not match (AADSTS700023)" });
  });

  it("expired pasted assertion → AADSTS700024 with its expiry time; lint says so before the request", async () => {
    const built = await buildClientAssertion({
      clientId: CLIENT,
      audience: tokenUrl(),
      certificatePem: cert.certPem,
      privateKeyPem: cert.keyPem,
      now: new Date(Date.now() - 2 * 3600_000),
    });
    if (!built.ok) throw new Error(built.message);
    const f = expectFailure(await run(pastedSettings(built.assertion)));
    expect(f).toMatchObject({
      kind: "http",
      httpStatus: 401,
      aadstsCodes: [700024],
      title: "Assertion outside its valid time (AADSTS700024)",
    });
    expect(f.cause).toBe(`The pasted client assertion expired at ${new Date(built.claims.exp * 1000).toISOString()}.`);
    expect(f.fix).toBe(
      "Generate a new assertion and paste it, or switch to Client certificate so the console signs a fresh assertion for every request.",
    );

    const input = newProfileInput();
    input.authentication.tokenUrl = `${endpoint.url}/TENANT_ID/oauth2/v2.0/token`;
    input.authentication.tenantId = TENANT;
    input.authentication.method = "client_assertion";
    input.authentication.requestProperties = requestPropertiesFor("client_assertion").map((r) =>
      r.key === "client_id" ? { ...r, value: CLIENT } : r.key === "client_assertion" ? { ...r, value: built.assertion } : r,
    );
    expect(lintOAuthProfile(input).map((x) => x.code)).toEqual(["assertion_expired"]);
  });

  it("sub ≠ iss → AADSTS50048", async () => {
    const assertion = await signTestAssertion({
      privateKeyPem: cert.keyPem,
      certificatePem: cert.certPem,
      claims: claims({ sub: "someone-else" }),
    });
    const f = expectFailure(await run(pastedSettings(assertion)));
    expect(f).toMatchObject({ aadstsCodes: [50048], title: "Assertion subject does not match issuer (AADSTS50048)" });
    expect(f.fix).toBe("Create the assertion with iss and sub both set to the Application (client) ID.");
  });

  it("reused jti: a pasted assertion works once, then is refused (AADSTS50013) with advice to use Client certificate", async () => {
    const assertion = await signTestAssertion({ privateKeyPem: cert.keyPem, certificatePem: cert.certPem, claims: claims() });
    expect((await run(pastedSettings(assertion))).ok).toBe(true);
    const f = expectFailure(await run(pastedSettings(assertion)));
    expect(f).toMatchObject({
      kind: "http",
      httpStatus: 401,
      error: "invalid_client",
      aadstsCodes: [50013],
      title: "Assertion refused (AADSTS50013)",
    });
    expect(f.fix).toContain("switch to Client certificate");
  });

  it("a header without thumbprint → AADSTS50027", async () => {
    const assertion = await signTestAssertion({ privateKeyPem: cert.keyPem, claims: claims() });
    expect(expectFailure(await run(pastedSettings(assertion))).aadstsCodes).toEqual([50027]);
  });

  it("a key that does not match the certificate is caught before any request", async () => {
    const before = endpoint.requests.length;
    const f = expectFailure(
      await run(certificateSettings({ certificate: { certificatePem: cert.certPem, privateKeyPem: stranger.keyPem } })),
    );
    expect(f).toMatchObject({ kind: "config", title: "Cannot sign the client assertion", attempts: 0 });
    expect(f.cause).toBe("The private key does not belong to this certificate: paste the key that was generated with it.");
    expect(endpoint.requests.length).toBe(before);
  });
});

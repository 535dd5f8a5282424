/**
 * The stand-in itself: it must refuse what Entra refuses, with Microsoft-shaped errors, and issue
 * verifiable tokens otherwise. Driven with raw HTTPS requests, independent of lib/oauth.
 */
import crypto from "node:crypto";
import https from "node:https";
import tls from "node:tls";
import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCa, type IssuedCertificate, type TestCa } from "@/tests/support/test-ca";
import { CLIENT_ASSERTION_TYPE, signTestAssertion, startTokenEndpoint, type TokenEndpoint } from "./token-endpoint";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OTHER_TENANT = "0f0e0d0c-0b0a-4909-8807-060504030201";
const CLIENT = "6731de76-14a6-49ae-97bc-6eba6914391e";
const NO_ROLES_CLIENT = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d";
const SECRET = "Xy78Q~stand-in-secret-value-0123456789";
const SCOPE = "https://outlook.office365.com/.default";

let ca: TestCa;
let endpoint: TokenEndpoint;
let cert: IssuedCertificate;
let stranger: IssuedCertificate;

beforeAll(async () => {
  ca = await createTestCa();
  [cert, stranger] = await Promise.all([ca.issue({ hosts: ["mail-connector"] }), ca.issue({ hosts: ["stranger"] })]);
  endpoint = await startTokenEndpoint({
    ca,
    tenants: [{ id: TENANT, domains: ["contoso.onmicrosoft.com"] }, OTHER_TENANT],
    apps: [
      {
        clientId: CLIENT,
        tenantId: TENANT,
        secrets: [SECRET],
        certificatesPem: [cert.certPem],
        roles: ["IMAP.AccessAsApp", "POP.AccessAsApp"],
      },
      { clientId: NO_ROLES_CLIENT, tenantId: TENANT, secrets: [SECRET], certificatesPem: [], roles: [] },
    ],
  });
});
afterAll(() => endpoint?.stop());

interface Answer {
  status: number;
  contentType: string;
  text: string;
  json: Record<string, unknown>;
}

function call(
  path: string,
  body: string | Record<string, string> = "",
  headers: Record<string, string> = {},
  method = "POST",
  timeoutMs = 5000,
  on: TokenEndpoint = endpoint,
): Promise<Answer> {
  const text = typeof body === "string" ? body : new URLSearchParams(body).toString();
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${on.url}${path}`,
      { method, ca: on.caPem, headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers }, timeout: timeoutMs },
      (res) => {
        let data = "";
        res.on("data", (c) => (data += c));
        res.on("end", () => {
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(data);
          } catch {}
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers["content-type"]), text: data, json });
        });
      },
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "TEST_TIMEOUT" })));
    req.on("error", reject);
    req.end(method === "GET" ? undefined : text);
  });
}

const tokenPath = (tenant = TENANT) => `/${tenant}/oauth2/v2.0/token`;
const secretForm = (extra: Record<string, string> = {}) => ({
  grant_type: "client_credentials",
  client_id: CLIENT,
  scope: SCOPE,
  client_secret: SECRET,
  ...extra,
});
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  aud: endpoint.tokenUrl(TENANT),
  iss: CLIENT,
  sub: CLIENT,
  jti: crypto.randomUUID(),
  nbf: now(),
  iat: now(),
  exp: now() + 300,
  ...extra,
});
const assertionForm = (assertion: string) => ({
  grant_type: "client_credentials",
  client_id: CLIENT,
  scope: SCOPE,
  client_assertion_type: CLIENT_ASSERTION_TYPE,
  client_assertion: assertion,
});

async function expectError(answer: Answer, status: number, error: string, code: number) {
  expect({ status: answer.status, error: answer.json.error, codes: answer.json.error_codes }).toEqual({
    status,
    error,
    codes: [code],
  });
}

describe("token endpoint stand-in: Microsoft error shape", () => {
  it("answers errors like Entra: description with AADSTS, trace, correlation, timestamp, plus the separate fields", async () => {
    const correlation = crypto.randomUUID();
    const answer = await call(tokenPath("ffffffff-ffff-4fff-bfff-ffffffffffff"), secretForm(), {
      "client-request-id": correlation,
    });
    expect(answer.contentType).toMatch(/^application\/json/);
    const body = answer.json as Record<string, string> & { error_codes: number[] };
    expect(Object.keys(body).sort()).toEqual([
      "correlation_id",
      "error",
      "error_codes",
      "error_description",
      "error_uri",
      "timestamp",
      "trace_id",
    ]);
    expect(body.error_description).toMatch(
      /^AADSTS90002: Tenant 'ffffffff-ffff-4fff-bfff-ffffffffffff' not found\..*\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/s,
    );
    expect(body.correlation_id).toBe(correlation);
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(body.error_uri).toBe("https://login.microsoftonline.com/error?code=90002");
    expect(body.error_description).toContain(`Trace ID: ${body.trace_id}`);
  });
});

describe("token endpoint stand-in: request rules", () => {
  it("refuses a GET (900561), unknown tenants (90002), tenant-less authorities (9001023) and malformed tenants (900023)", async () => {
    await expectError(await call(tokenPath(), "", {}, "GET"), 400, "invalid_request", 900561);
    await expectError(await call(tokenPath("fabrikam.onmicrosoft.com"), secretForm()), 400, "invalid_request", 90002);
    for (const t of ["common", "organizations", "consumers"])
      await expectError(await call(tokenPath(t), secretForm()), 400, "invalid_request", 9001023);
    await expectError(await call(tokenPath("undefined"), secretForm()), 400, "invalid_request", 900023);
  });

  it("accepts the tenant's verified domain in place of its GUID", async () => {
    const answer = await call(tokenPath("contoso.onmicrosoft.com"), secretForm());
    expect(answer.status).toBe(200);
    expect(decodeJwt(String(answer.json.access_token)).tid).toBe(TENANT);
  });

  it("requires grant_type, client_id and scope (900144), client_credentials only (70003), no resource (901002)", async () => {
    const { grant_type: _g, ...noGrant } = secretForm();
    await expectError(await call(tokenPath(), noGrant), 400, "invalid_request", 900144);
    const { scope: _s, ...noScope } = secretForm();
    const answer = await call(tokenPath(), noScope);
    await expectError(answer, 400, "invalid_request", 900144);
    expect(answer.json.error_description).toContain("'scope'");
    const { client_id: _c, ...noClient } = secretForm();
    await expectError(await call(tokenPath(), noClient), 400, "invalid_request", 900144);
    await expectError(await call(tokenPath(), secretForm({ grant_type: "password" })), 400, "unsupported_grant_type", 70003);
    await expectError(
      await call(tokenPath(), secretForm({ resource: "https://outlook.office365.com" })),
      400,
      "invalid_request",
      901002,
    );
    await expectError(await call(tokenPath(), `${new URLSearchParams(secretForm())}&scope=x`), 400, "invalid_request", 9002313);
  });

  it("refuses an unknown client (700016), including a known client in another tenant", async () => {
    await expectError(
      await call(tokenPath(), secretForm({ client_id: "11111111-2222-4333-8444-555555555555" })),
      400,
      "unauthorized_client",
      700016,
    );
    await expectError(await call(tokenPath(OTHER_TENANT), secretForm()), 400, "unauthorized_client", 700016);
  });

  it("refuses a wrong secret (7000215, 401) and a request without credential (7000218, 401)", async () => {
    const wrong = await call(tokenPath(), secretForm({ client_secret: "0b3c1a2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" }));
    await expectError(wrong, 401, "invalid_client", 7000215);
    expect(wrong.json.error_description).toContain("not the client secret ID");
    const { client_secret: _x, ...none } = secretForm();
    await expectError(await call(tokenPath(), none), 401, "invalid_client", 7000218);
  });

  it("supports the RFC 6749 Basic header, with form-encoded parts", async () => {
    const { client_secret: _x, client_id: _y, ...form } = secretForm();
    const basic = (id: string, secret: string) => ({
      Authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret).replace(/~/g, "%7E")}`).toString("base64")}`,
    });
    expect((await call(tokenPath(), form, basic(CLIENT, SECRET))).status).toBe(200);
    expect((await call(tokenPath(), { ...form, client_id: CLIENT }, basic(CLIENT, SECRET))).status).toBe(200);
    await expectError(await call(tokenPath(), form, basic(CLIENT, "nope")), 401, "invalid_client", 7000215);
    await expectError(
      await call(tokenPath(), { ...form, client_id: NO_ROLES_CLIENT }, basic(CLIENT, SECRET)),
      400,
      "invalid_request",
      9002313,
    );
    await expectError(
      await call(tokenPath(), { ...form, client_secret: SECRET }, basic(CLIENT, SECRET)),
      400,
      "invalid_request",
      9002313,
    );
    expect(endpoint.requests.some((r) => r.clientAuth === "client_secret_basic" && r.status === 200)).toBe(true);
  });

  it("requires <resource>/.default (1002012), one resource (70011), and a known resource (500011)", async () => {
    await expectError(
      await call(tokenPath(), secretForm({ scope: "https://outlook.office365.com/IMAP.AccessAsApp" })),
      400,
      "invalid_scope",
      1002012,
    );
    await expectError(
      await call(tokenPath(), secretForm({ scope: `${SCOPE} https://graph.microsoft.com/.default` })),
      400,
      "invalid_scope",
      70011,
    );
    await expectError(
      await call(tokenPath(), secretForm({ scope: "https://outlook.office356.com/.default" })),
      400,
      "invalid_resource",
      500011,
    );
  });
});

describe("token endpoint stand-in: client assertions", () => {
  it("accepts PS256 + x5t#S256 and RS256 + x5t", async () => {
    for (const alg of ["PS256", "RS256"] as const) {
      const assertion = await signTestAssertion({
        privateKeyPem: cert.keyPem,
        certificatePem: cert.certPem,
        alg,
        claims: claims(),
      });
      const answer = await call(tokenPath(), assertionForm(assertion));
      expect(answer.status, JSON.stringify(answer.json)).toBe(200);
      expect(decodeJwt(String(answer.json.access_token)).appidacr).toBe("2");
    }
  });

  it("refuses a malformed JWT or a header without thumbprint (50027)", async () => {
    await expectError(await call(tokenPath(), assertionForm("not-a-jwt")), 400, "invalid_request", 50027);
    const noThumb = await signTestAssertion({ privateKeyPem: cert.keyPem, claims: claims() });
    const answer = await call(tokenPath(), assertionForm(noThumb));
    await expectError(answer, 400, "invalid_request", 50027);
    expect(answer.json.error_description).toContain("No certificate thumbprint specified in token header");
    const shortThumb = await signTestAssertion({ privateKeyPem: cert.keyPem, header: { "x5t#S256": "abc" }, claims: claims() });
    await expectError(await call(tokenPath(), assertionForm(shortThumb)), 400, "invalid_request", 50027);
  });

  it("refuses an unknown thumbprint and a signature by another key (700027), naming the thumbprint", async () => {
    const unknown = await signTestAssertion({
      privateKeyPem: stranger.keyPem,
      certificatePem: stranger.certPem,
      claims: claims(),
    });
    const a = await call(tokenPath(), assertionForm(unknown));
    await expectError(a, 401, "invalid_client", 700027);
    const hex = new crypto.X509Certificate(stranger.certPem).fingerprint256.replace(/:/g, "");
    expect(a.json.error_description).toContain(`Thumbprint of key used by client: '${hex}'`);
    const forged = await signTestAssertion({ privateKeyPem: stranger.keyPem, certificatePem: cert.certPem, claims: claims() });
    const b = await call(tokenPath(), assertionForm(forged));
    await expectError(b, 401, "invalid_client", 700027);
    expect(b.json.error_description).toContain("invalid signature");
  });

  it("checks aud (700023), time window (700024), sub = iss (50048), iss = client_id (700021)", async () => {
    const sign = (extra: Record<string, unknown>) =>
      signTestAssertion({ privateKeyPem: cert.keyPem, certificatePem: cert.certPem, claims: claims(extra) });
    await expectError(
      await call(
        tokenPath(),
        assertionForm(await sign({ aud: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token` })),
      ),
      401,
      "invalid_client",
      700023,
    );
    const expired = await call(tokenPath(), assertionForm(await sign({ nbf: now() - 7200, exp: now() - 3600 })));
    await expectError(expired, 401, "invalid_client", 700024);
    expect(expired.json.error_description).toContain("Client assertion is not within its valid time range");
    await expectError(
      await call(tokenPath(), assertionForm(await sign({ nbf: now() + 3600, exp: now() + 3900 }))),
      401,
      "invalid_client",
      700024,
    );
    await expectError(await call(tokenPath(), assertionForm(await sign({ nbf: undefined }))), 401, "invalid_client", 700024);
    await expectError(await call(tokenPath(), assertionForm(await sign({ sub: "someone" }))), 401, "invalid_client", 50048);
    await expectError(
      await call(tokenPath(), assertionForm(await sign({ iss: NO_ROLES_CLIENT, sub: NO_ROLES_CLIENT }))),
      401,
      "invalid_client",
      700021,
    );
    // Within the skew allowance (300 s) a slightly early nbf is fine.
    expect((await call(tokenPath(), assertionForm(await sign({ nbf: now() + 60 })))).status).toBe(200);
  });

  it("refuses a replayed jti (AADSTS50013, the stand-in's documented choice)", async () => {
    const assertion = await signTestAssertion({ privateKeyPem: cert.keyPem, certificatePem: cert.certPem, claims: claims() });
    expect((await call(tokenPath(), assertionForm(assertion))).status).toBe(200);
    const again = await call(tokenPath(), assertionForm(assertion));
    await expectError(again, 401, "invalid_client", 50013);
    expect(again.json.error_description).toContain("already used");
  });

  it("requires the jwt-bearer assertion type and one credential only", async () => {
    const assertion = await signTestAssertion({ privateKeyPem: cert.keyPem, certificatePem: cert.certPem, claims: claims() });
    const { client_assertion_type: _t, ...noType } = assertionForm(assertion);
    await expectError(await call(tokenPath(), noType), 400, "invalid_request", 900144);
    await expectError(
      await call(tokenPath(), { ...assertionForm(assertion), client_secret: SECRET }),
      400,
      "invalid_request",
      9002313,
    );
  });
});

describe("token endpoint stand-in: tokens", () => {
  it("issues an RS256 token verifiable with the published JWKS, with Exchange aud, tid, appid, roles and 3599 s", async () => {
    const answer = await call(tokenPath(), secretForm());
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      token_type: "Bearer",
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: expect.any(String),
    });
    const keys = await call(`/${TENANT}/discovery/v2.0/keys`, "", {}, "GET");
    expect(keys.json.keys).toMatchObject([{ kty: "RSA", kid: endpoint.kid, use: "sig" }]);
    const { payload, protectedHeader } = await jwtVerify(
      String(answer.json.access_token),
      createLocalJWKSet(keys.json as never),
      {
        issuer: endpoint.issuer(TENANT),
        audience: endpoint.audience,
      },
    );
    expect(protectedHeader).toMatchObject({ alg: "RS256", typ: "JWT", kid: endpoint.kid });
    expect(payload).toMatchObject({
      aud: "https://outlook.office.com",
      iss: `https://sts.windows.net/${TENANT}/`,
      tid: TENANT,
      appid: CLIENT,
      roles: ["IMAP.AccessAsApp", "POP.AccessAsApp"],
    });
    expect(payload.exp! - payload.iat!).toBe(3599);
    expect(payload.nbf).toBe(payload.iat);
  });

  it("leaves roles out for an app without consented permissions, and issues Graph-audience tokens for a Graph scope", async () => {
    const noRoles = await call(tokenPath(), secretForm({ client_id: NO_ROLES_CLIENT }));
    expect(decodeJwt(String(noRoles.json.access_token)).roles).toBeUndefined();
    const graph = await call(tokenPath(), secretForm({ scope: "https://graph.microsoft.com/.default" }));
    expect(decodeJwt(String(graph.json.access_token)).aud).toBe("https://graph.microsoft.com");
  });

  it("answers 404 with HTML off the known paths", async () => {
    const answer = await call(`/${TENANT}/oauth2/token`, secretForm());
    expect(answer.status).toBe(404);
    expect(answer.contentType).toMatch(/text\/html/);
  });

  it("logs requests without secret values", () => {
    const log = JSON.stringify(endpoint.requests);
    expect(endpoint.requests.length).toBeGreaterThan(10);
    expect(log).not.toContain(SECRET);
    expect(log).not.toContain("eyJ");
    expect(endpoint.requests.find((r) => r.clientAuth === "client_assertion" && r.status === 200)).toMatchObject({
      assertionAlg: expect.any(String),
      fields: expect.arrayContaining(["client_assertion"]),
    });
  });
});

describe("token endpoint stand-in: faults", () => {
  it("respond500Html, temporarilyUnavailable and delayMs", async () => {
    endpoint.setFault({ respond500Html: 1 });
    const html = await call(tokenPath(), secretForm());
    expect([html.status, html.contentType]).toEqual([500, "text/html; charset=utf-8"]);
    expect((await call(tokenPath(), secretForm())).status).toBe(200);
    endpoint.setFault({ temporarilyUnavailable: 1 });
    await expectError(await call(tokenPath(), secretForm()), 503, "temporarily_unavailable", 90033);
    endpoint.setFault({ delayMs: 300 });
    const started = Date.now();
    expect((await call(tokenPath(), secretForm())).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    endpoint.setFault(null);
  });

  it("hang accepts the request and never answers", async () => {
    endpoint.setFault({ hang: true });
    await expect(call(tokenPath(), secretForm(), {}, "POST", 400)).rejects.toMatchObject({ code: "TEST_TIMEOUT" });
    endpoint.setFault(null);
  });

  it("hold keeps token requests unanswered until the fault is lifted, then answers them", async () => {
    endpoint.setFault({ hold: true });
    await expect(call(tokenPath(), secretForm(), {}, "POST", 400)).rejects.toMatchObject({ code: "TEST_TIMEOUT" });
    const arrived = endpoint.requests.length;
    const held = call(tokenPath(), secretForm());
    await expect.poll(() => endpoint.requests.length).toBe(arrived + 1);
    endpoint.setFault(null);
    expect((await held).status).toBe(200);
  });

  it("PUT /__stand-in/faults sets faults from another process, only when remoteFaults is on", async () => {
    const json = { "Content-Type": "application/json" };
    expect((await call("/__stand-in/faults", JSON.stringify({ hang: true }), json, "PUT")).status).toBe(404);
    expect((await call(tokenPath(), secretForm())).status).toBe(200);

    const remote = await startTokenEndpoint({
      ca,
      tenants: [TENANT],
      apps: [{ clientId: CLIENT, tenantId: TENANT, secrets: [SECRET], certificatesPem: [], roles: ["IMAP.AccessAsApp"] }],
      remoteFaults: true,
    });
    try {
      expect((await call("/__stand-in/faults", JSON.stringify({ hold: true }), json, "PUT", 5000, remote)).status).toBe(204);
      const held = call(tokenPath(), secretForm(), {}, "POST", 5000, remote);
      await expect.poll(() => remote.requests.length).toBe(1);
      expect((await call("/__stand-in/faults", "{}", json, "PUT", 5000, remote)).status).toBe(204);
      expect((await held).status).toBe(200);
    } finally {
      await remote.stop();
    }
  });

  it("closeImmediately drops the connection before TLS", async () => {
    endpoint.setFault({ closeImmediately: true });
    const port = Number(new URL(endpoint.url).port);
    const outcome = await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: "127.0.0.1", port, ca: endpoint.caPem }, () => resolve("connected"));
      socket.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
    });
    expect(outcome).toBe("ECONNRESET");
    endpoint.setFault(null);
    expect((await call(tokenPath(), secretForm())).status).toBe(200);
  });
});

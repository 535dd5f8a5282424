import { describe, expect, it } from "vitest";
import { basicAuthorization, formEncode, requestToken, type TokenRequestSettings } from "./token-request";

const base: TokenRequestSettings = {
  tokenUrl: "https://login.microsoftonline.com/TENANT_ID/oauth2/v2.0/token",
  tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  method: "client_secret",
  clientAuthentication: "client_secret_post",
  requestProperties: {
    grant_type: "client_credentials",
    client_id: "6731de76-14a6-49ae-97bc-6eba6914391e",
    scope: "https://outlook.office365.com/.default",
  },
  clientSecret: "Xy78Q~abcdefghijklmnopqrstuvwxyz0123456789",
};

describe("client_secret_basic encoding (RFC 6749 §2.3.1)", () => {
  it("matches the RFC's example", () => {
    expect(basicAuthorization("s6BhdRkqt3", "gX1fBat3bV")).toBe("Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW");
  });

  it("form-urlencodes id and secret before base64", () => {
    expect(formEncode("a b:c~+/%")).toBe("a+b%3Ac%7E%2B%2F%25");
    const header = basicAuthorization("id:1", "p@ss word~+");
    expect(Buffer.from(header.slice(6), "base64").toString()).toBe("id%3A1:p%40ss+word%7E%2B");
  });
});

describe("requestToken configuration failures (no network)", () => {
  it("needs a tenant for a TENANT_ID URL", async () => {
    const result = await requestToken({ ...base, tenantId: "" });
    expect(result).toMatchObject({ ok: false, kind: "config", title: "Tenant missing", attempts: 0, aadstsCodes: [] });
  });

  it("refuses a plain-http token URL to another machine", async () => {
    const result = await requestToken({ ...base, tokenUrl: "http://login.example.com/t/oauth2/v2.0/token" });
    expect(result).toMatchObject({
      ok: false,
      kind: "config",
      cause: "The token URL must use https:// (plain http is allowed only for localhost).",
    });
  });

  it("needs the credential of the chosen method", async () => {
    expect(await requestToken({ ...base, clientSecret: " " })).toMatchObject({
      ok: false,
      kind: "config",
      title: "Client secret missing",
    });
    expect(await requestToken({ ...base, method: "client_assertion" })).toMatchObject({
      ok: false,
      kind: "config",
      title: "Client assertion missing",
    });
    expect(await requestToken({ ...base, method: "client_certificate" })).toMatchObject({
      ok: false,
      kind: "config",
      title: "Certificate missing",
    });
    expect(
      await requestToken({
        ...base,
        clientAuthentication: "client_secret_basic",
        requestProperties: { grant_type: "client_credentials", scope: "x/.default" },
      }),
    ).toMatchObject({ ok: false, kind: "config", title: "Client ID missing" });
  });

  it("explains a certificate it cannot sign with, without echoing the key", async () => {
    const result = await requestToken({
      ...base,
      method: "client_certificate",
      certificate: {
        certificatePem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
        privateKeyPem: "-----BEGIN PRIVATE KEY-----\nQUJD\n-----END PRIVATE KEY-----",
      },
    });
    expect(result).toMatchObject({ ok: false, kind: "config", title: "Cannot sign the client assertion" });
    expect(JSON.stringify(result)).not.toContain("QUJD");
  });

  it("refuses link-local and cloud-metadata addresses before connecting", async () => {
    const result = await requestToken({ ...base, tokenUrl: "https://169.254.169.254/t/oauth2/v2.0/token" });
    expect(result).toMatchObject({ ok: false, kind: "config", title: "Address not allowed" });
  });

  it("returns cancelled when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await requestToken(
      { ...base, tokenUrl: "https://127.0.0.1:9/t/oauth2/v2.0/token" },
      { signal: controller.signal },
    );
    expect(result).toMatchObject({ ok: false, kind: "cancelled" });
  });
});

import { describe, expect, it } from "vitest";
import { newProfileInput } from "@/lib/profiles/defaults";
import { requestPropertiesFor, type OAuthMethod } from "@/lib/profiles/oauth-defaults";
import type { ProfileInput } from "@/lib/profiles/schema";
import { lintOAuthProfile } from "./lint";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e";
const TOKEN_URL = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`;

function profile(method: OAuthMethod = "client_secret", values: Record<string, string> = {}): ProfileInput {
  const input = newProfileInput();
  input.authentication.tenantId = TENANT;
  input.authentication.method = method;
  input.authentication.requestProperties = requestPropertiesFor(method).map((r) => ({
    ...r,
    value:
      values[r.key] ??
      (r.key === "client_id" ? CLIENT_ID : r.key === "client_secret" ? "Xy78Q~abcdefghijklmnopqrstuvwxyz0123456789" : r.value),
  }));
  return input;
}

const setRow = (input: ProfileInput, key: string, value: string) => {
  const rows = input.authentication.requestProperties;
  const index = rows.findIndex((r) => r.key === key);
  if (index === -1) rows.push({ key, value });
  else rows[index] = { key, value };
  return input;
};
const rowPath = (input: ProfileInput, key: string, part: "key" | "value" = "value") =>
  `authentication.requestProperties.${input.authentication.requestProperties.findIndex((r) => r.key === key)}.${part}`;
const codes = (input: ProfileInput, options = {}) => lintOAuthProfile(input, options).map((f) => f.code);

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("lintOAuthProfile", () => {
  it("finds nothing in the default Exchange Online profile", () => {
    expect(lintOAuthProfile(profile())).toEqual([]);
    expect(lintOAuthProfile(profile("client_certificate"))).toEqual([]);
  });

  it("flags a Graph scope for IMAP/POP", () => {
    for (const scope of ["https://graph.microsoft.com/.default", "https://graph.microsoft.com/Mail.Read", "Mail.Read"]) {
      const input = setRow(profile(), "scope", scope);
      expect(lintOAuthProfile(input)).toEqual([
        {
          level: "error",
          code: "scope_graph",
          path: rowPath(input, "scope"),
          message:
            'This is a Microsoft Graph scope. Graph issues a token, but IMAP then refuses it ("AUTHENTICATE failed"): use https://outlook.office365.com/.default (Exchange Online).',
        },
      ]);
    }
  });

  it("flags a scope without /.default", () => {
    const input = setRow(profile(), "scope", "https://outlook.office365.com");
    expect(lintOAuthProfile(input)).toMatchObject([{ level: "error", code: "scope_not_default", path: rowPath(input, "scope") }]);
    expect(codes(setRow(profile(), "scope", "offline_access"))).toEqual(["scope_not_default"]);
  });

  it("flags a permission name used as the scope", () => {
    for (const scope of [
      "https://outlook.office365.com/IMAP.AccessAsApp",
      "IMAP.AccessAsApp",
      "https://outlook.office.com/IMAP.AccessAsUser.All",
      "POP.AccessAsApp",
    ]) {
      const findings = lintOAuthProfile(setRow(profile(), "scope", scope));
      expect(findings.map((f) => f.code)).toEqual(["scope_permission_name"]);
      expect(findings[0]!.message).toContain("is a permission, not a scope");
    }
  });

  it("flags several scopes, a non-Exchange resource and a scope of another cloud", () => {
    expect(
      codes(setRow(profile(), "scope", "https://outlook.office365.com/.default https://outlook.office.com/.default")),
    ).toEqual(["scope_multiple"]);
    expect(lintOAuthProfile(setRow(profile(), "scope", "https://management.azure.com/.default"))).toMatchObject([
      { level: "warning", code: "scope_not_exchange" },
    ]);
    expect(codes(setRow(profile(), "scope", "https://outlook.office365.us/.default"))).toEqual(["scope_cloud_mismatch"]);
    expect(codes(setRow(profile(), "scope", "https://ps.outlook.com/.default"))).toEqual([]);
    expect(codes(setRow(profile(), "scope", "00000002-0000-0ff1-ce00-000000000000/.default"))).toEqual([]);
  });

  it("flags a resource parameter on its key", () => {
    const input = setRow(profile(), "resource", "https://outlook.office365.com");
    expect(lintOAuthProfile(input)).toMatchObject([
      { level: "error", code: "resource_parameter", path: rowPath(input, "resource", "key") },
    ]);
  });

  it("flags common/organizations/consumers in the Tenant field or in a literal URL", () => {
    for (const tenant of ["common", "organizations", "Consumers"]) {
      const input = profile();
      input.authentication.tenantId = tenant;
      expect(lintOAuthProfile(input)).toMatchObject([{ level: "error", code: "tenant_multi", path: "authentication.tenantId" }]);
    }
    const literal = profile();
    literal.authentication.tokenUrl = "https://login.microsoftonline.com/common/oauth2/v2.0/token";
    expect(lintOAuthProfile(literal)).toMatchObject([{ code: "tenant_multi", path: "authentication.tokenUrl" }]);
  });

  it("flags a tenant that is neither a GUID nor a domain; accepts a verified domain", () => {
    const input = profile();
    input.authentication.tenantId = "my tenant";
    expect(lintOAuthProfile(input)).toMatchObject([{ level: "error", code: "tenant_invalid", path: "authentication.tenantId" }]);
    input.authentication.tenantId = "contoso.onmicrosoft.com";
    expect(lintOAuthProfile(input)).toEqual([]);
    const literal = profile();
    literal.authentication.tokenUrl = "https://login.microsoftonline.com/undefined/oauth2/v2.0/token";
    expect(codes(literal)).toEqual(["tenant_invalid"]);
  });

  it("flags v1 and odd token URL paths on Microsoft hosts", () => {
    const input = profile();
    input.authentication.tokenUrl = `https://login.microsoftonline.com/${TENANT}/oauth2/token`;
    expect(codes(input)).toEqual(["token_url_v1"]);
    input.authentication.tokenUrl = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize`;
    expect(codes(input)).toEqual(["token_url_path"]);
  });

  it("flags a client_id that is not a GUID, and one that looks like a secret", () => {
    const input = profile("client_secret", { client_id: "my-app" });
    expect(lintOAuthProfile(input)).toMatchObject([
      { level: "error", code: "client_id_not_guid", path: rowPath(input, "client_id") },
    ]);
    expect(lintOAuthProfile(profile("client_secret", { client_id: "Xy78Q~abcdefghij" }))[0]!.message).toMatch(
      /looks like a client secret/,
    );
  });

  it("warns when the client secret looks like a GUID, typed or stored (options.clientSecret)", () => {
    const typed = profile("client_secret", { client_secret: "0b3c1a2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" });
    const findings = lintOAuthProfile(typed);
    expect(findings).toMatchObject([{ level: "warning", code: "secret_looks_like_id", path: rowPath(typed, "client_secret") }]);
    expect(findings[0]!.message).toContain("Secret ID");
    expect(JSON.stringify(findings)).not.toContain("0b3c1a2d-4e5f");
    const stored = profile("client_secret", { client_secret: "" });
    expect(codes(stored)).toEqual([]);
    expect(codes(stored, { clientSecret: "0b3c1a2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" })).toEqual(["secret_looks_like_id"]);
    expect(codes(stored, { clientSecret: "Xy78Q~real-value" })).toEqual([]);
  });

  it("warns about Basic authentication against Exchange Online only", () => {
    const input = profile();
    input.authentication.type = "basic";
    expect(lintOAuthProfile(input)).toMatchObject([
      { level: "warning", code: "basic_auth_exchange", path: "authentication.type" },
    ]);
    input.connection.mailServerUrl = "imap.example.com";
    expect(lintOAuthProfile(input)).toEqual([]);
  });

  it("warns when the token host and the mail host are from different clouds", () => {
    const input = profile();
    input.authentication.tokenUrl = "https://login.microsoftonline.us/TENANT_ID/oauth2/v2.0/token";
    input.authentication.requestProperties = setRow(
      input,
      "scope",
      "https://outlook.office365.us/.default",
    ).authentication.requestProperties;
    const findings = lintOAuthProfile(input);
    expect(findings).toMatchObject([{ level: "warning", code: "cloud_mismatch", path: "authentication.tokenUrl" }]);
    expect(findings[0]!.message).toContain("US Government GCC High / US Government DoD");
    input.connection.mailServerUrl = "outlook.office365.us";
    expect(lintOAuthProfile(input)).toEqual([]);
  });

  it("notes that the Basic header does not apply to certificate methods", () => {
    const input = profile("client_certificate");
    input.authentication.clientAuthentication = "client_secret_basic";
    expect(lintOAuthProfile(input)).toMatchObject([{ level: "info", code: "basic_header_unused" }]);
  });

  it("reports the pasted assertion's findings on its row", () => {
    const now = Math.floor(Date.now() / 1000);
    const assertion = `${part({ alg: "PS256", typ: "JWT" })}.${part({ aud: TOKEN_URL, iss: CLIENT_ID, sub: CLIENT_ID, jti: "x", nbf: now - 7200, exp: now - 3600 })}.c2ln`;
    const input = profile("client_assertion", { client_assertion: assertion });
    const findings = lintOAuthProfile(input);
    expect(findings.map((f) => f.code)).toEqual(["assertion_thumbprint_missing", "assertion_expired"]);
    expect(findings.every((f) => f.path === rowPath(input, "client_assertion"))).toBe(true);
    expect(findings[1]!.message).toMatch(/^The assertion expired at .*Z: generate a new one, or switch to Client certificate/);
    expect(codes(profile("client_assertion", { client_assertion: "" }))).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { newProfileInput } from "@/lib/profiles/defaults";
import { requestPropertiesFor } from "@/lib/profiles/oauth-defaults";
import { profileSchema, type ProfileInput } from "@/lib/profiles/schema";
import { fieldErrorsFrom } from "@/lib/profiles/validation-errors";

const CLIENT_ID = "11111111-1111-1111-1111-111111111111";

function validOAuth(): ProfileInput {
  const input = newProfileInput();
  input.name = "Contoso support";
  input.authentication.username = "support@contoso.com";
  input.authentication.tenantId = "00000000-0000-0000-0000-000000000000";
  input.authentication.requestProperties = requestPropertiesFor("client_secret").map((r) =>
    r.key === "client_id" ? { ...r, value: CLIENT_ID } : r.key === "client_secret" ? { ...r, value: "s3cr3t~value" } : r,
  );
  return input;
}

function errorsFor(input: ProfileInput) {
  const result = profileSchema.safeParse(input);
  return result.success ? {} : fieldErrorsFrom(result.error);
}

describe("profileSchema", () => {
  it("accepts a complete OAuth2 client-secret profile", () => {
    expect(errorsFor(validOAuth())).toEqual({});
  });

  it("accepts a Basic profile over plain text only with the insecure choice made explicitly", () => {
    const input = validOAuth();
    input.authentication.type = "basic";
    input.authentication.username = "alice";
    input.authentication.password = "pw";
    input.connection.security = "none";
    expect(errorsFor(input)).toEqual({});
    input.authentication.type = "oauth2";
    expect(errorsFor(input)["connection.security"]).toMatch(/only with Basic/);
  });

  it.each([
    ["0", /1 to 65535/],
    ["65536", /1 to 65535/],
    ["abc", /1 to 65535/],
    ["99.5", /1 to 65535/],
  ])("rejects port %s on the Port field", (port, message) => {
    const input = validOAuth();
    input.connection.port = port;
    expect(errorsFor(input)["connection.port"]).toMatch(message);
  });

  it("rejects CR, LF and NUL in one-line fields and 10,000-character values", () => {
    for (const bad of ["a\r\nb", "a\nb", "a\u0000b"]) {
      const input = validOAuth();
      input.name = bad;
      input.authentication.username = `x${bad}@contoso.com`;
      const errors = errorsFor(input);
      expect(errors.name).toMatch(/Line breaks and control characters/);
      expect(errors["authentication.username"]).toMatch(/Line breaks and control characters/);
    }
    const input = validOAuth();
    input.name = "n".repeat(10_000);
    input.connection.mailServerUrl = "h".repeat(10_000);
    input.description = "d".repeat(10_000);
    const errors = errorsFor(input);
    expect(errors.name).toMatch(/At most 100/);
    expect(errors["connection.mailServerUrl"]).toMatch(/At most 300/);
    expect(errors.description).toMatch(/At most 1,000/);
  });

  it("puts duplicate property keys and contradictions on the row", () => {
    const input = validOAuth();
    input.connection.additionalProperties = [
      { key: "mail.imap.ssl.enable", value: "false" },
      { key: "mail.imap.timeout", value: "5000" },
      { key: "mail.imap.timeout", value: "6000" },
      { key: "", value: "orphan" },
      { key: "has space", value: "x" },
    ];
    const errors = errorsFor(input);
    expect(errors["connection.additionalProperties.0.value"]).toMatch(/contradicts Security TLS/);
    expect(errors["connection.additionalProperties.2.key"]).toMatch(/Duplicate key.*row 2/);
    expect(errors["connection.additionalProperties.3.key"]).toMatch(/Enter a key/);
    expect(errors["connection.additionalProperties.4.key"]).toMatch(/no spaces/);
    expect(errors["connection.additionalProperties.1.value"]).toBeUndefined();
  });

  it("refuses 500 properties with a message on the table", () => {
    const input = validOAuth();
    input.connection.additionalProperties = Array.from({ length: 500 }, (_, i) => ({ key: `x.k${i}`, value: "v" }));
    expect(errorsFor(input)["connection.additionalProperties"]).toMatch(/At most 200/);
  });

  it("reports URL contradictions on the Mail server URL field", () => {
    const input = validOAuth();
    input.connection.mailServerUrl = "pop3s://outlook.office365.com";
    expect(errorsFor(input)["connection.mailServerUrl"]).toMatch(/POP3, but Protocol is IMAP/);
  });

  it("needs the mailbox as an email address and a tenant for TENANT_ID", () => {
    const input = validOAuth();
    input.authentication.username = "support";
    input.authentication.tenantId = "";
    const errors = errorsFor(input);
    expect(errors["authentication.username"]).toMatch(/email address/);
    expect(errors["authentication.tenantId"]).toMatch(/contains TENANT_ID/);
  });

  it("accepts a GUID or a domain as tenant, nothing else", () => {
    const input = validOAuth();
    input.authentication.tenantId = "contoso.onmicrosoft.com";
    expect(errorsFor(input)).toEqual({});
    input.authentication.tenantId = "https://login.microsoftonline.com/abc";
    expect(errorsFor(input)["authentication.tenantId"]).toMatch(/GUID/);
  });

  it("allows http token URLs only for localhost", () => {
    const input = validOAuth();
    input.authentication.tokenUrl = "http://login.example.com/t/oauth2/v2.0/token";
    expect(errorsFor(input)["authentication.tokenUrl"]).toMatch(/https/);
    input.authentication.tokenUrl = "http://127.0.0.1:8443/TENANT_ID/oauth2/v2.0/token";
    expect(errorsFor(input)).toEqual({});
  });

  it("requires the method's request properties, and a stored secret counts", () => {
    const input = validOAuth();
    input.authentication.requestProperties = input.authentication.requestProperties.map((r) =>
      r.key === "client_secret" ? { ...r, value: "" } : r,
    );
    const secretIndex = input.authentication.requestProperties.findIndex((r) => r.key === "client_secret");
    expect(errorsFor(input)[`authentication.requestProperties.${secretIndex}.value`]).toMatch(/Value \(not its Secret ID\)/);
    input.secrets.stored.client_secret = true;
    expect(errorsFor(input)).toEqual({});
    input.secrets.clear = ["client_secret"];
    expect(errorsFor(input)[`authentication.requestProperties.${secretIndex}.value`]).toBeDefined();
  });

  it("requires grant_type=client_credentials and a client_id row", () => {
    const input = validOAuth();
    input.authentication.requestProperties = input.authentication.requestProperties
      .filter((r) => r.key !== "client_id")
      .map((r) => (r.key === "grant_type" ? { ...r, value: "password" } : r));
    const errors = errorsFor(input);
    expect(errors["authentication.requestProperties"]).toMatch(/Add the client_id row/);
    expect(errors["authentication.requestProperties.0.value"]).toMatch(/client_credentials/);
  });

  it("checks the certificate method's fields", () => {
    const input = validOAuth();
    input.authentication.method = "client_certificate";
    input.authentication.requestProperties = requestPropertiesFor("client_certificate", input.authentication.requestProperties);
    input.authentication.assertion.lifetimeSeconds = "900";
    expect(errorsFor(input)["authentication.certificate.certificateId"]).toMatch(/Choose a certificate/);
    input.authentication.certificate.source = "pem";
    const errors = errorsFor(input);
    expect(errors["authentication.certificate.certificatePem"]).toMatch(/Paste the certificate/);
    expect(errors["authentication.certificate.privateKeyPem"]).toMatch(/private key/);
    expect(errors["authentication.assertion.lifetimeSeconds"]).toMatch(/60 to 600/);
    expect(Object.keys(errors).some((k) => k.startsWith("authentication.requestProperties"))).toBe(false);
  });

  it("rejects a stale client_secret row under Method 2", () => {
    const input = validOAuth();
    input.authentication.method = "client_assertion";
    input.authentication.requestProperties.push(
      { key: "client_assertion_type", value: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" },
      { key: "client_assertion", value: "eyJ.x.y" },
    );
    const index = input.authentication.requestProperties.findIndex((r) => r.key === "client_secret");
    expect(errorsFor(input)[`authentication.requestProperties.${index}.key`]).toMatch(/remove the client_secret row/);
  });
});

describe("requestPropertiesFor", () => {
  it("keeps what the admin typed and drops the other method's rows", () => {
    const rows = requestPropertiesFor("client_secret", [
      { key: "client_id", value: CLIENT_ID },
      { key: "client_secret", value: "secret" },
      { key: "extra", value: "1" },
    ]);
    const switched = requestPropertiesFor("client_assertion", rows);
    expect(switched.map((r) => r.key)).toEqual([
      "grant_type",
      "client_id",
      "scope",
      "client_assertion_type",
      "client_assertion",
      "extra",
    ]);
    expect(switched.find((r) => r.key === "client_id")?.value).toBe(CLIENT_ID);
    expect(switched.some((r) => r.value === "secret")).toBe(false);
  });
});

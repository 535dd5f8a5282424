import { describe, expect, it } from "vitest";
import { AADSTS_CODES, aadstsEntry, explainTokenError } from "./aadsts";

/** Every code of the table in docs/MICROSOFT.md#aadsts-codes. */
const REFERENCE_CODES = [
  7000215, 7000222, 7000218, 700016, 90002, 900023, 9001023, 50194, 70011, 1002012, 700022, 500011, 901002, 900144, 90014, 700027,
  700024, 700023, 50012, 50027, 50048, 7000112, 53003, 90038, 900432,
];

const body = {
  error: "invalid_client",
  error_description:
    "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '6731de76-14a6-49ae-97bc-6eba6914391e'.\r\nTrace ID: 0c4b3a2e-0000-4000-8000-000000000001\r\nCorrelation ID: 5a1b2c3d-0000-4000-8000-000000000002\r\nTimestamp: 2025-03-01 12:00:00Z",
  error_codes: [7000215],
  timestamp: "2025-03-01 12:00:00Z",
  trace_id: "0c4b3a2e-0000-4000-8000-000000000001",
  correlation_id: "5a1b2c3d-0000-4000-8000-000000000002",
  error_uri: "https://login.microsoftonline.com/error?code=7000215",
};

describe("AADSTS catalogue", () => {
  it("has plain words for every code of docs/MICROSOFT.md#aadsts-codes", () => {
    for (const code of REFERENCE_CODES) {
      const entry = aadstsEntry(code);
      expect(entry, `AADSTS${code}`).toBeDefined();
      expect(entry!.title.length).toBeGreaterThan(5);
      expect(entry!.cause.length).toBeGreaterThan(20);
      expect(entry!.fix.length).toBeGreaterThan(20);
    }
    expect(AADSTS_CODES).toEqual(expect.arrayContaining(REFERENCE_CODES));
  });

  it("tells the admin where to click for a wrong secret", () => {
    expect(aadstsEntry(7000215)!.fix).toContain("Certificates & secrets > Client secrets");
    expect(aadstsEntry(7000215)!.fix).toContain('not "Secret ID"');
  });
});

describe("explainTokenError", () => {
  it("merges error class, codes, ids, timestamp, message and lookup link", () => {
    expect(explainTokenError(body)).toEqual({
      error: "invalid_client",
      aadstsCodes: [7000215],
      title: "Wrong client secret",
      cause: aadstsEntry(7000215)!.cause,
      fix: aadstsEntry(7000215)!.fix,
      description: body.error_description.split("\r\n")[0],
      traceId: body.trace_id,
      correlationId: body.correlation_id,
      timestamp: body.timestamp,
      errorUri: body.error_uri,
      lookupUrl: "https://login.microsoftonline.com/error?code=7000215",
    });
  });

  it("reads codes from the description when error_codes is absent", () => {
    const e = explainTokenError({
      error: "invalid_scope",
      error_description: "AADSTS1002012: The provided value for scope x is not valid.",
    });
    expect(e).toMatchObject({
      aadstsCodes: [1002012],
      title: "Scope must end with /.default",
      lookupUrl: "https://login.microsoftonline.com/error?code=1002012",
    });
  });

  it("falls back to the OAuth error class for unknown codes", () => {
    const e = explainTokenError({ error: "invalid_client", error_codes: [123456] });
    expect(e).toMatchObject({
      aadstsCodes: [123456],
      title: "Client authentication failed",
      lookupUrl: "https://login.microsoftonline.com/error?code=123456",
    });
    expect(explainTokenError({ error: "something_new" })).toMatchObject({ title: "Token request refused", aadstsCodes: [] });
    expect(explainTokenError({ error: "temporarily_unavailable" })!.title).toBe("Sign-in service temporarily unavailable");
  });

  it("redacts secrets a server might echo in its description", () => {
    const e = explainTokenError({
      error: "invalid_request",
      error_description:
        "AADSTS900144: bad body client_secret=abc~SECRET&scope=x with eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
    });
    expect(e!.description).not.toContain("abc~SECRET");
    expect(e!.description).not.toContain("eyJhbGciOiJSUzI1NiJ9");
  });

  it("returns undefined for anything that is not an OAuth error body", () => {
    for (const value of [undefined, null, "text", 42, {}, { error: 1 }, { access_token: "x" }])
      expect(explainTokenError(value)).toBeUndefined();
  });

  it("ignores an error_uri that is not https", () => {
    expect(explainTokenError({ ...body, error_uri: "javascript:alert(1)" })!.errorUri).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { checkPastedAssertion, pastedAssertionExpiry } from "./pasted-assertion";

const CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e";
const TOKEN_URL = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token";
const NOW = new Date("2025-03-01T12:00:00Z");
const NOW_S = NOW.getTime() / 1000;

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
/** Decoding never verifies, so a fixed fake signature is enough. */
const jwt = (header: object, claims: object) => `${part(header)}.${part(claims)}.c2lnbmF0dXJl`;

const goodHeader = { alg: "PS256", typ: "JWT", "x5t#S256": "q3ZqMxWlNf-7sVeX0l4Q2Ez4T5yPc8bN1k9mUaJrD0s" };
const goodClaims = {
  aud: TOKEN_URL,
  iss: CLIENT_ID,
  sub: CLIENT_ID,
  jti: "c0ffee00-0000-4000-8000-000000000001",
  nbf: NOW_S - 10,
  iat: NOW_S - 10,
  exp: NOW_S + 3600,
};
const check = (header: object, claims: object) =>
  checkPastedAssertion(jwt(header, claims), { tokenUrl: TOKEN_URL, clientId: CLIENT_ID, now: NOW });
const codes = (header: object, claims: object) => check(header, claims).map((f) => f.code);

describe("checkPastedAssertion", () => {
  it("finds nothing wrong with a well-formed assertion, PS256 or RS256", () => {
    expect(check(goodHeader, goodClaims)).toEqual([]);
    expect(check({ alg: "RS256", typ: "JWT", x5t: "hOBcHZi846VCHSJbFAs26Go9VTQ" }, goodClaims)).toEqual([]);
  });

  it("says when the text is not a signed JWT", () => {
    for (const text of ["", "hello", "a.b", "a.b.c.d.e", `${part(goodHeader)}.not-json.sig`]) {
      expect(checkPastedAssertion(text, { tokenUrl: TOKEN_URL, clientId: CLIENT_ID, now: NOW }).map((f) => f.code)).toEqual([
        "not_jwt",
      ]);
    }
  });

  it("requires RS256 or PS256 and a thumbprint header", () => {
    expect(codes({ ...goodHeader, alg: "HS256" }, goodClaims)).toEqual(["alg_unsupported"]);
    expect(codes({ alg: "PS256", typ: "JWT" }, goodClaims)).toEqual(["thumbprint_missing"]);
    expect(codes({ alg: "PS256", typ: "JWT", kid: "abc" }, goodClaims)).toEqual(["thumbprint_missing"]);
  });

  it("reports an expired assertion with its expiry time and the way out", () => {
    const findings = check(goodHeader, { ...goodClaims, exp: NOW_S - 60 });
    expect(findings).toEqual([
      {
        level: "error",
        code: "expired",
        message:
          "The assertion expired at 2025-03-01T11:59:00.000Z: generate a new one, or switch to Client certificate so the console signs a fresh assertion for every request",
      },
    ]);
  });

  it("warns when it expires within ten minutes", () => {
    expect(check(goodHeader, { ...goodClaims, exp: NOW_S + 120 })).toMatchObject([{ level: "warning", code: "expires_soon" }]);
  });

  it("checks nbf: missing, in the future, and times in milliseconds", () => {
    const { nbf: _nbf, ...withoutNbf } = goodClaims;
    expect(codes(goodHeader, withoutNbf)).toEqual(["nbf_missing"]);
    expect(codes(goodHeader, { ...goodClaims, nbf: NOW_S + 600 })).toEqual(["not_yet_valid"]);
    expect(codes(goodHeader, { ...goodClaims, nbf: (NOW_S - 10) * 1000, exp: (NOW_S + 300) * 1000 })).toEqual([
      "times_in_milliseconds",
    ]);
    const { exp: _exp, ...withoutExp } = goodClaims;
    expect(codes(goodHeader, withoutExp)).toEqual(["exp_missing"]);
  });

  it("requires aud to be exactly the token URL", () => {
    const findings = check(goodHeader, {
      ...goodClaims,
      aud: "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0/token",
    });
    expect(findings.map((f) => f.code)).toEqual(["aud_mismatch"]);
    expect(findings[0]!.message).toContain(`must be exactly the token URL ${TOKEN_URL}`);
    expect(codes(goodHeader, { ...goodClaims, aud: [TOKEN_URL, "x"] })).toEqual([]);
  });

  it("requires iss = sub = client_id, and warns without jti", () => {
    expect(codes(goodHeader, { ...goodClaims, sub: "someone-else" })).toEqual(["sub_mismatch"]);
    expect(
      codes(goodHeader, {
        ...goodClaims,
        iss: "11111111-1111-1111-1111-111111111111",
        sub: "11111111-1111-1111-1111-111111111111",
      }),
    ).toEqual(["iss_mismatch"]);
    const { jti: _jti, ...withoutJti } = goodClaims;
    expect(check(goodHeader, withoutJti)).toMatchObject([{ level: "warning", code: "jti_missing" }]);
  });

  it("never repeats the assertion in a message", () => {
    const text = jwt({ alg: "none" }, { aud: "x", exp: NOW_S - 5, nbf: NOW_S + 5 });
    const all = JSON.stringify(checkPastedAssertion(text, { tokenUrl: TOKEN_URL, clientId: CLIENT_ID, now: NOW }));
    for (const piece of text.split(".")) expect(all).not.toContain(piece);
  });

  it("pastedAssertionExpiry reads exp", () => {
    expect(pastedAssertionExpiry(jwt(goodHeader, goodClaims))?.toISOString()).toBe("2025-03-01T13:00:00.000Z");
    expect(pastedAssertionExpiry("nope")).toBeUndefined();
  });
});

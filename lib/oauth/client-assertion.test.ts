import crypto from "node:crypto";
import { compactVerify, decodeJwt, decodeProtectedHeader } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createTestCa, type IssuedCertificate } from "@/tests/support/test-ca";
import { buildClientAssertion, certificateThumbprints, x5tFromHexThumbprint } from "./client-assertion";

const CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e";
const AUDIENCE = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token";
const NOW = new Date("2025-03-01T12:00:00Z");
const NOW_S = NOW.getTime() / 1000;

let cert: IssuedCertificate;
let other: IssuedCertificate;

beforeAll(async () => {
  const ca = await createTestCa();
  cert = await ca.issue({ hosts: ["mail-connector"] });
  other = await ca.issue({ hosts: ["other-connector"] });
});

const base = () => ({
  clientId: CLIENT_ID,
  audience: AUDIENCE,
  certificatePem: cert.certPem,
  privateKeyPem: cert.keyPem,
  now: NOW,
});

describe("x5t thumbprints", () => {
  it("reproduces Microsoft's worked example (hex SHA-1 thumbprint → x5t)", () => {
    expect(x5tFromHexThumbprint("84E05C1D98BCE3A5421D225B140B36E86A3D5534")).toBe("hOBcHZi846VCHSJbFAs26Go9VTQ");
    // The portal and openssl print it differently; the value is the same.
    expect(x5tFromHexThumbprint("84:e0:5c:1d:98:bc:e3:a5:42:1d:22:5b:14:0b:36:e8:6a:3d:55:34")).toBe(
      "hOBcHZi846VCHSJbFAs26Go9VTQ",
    );
  });

  it("hashes the DER certificate, agreeing with Node's fingerprints", () => {
    const x509 = new crypto.X509Certificate(cert.certPem);
    const t = certificateThumbprints(x509);
    expect(t.sha1Hex).toBe(x509.fingerprint.replace(/:/g, ""));
    expect(t.sha256Hex).toBe(x509.fingerprint256.replace(/:/g, ""));
    expect(t.x5t).toBe(x5tFromHexThumbprint(t.sha1Hex));
    expect(t.x5tS256).toBe(Buffer.from(t.sha256Hex, "hex").toString("base64url"));
    expect(t.x5tS256).not.toMatch(/[=+/]/);
  });
});

describe("buildClientAssertion", () => {
  it("PS256: header alg/typ/x5t#S256, claims aud/iss/sub/jti/nbf/iat/exp, signature valid with the certificate's key", async () => {
    const result = await buildClientAssertion(base());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const header = decodeProtectedHeader(result.assertion);
    const x509 = new crypto.X509Certificate(cert.certPem);
    expect(header).toEqual({
      alg: "PS256",
      typ: "JWT",
      "x5t#S256": crypto.createHash("sha256").update(x509.raw).digest("base64url"),
    });
    const claims = decodeJwt(result.assertion);
    expect(claims).toEqual({
      aud: AUDIENCE,
      iss: CLIENT_ID,
      sub: CLIENT_ID,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      nbf: NOW_S,
      iat: NOW_S,
      exp: NOW_S + 300,
    });
    const verified = await compactVerify(result.assertion, x509.publicKey, { algorithms: ["PS256"] });
    expect(verified.protectedHeader.alg).toBe("PS256");
    expect(result.claims).toEqual(claims);
  });

  it("RS256: legacy pair with x5t (SHA-1) and no x5t#S256", async () => {
    const result = await buildClientAssertion({ ...base(), algorithm: "RS256", lifetimeSeconds: 600 });
    if (!result.ok) throw new Error(result.message);
    const header = decodeProtectedHeader(result.assertion);
    const x509 = new crypto.X509Certificate(cert.certPem);
    expect(header).toEqual({ alg: "RS256", typ: "JWT", x5t: crypto.createHash("sha1").update(x509.raw).digest("base64url") });
    expect(decodeJwt(result.assertion).exp).toBe(NOW_S + 600);
    await expect(compactVerify(result.assertion, x509.publicKey, { algorithms: ["RS256"] })).resolves.toBeTruthy();
    // Signed by this key only: another certificate's key does not verify it.
    await expect(compactVerify(result.assertion, new crypto.X509Certificate(other.certPem).publicKey)).rejects.toThrow();
  });

  it("uses a new jti every time", async () => {
    const a = await buildClientAssertion(base());
    const b = await buildClientAssertion(base());
    if (!a.ok || !b.ok) throw new Error("build failed");
    expect(a.claims.jti).not.toBe(b.claims.jti);
  });

  it("opens an encrypted PKCS#8 key with its passphrase, and says when the passphrase is missing or wrong", async () => {
    const encrypted = crypto
      .createPrivateKey(cert.keyPem)
      .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "correct horse" })
      .toString();
    const ok = await buildClientAssertion({ ...base(), privateKeyPem: encrypted, passphrase: "correct horse" });
    expect(ok.ok).toBe(true);
    expect(await buildClientAssertion({ ...base(), privateKeyPem: encrypted })).toMatchObject({
      ok: false,
      code: "passphrase_required",
    });
    expect(await buildClientAssertion({ ...base(), privateKeyPem: encrypted, passphrase: "wrong" })).toMatchObject({
      ok: false,
      code: "passphrase_wrong",
    });
  });

  it("keeps the lifetime within 60..600 seconds", async () => {
    expect(await buildClientAssertion({ ...base(), lifetimeSeconds: 59 })).toMatchObject({
      ok: false,
      code: "lifetime_out_of_range",
    });
    expect(await buildClientAssertion({ ...base(), lifetimeSeconds: 601 })).toMatchObject({
      ok: false,
      code: "lifetime_out_of_range",
    });
    expect((await buildClientAssertion({ ...base(), lifetimeSeconds: 60 })).ok).toBe(true);
  });

  it("refuses a key that does not belong to the certificate, non-RSA and short keys, and unreadable input", async () => {
    expect(await buildClientAssertion({ ...base(), privateKeyPem: other.keyPem })).toMatchObject({
      ok: false,
      code: "key_mismatch",
    });
    const ec = crypto
      .generateKeyPairSync("ec", { namedCurve: "P-256" })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    expect(await buildClientAssertion({ ...base(), privateKeyPem: ec })).toMatchObject({ ok: false, code: "key_not_rsa" });
    const short = crypto
      .generateKeyPairSync("rsa", { modulusLength: 1024 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    expect(await buildClientAssertion({ ...base(), privateKeyPem: short })).toMatchObject({ ok: false, code: "key_too_short" });
    expect(await buildClientAssertion({ ...base(), privateKeyPem: "not a key" })).toMatchObject({
      ok: false,
      code: "private_key_invalid",
    });
    expect(
      await buildClientAssertion({ ...base(), certificatePem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----" }),
    ).toMatchObject({
      ok: false,
      code: "certificate_invalid",
    });
    expect(await buildClientAssertion({ ...base(), clientId: " " })).toMatchObject({ ok: false, code: "client_id_missing" });
    expect(await buildClientAssertion({ ...base(), audience: "login.microsoftonline.com" })).toMatchObject({
      ok: false,
      code: "audience_invalid",
    });
  });

  it("never puts key material in a failure message", async () => {
    const result = await buildClientAssertion({ ...base(), privateKeyPem: other.keyPem });
    expect(JSON.stringify(result)).not.toContain("PRIVATE KEY");
  });
});

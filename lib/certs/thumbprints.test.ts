import { createHash, X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { CertificateError } from "@/lib/certs/errors";
import { generateSelfSignedCertificate } from "@/lib/certs/generate";
import { hasOpenssl, openssl, pemBody } from "@/lib/certs/test-fixtures";
import {
  certificateThumbprints,
  hexThumbprintToX5t,
  hexThumbprintToX5tS256,
  normalizeHexThumbprint,
} from "@/lib/certs/thumbprints";

// Microsoft's example from "Certificate credentials" (x5t header of a client assertion).
const MS_HEX = "84E05C1D98BCE3A5421D225B140B36E86A3D5534";
const MS_X5T = "hOBcHZi846VCHSJbFAs26Go9VTQ";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof CertificateError ? error.code : `not a CertificateError: ${String(error)}`;
  }
  return undefined;
}

describe("hexThumbprintToX5t", () => {
  it.each([
    MS_HEX,
    "84:E0:5C:1D:98:BC:E3:A5:42:1D:22:5B:14:0B:36:E8:6A:3D:55:34",
    "84e05c1d98bce3a5421d225b140b36e86a3d5534",
    "84 e0 5c 1d 98 bc e3 a5 42 1d 22 5b 14 0b 36 e8 6a 3d 55 34",
    "  84:e0:5c:1d:98:bc:e3:a5:42:1d:22:5b:14:0b:36:e8:6a:3d:55:34\n",
    // as copied from the Windows certificate dialog: a left-to-right mark in front
    "\u200e84 e0 5c 1d 98 bc e3 a5 42 1d 22 5b 14 0b 36 e8 6a 3d 55 34",
    // whole lines of tool output
    "SHA1 Fingerprint=84:E0:5C:1D:98:BC:E3:A5:42:1D:22:5B:14:0B:36:E8:6A:3D:55:34",
    "Thumbprint : 84E05C1D98BCE3A5421D225B140B36E86A3D5534",
  ])("reproduces Microsoft's vector from %j", (input) => {
    expect(hexThumbprintToX5t(input)).toBe(MS_X5T);
  });

  it("produces base64url without padding", () => {
    const x5t = hexThumbprintToX5t("FF".repeat(20));
    expect(x5t).toBe("__________________________8");
    expect(x5t).not.toMatch(/[=+/]/);
  });

  it.each(["", "84E0", `${MS_HEX}00`, MS_HEX.replace("E", "G"), "not a thumbprint at all"])(
    "refuses %j as bad_thumbprint",
    (input) => {
      expect(codeOf(() => hexThumbprintToX5t(input))).toBe("bad_thumbprint");
    },
  );

  it("explains when a SHA-256 thumbprint is given where SHA-1 is needed", () => {
    try {
      hexThumbprintToX5t("AB".repeat(32));
      expect.unreachable();
    } catch (error) {
      expect((error as CertificateError).code).toBe("bad_thumbprint");
      expect((error as CertificateError).userMessage).toMatch(/SHA-256/);
    }
  });
});

describe("normalizeHexThumbprint", () => {
  it("returns uppercase hex without separators", () => {
    expect(normalizeHexThumbprint("84:e0:5c:1d:98:bc:e3:a5:42:1d:22:5b:14:0b:36:e8:6a:3d:55:34")).toBe(MS_HEX);
    expect(normalizeHexThumbprint("84-E0-5C-1D-98-BC-E3-A5-42-1D-22-5B-14-0B-36-E8-6A-3D-55-34")).toBe(MS_HEX);
  });

  it("accepts SHA-256 thumbprints (64 hex digits)", () => {
    expect(normalizeHexThumbprint("ab".repeat(32))).toBe("AB".repeat(32));
  });

  it.each(["", "  ", "84E0", "X".repeat(40), "AB".repeat(21), "AB".repeat(33)])("returns undefined for %j", (input) => {
    expect(normalizeHexThumbprint(input)).toBeUndefined();
  });

  it("returns undefined for non-strings instead of throwing", () => {
    expect(normalizeHexThumbprint(undefined as unknown as string)).toBeUndefined();
  });
});

describe("hexThumbprintToX5tS256", () => {
  it("converts a SHA-256 hex thumbprint", () => {
    const digest = createHash("sha256").update("x").digest();
    expect(hexThumbprintToX5tS256(digest.toString("hex").match(/../g)!.join(":"))).toBe(digest.toString("base64url"));
  });

  it("refuses a SHA-1 thumbprint", () => {
    expect(codeOf(() => hexThumbprintToX5tS256(MS_HEX))).toBe("bad_thumbprint");
  });
});

describe("certificateThumbprints", () => {
  let pem: string;
  let der: Buffer;

  beforeAll(async () => {
    pem = (await generateSelfSignedCertificate({ commonName: "thumbprint-test", keySize: 2048 })).certificatePem;
    der = pemBody(pem);
  });

  it("matches node:crypto's fingerprints", () => {
    const x509 = new X509Certificate(pem);
    const thumbprints = certificateThumbprints(pem);
    expect(thumbprints.sha1Hex).toBe(x509.fingerprint.replace(/:/g, ""));
    expect(thumbprints.sha256Hex).toBe(x509.fingerprint256.replace(/:/g, ""));
    expect(thumbprints.sha1Hex).toMatch(/^[0-9A-F]{40}$/);
    expect(thumbprints.sha256Hex).toMatch(/^[0-9A-F]{64}$/);
    expect(thumbprints.x5t).toBe(hexThumbprintToX5t(thumbprints.sha1Hex));
    expect(thumbprints.x5tS256).toBe(hexThumbprintToX5tS256(thumbprints.sha256Hex));
    expect(Buffer.from(thumbprints.x5t, "base64url")).toHaveLength(20);
  });

  it("gives the same answer for PEM, DER bytes, base64 DER text and PEM bytes", () => {
    const expected = certificateThumbprints(pem);
    expect(certificateThumbprints(der)).toEqual(expected);
    expect(certificateThumbprints(new Uint8Array(der))).toEqual(expected);
    expect(certificateThumbprints(der.toString("base64"))).toEqual(expected);
    expect(certificateThumbprints(Buffer.from(pem.replace(/\n/g, "\r\n")))).toEqual(expected);
  });

  it("hashes the DER bytes of the first certificate of a bundle", async () => {
    const other = (await generateSelfSignedCertificate({ commonName: "second", keySize: 2048 })).certificatePem;
    expect(certificateThumbprints(`${pem}${other}`)).toEqual(certificateThumbprints(pem));
    expect(certificateThumbprints(pem).sha1Hex).toBe(createHash("sha1").update(der).digest("hex").toUpperCase());
  });

  it.skipIf(!hasOpenssl)("matches openssl x509 -fingerprint and the x5t pipeline of the fact sheet", () => {
    const thumbprints = certificateThumbprints(pem);
    const sha1 = openssl(["x509", "-noout", "-fingerprint", "-sha1"], pem).toString().trim();
    const sha256 = openssl(["x509", "-noout", "-fingerprint", "-sha256"], pem).toString().trim();
    expect(normalizeHexThumbprint(sha1)).toBe(thumbprints.sha1Hex);
    expect(normalizeHexThumbprint(sha256)).toBe(thumbprints.sha256Hex);
    const derFromOpenssl = openssl(["x509", "-outform", "DER"], pem);
    const b64 = (digest: string) =>
      openssl(["base64", "-A"], openssl(["dgst", `-${digest}`, "-binary"], derFromOpenssl))
        .toString()
        .trim();
    expect(b64("sha1").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")).toBe(thumbprints.x5t);
    expect(b64("sha256").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")).toBe(thumbprints.x5tS256);
  });

  it.each([["garbage"], [""], [Buffer.from([1, 2, 3])], ["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"]])(
    "refuses %j as bad_certificate",
    (input) => {
      expect(codeOf(() => certificateThumbprints(input as string | Buffer))).toBe("bad_certificate");
    },
  );
});

import { describe, expect, it } from "vitest";
import { CertificateError } from "@/lib/certs/errors";
import { importPfx } from "@/lib/certs/import";
import { asText, encodePem, MAX_INPUT_BYTES, parsePemBlocks } from "@/lib/certs/pem";
import { readCertificates } from "@/lib/certs/read-certificate";
import { readPrivateKey } from "@/lib/certs/read-private-key";

describe("parsePemBlocks", () => {
  it("finds every block with its label, headers and decoded body, ignoring text around them", () => {
    const text = [
      "Bag Attributes",
      "    localKeyId: 01 02",
      "-----BEGIN CERTIFICATE-----",
      "AAEC",
      "-----END CERTIFICATE-----",
      "junk between",
      "-----BEGIN RSA PRIVATE KEY-----",
      "Proc-Type: 4,ENCRYPTED",
      "DEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF",
      "",
      "AwQF",
      "-----END RSA PRIVATE KEY-----",
    ].join("\r\n");
    const blocks = parsePemBlocks(text);
    expect(blocks.map((block) => block.label)).toEqual(["CERTIFICATE", "RSA PRIVATE KEY"]);
    expect(blocks[0]!.der).toEqual(Buffer.from([0, 1, 2]));
    expect(blocks[1]!.headers["Proc-Type"]).toBe("4,ENCRYPTED");
    expect(blocks[1]!.der).toEqual(Buffer.from([3, 4, 5]));
    expect(blocks[1]!.text.startsWith("-----BEGIN RSA PRIVATE KEY-----")).toBe(true);
    expect(blocks[1]!.text.endsWith("-----END RSA PRIVATE KEY-----")).toBe(true);
  });

  it("needs the END line to carry the same label", () => {
    expect(parsePemBlocks("-----BEGIN CERTIFICATE-----\nAAEC\n-----END PRIVATE KEY-----\n")).toEqual([]);
  });

  it("marks a body that is not base64", () => {
    expect(parsePemBlocks("-----BEGIN CERTIFICATE-----\nA*B\n-----END CERTIFICATE-----")[0]!.der).toBeUndefined();
  });

  it("stays fast on hostile text full of unmatched BEGIN lines", () => {
    const hostile = "-----BEGIN CERTIFICATE-----\n".repeat(30_000);
    const started = performance.now();
    expect(parsePemBlocks(hostile)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("round-trips encodePem", () => {
    const bytes = Buffer.alloc(100, 0xab);
    const pem = encodePem("CERTIFICATE", bytes);
    expect(pem.split("\n")[1]).toHaveLength(64);
    expect(parsePemBlocks(pem)[0]!.der).toEqual(bytes);
  });
});

describe("asText", () => {
  it("treats printable ASCII bytes as text and drops a UTF-8 BOM", () => {
    expect(asText(Buffer.from("\uFEFF-----BEGIN X-----", "utf8"))).toBe("-----BEGIN X-----");
    expect(asText("\uFEFFabc")).toBe("abc");
  });

  it("treats anything else as binary", () => {
    expect(asText(Buffer.from([0x30, 0x82, 0x01, 0x00]))).toBeUndefined();
  });
});

describe("input size limit", () => {
  const huge = "A".repeat(MAX_INPUT_BYTES + 1);

  it("refuses oversized certificate, key and PFX uploads before parsing them", () => {
    expect(() => readCertificates(huge)).toThrow(CertificateError);
    expect(() => readPrivateKey(huge)).toThrow(/too large/);
    const result = importPfx({ pfx: Buffer.alloc(MAX_INPUT_BYTES + 1), password: "x" });
    expect(result.ok ? "ok" : result.code).toBe("bad_pfx");
  });
});

import forge from "node-forge";
import { describe, expect, it } from "vitest";
import {
  Asn1Error,
  children,
  der,
  octets,
  oidOf,
  readFirst,
  readSingle,
  smallIntegerOf,
  timeOf,
  Tag,
  tlv,
} from "@/lib/certs/der";
import { pkcs12Kdf } from "@/lib/certs/pkcs12";

describe("ASN.1 reader", () => {
  it("reads BER indefinite lengths and chunked OCTET STRINGs (as in Java/Windows PFX files)", () => {
    // SEQUENCE (indefinite) { OCTET STRING (constructed, indefinite) { "ab", "cd" }, INTEGER 5 }
    const ber = Buffer.from([
      0x30, 0x80, 0x24, 0x80, 0x04, 0x02, 0x61, 0x62, 0x04, 0x02, 0x63, 0x64, 0x00, 0x00, 0x02, 0x01, 0x05, 0x00, 0x00,
    ]);
    const top = readSingle(ber);
    expect(top.raw).toEqual(ber);
    const [text, number] = children(top);
    expect(octets(text!).toString()).toBe("abcd");
    expect(smallIntegerOf(number, "n")).toBe(5);
  });

  it("returns the exact input bytes of each element", () => {
    const encoded = der.sequence(der.integer(1), der.octetString(Buffer.from("hi")));
    const [, second] = children(readSingle(encoded));
    expect(second!.raw).toEqual(der.octetString(Buffer.from("hi")));
    expect(readFirst(Buffer.concat([encoded, Buffer.from([0xff])])).raw).toEqual(encoded);
  });

  it("handles long lengths", () => {
    const big = Buffer.alloc(70_000, 7);
    const node = readSingle(der.octetString(big));
    expect(node.content.equals(big)).toBe(true);
  });

  it.each([
    ["truncated", Buffer.from([0x30, 0x05, 0x02, 0x01])],
    ["empty", Buffer.alloc(0)],
    ["no end-of-contents", Buffer.from([0x30, 0x80, 0x02, 0x01, 0x01])],
    ["indefinite primitive", Buffer.from([0x04, 0x80, 0x00, 0x00])],
    ["huge length", Buffer.from([0x04, 0x85, 1, 0, 0, 0, 0])],
  ])("throws Asn1Error for %s input", (_name, input) => {
    expect(() => readSingle(input)).toThrow(Asn1Error);
  });

  it("refuses trailing data in readSingle but not in readFirst", () => {
    const input = Buffer.concat([der.null(), Buffer.from([0])]);
    expect(() => readSingle(input)).toThrow(Asn1Error);
    expect(readFirst(input).tag).toBe(Tag.null);
  });

  it("bounds nesting depth instead of overflowing the stack", () => {
    let nested = Buffer.from([0x30, 0x80]);
    nested = Buffer.concat([...Array(200).fill(nested), Buffer.alloc(400)]);
    expect(() => readSingle(nested)).toThrow(Asn1Error);
    let definite: Buffer = der.null();
    for (let i = 0; i < 200; i++) definite = tlv(0x24, definite);
    expect(() => octets(readSingle(definite))).toThrow(Asn1Error);
  });
});

describe("DER writer", () => {
  it.each(["1.2.840.113549.1.12.10.1.2", "2.16.840.1.101.3.4.1.42", "1.3.14.3.2.26", "2.999.1"])("round-trips OID %s", (oid) => {
    expect(oidOf(readSingle(der.oid(oid)))).toBe(oid);
  });

  it("encodes OIDs like forge", () => {
    expect(der.oid("1.2.840.113549.1.5.13").subarray(2).toString("binary")).toBe(
      forge.asn1.oidToDer("1.2.840.113549.1.5.13").getBytes(),
    );
  });

  it("encodes INTEGERs minimally and as positive numbers", () => {
    expect(der.integer(0)).toEqual(Buffer.from([2, 1, 0]));
    expect(der.integer(128)).toEqual(Buffer.from([2, 2, 0, 128]));
    expect(der.integer(2048)).toEqual(Buffer.from([2, 2, 8, 0]));
    expect(der.integer(Buffer.from([0, 0, 0x7f]))).toEqual(Buffer.from([2, 1, 0x7f]));
    expect(der.integer(Buffer.from([0xff]))).toEqual(Buffer.from([2, 2, 0, 0xff]));
  });

  it("sorts SET OF elements (DER)", () => {
    const set = der.set(der.integer(2), der.integer(1));
    expect(children(readSingle(set)).map((node) => smallIntegerOf(node, "n"))).toEqual([1, 2]);
  });

  it("writes BMPStrings as UTF-16BE", () => {
    expect(der.bmpString("Aé")).toEqual(Buffer.from([0x1e, 4, 0, 0x41, 0, 0xe9]));
  });
});

describe("timeOf", () => {
  const time = (tag: number, text: string) => timeOf(readSingle(tlv(tag, Buffer.from(text, "latin1"))), "time");

  it("reads UTCTime with the RFC 5280 century rule", () => {
    expect(time(Tag.utcTime, "491231235959Z").toISOString()).toBe("2049-12-31T23:59:59.000Z");
    expect(time(Tag.utcTime, "500101000000Z").toISOString()).toBe("1950-01-01T00:00:00.000Z");
  });

  it("reads GeneralizedTime", () => {
    expect(time(Tag.generalizedTime, "99991231235959Z").toISOString()).toBe("9999-12-31T23:59:59.000Z");
  });

  it("refuses local times", () => {
    expect(() => time(Tag.utcTime, "250101000000")).toThrow(Asn1Error);
  });
});

describe("pkcs12Kdf (RFC 7292 appendix B)", () => {
  const bmp = (text: string) => Buffer.concat([Buffer.from(text, "utf16le").swap16(), Buffer.alloc(2)]);
  const salt = Buffer.from("0123456789abcdef", "hex");

  it.each([
    ["sha1", 1, 24, 2048],
    ["sha1", 2, 8, 2048],
    ["sha1", 3, 20, 1],
    ["sha1", 1, 5, 1000],
    ["sha256", 3, 32, 2048],
    ["sha256", 1, 70, 3],
    ["sha512", 3, 64, 10],
  ] as const)("matches forge for %s id=%i length=%i iterations=%i", (hashName, id, length, iterations) => {
    const info = {
      sha1: { name: "sha1", blockSize: 64, length: 20 },
      sha256: { name: "sha256", blockSize: 64, length: 32 },
      sha512: { name: "sha512", blockSize: 128, length: 64 },
    }[hashName];
    const ours = pkcs12Kdf(info, bmp("s3cret pässword"), salt, id, iterations, length);
    const theirs = forge.pkcs12.generateKey(
      "s3cret pässword",
      forge.util.createBuffer(salt.toString("binary")),
      id,
      iterations,
      length,
      forge.md[hashName].create(),
    );
    expect(ours.toString("hex")).toBe(forge.util.bytesToHex(theirs.getBytes()));
  });
});

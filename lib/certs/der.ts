import "server-only";

/**
 * A small ASN.1 reader and DER writer over Buffers.
 *
 * Why not forge's ASN.1 module: thumbprints are hashes of the exact certificate bytes Entra stored,
 * so a certificate taken out of a PFX or a PEM must come out byte for byte as it went in. This
 * reader hands back slices of the input (`raw`), never a re-encoding. It also reads the BER forms
 * PKCS#12 files from Windows and Java use (indefinite lengths, chunked OCTET STRINGs).
 */

export const TagClass = { universal: 0, application: 1, context: 2, private: 3 } as const;

export const Tag = {
  boolean: 1,
  integer: 2,
  bitString: 3,
  octetString: 4,
  null: 5,
  oid: 6,
  utf8String: 12,
  sequence: 16,
  set: 17,
  utcTime: 23,
  generalizedTime: 24,
  bmpString: 30,
} as const;

export interface Asn1Node {
  tagClass: number;
  constructed: boolean;
  tag: number;
  /** The whole element, header included, exactly as it appears in the input. */
  raw: Buffer;
  /** Content octets (for an indefinite length: without the end-of-contents marker). */
  content: Buffer;
}

export class Asn1Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Asn1Error";
  }
}

// Untrusted uploads: bound the nesting so a crafted file cannot exhaust the stack.
const MAX_DEPTH = 64;

function readNode(buf: Buffer, offset: number, depth: number): { node: Asn1Node; end: number } {
  if (depth > MAX_DEPTH) throw new Asn1Error("nesting too deep");
  let p = offset;
  if (p >= buf.length) throw new Asn1Error("unexpected end of data");
  const first = buf[p++]!;
  const tagClass = first >> 6;
  const constructed = (first & 0x20) !== 0;
  let tag = first & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    for (let i = 0; ; i++) {
      if (i >= 4 || p >= buf.length) throw new Asn1Error("bad tag");
      const b = buf[p++]!;
      tag = tag * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  if (p >= buf.length) throw new Asn1Error("unexpected end of data");
  const lengthByte = buf[p++]!;
  if (lengthByte === 0x80) {
    if (!constructed) throw new Asn1Error("indefinite length on a primitive element");
    const contentStart = p;
    while (true) {
      if (p + 1 >= buf.length) throw new Asn1Error("missing end-of-contents");
      if (buf[p] === 0 && buf[p + 1] === 0) break;
      p = readNode(buf, p, depth + 1).end;
    }
    const end = p + 2;
    return { node: { tagClass, constructed, tag, raw: buf.subarray(offset, end), content: buf.subarray(contentStart, p) }, end };
  }
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count > 4 || p + count > buf.length) throw new Asn1Error("bad length");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[p++]!;
  }
  const end = p + length;
  if (end > buf.length) throw new Asn1Error("element runs past the end of the data");
  return { node: { tagClass, constructed, tag, raw: buf.subarray(offset, end), content: buf.subarray(p, end) }, end };
}

/** Reads the first element of `buf`; bytes after it are ignored (see `readSingle` to forbid them). */
export function readFirst(buf: Buffer): Asn1Node {
  return readNode(buf, 0, 0).node;
}

/** Reads `buf` as exactly one element. */
export function readSingle(buf: Buffer): Asn1Node {
  const { node, end } = readNode(buf, 0, 0);
  if (end !== buf.length) throw new Asn1Error("trailing data after the element");
  return node;
}

export function children(node: Asn1Node): Asn1Node[] {
  if (!node.constructed) throw new Asn1Error("expected a constructed element");
  const out: Asn1Node[] = [];
  let p = 0;
  while (p < node.content.length) {
    const next = readNode(node.content, p, 1);
    out.push(next.node);
    p = next.end;
  }
  return out;
}

export function isUniversal(node: Asn1Node | undefined, tag: number): node is Asn1Node {
  return node !== undefined && node.tagClass === TagClass.universal && node.tag === tag;
}

export function isContext(node: Asn1Node | undefined, tag: number): node is Asn1Node {
  return node !== undefined && node.tagClass === TagClass.context && node.tag === tag;
}

export function expectUniversal(node: Asn1Node | undefined, tag: number, what: string): Asn1Node {
  if (!isUniversal(node, tag)) throw new Asn1Error(`expected ${what}`);
  return node;
}

export function sequence(node: Asn1Node | undefined, what: string): Asn1Node[] {
  return children(expectUniversal(node, Tag.sequence, what));
}

/** The single element inside an EXPLICIT context tag `[n]`. */
export function explicitInner(node: Asn1Node | undefined, n: number, what: string): Asn1Node {
  if (!isContext(node, n) || !node.constructed) throw new Asn1Error(`expected [${n}] ${what}`);
  const [inner] = children(node);
  if (!inner) throw new Asn1Error(`empty [${n}] ${what}`);
  return inner;
}

/**
 * Octets of an OCTET STRING, or of an IMPLICIT-tagged one; BER allows the constructed form, a
 * sequence of chunks, which Java and Windows emit for large PKCS#12 contents.
 */
export function octets(node: Asn1Node, depth = 0): Buffer {
  if (!node.constructed) return node.content;
  if (depth > MAX_DEPTH) throw new Asn1Error("nesting too deep");
  return Buffer.concat(children(node).map((chunk) => octets(chunk, depth + 1)));
}

export function octetString(node: Asn1Node | undefined, what: string): Buffer {
  return octets(expectUniversal(node, Tag.octetString, what));
}

export function oidOf(node: Asn1Node | undefined, what = "object identifier"): string {
  const { content } = expectUniversal(node, Tag.oid, what);
  if (content.length === 0) throw new Asn1Error("empty object identifier");
  const arcs: number[] = [];
  let value = 0;
  for (const b of content) {
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new Asn1Error("object identifier arc too large");
    if ((b & 0x80) === 0) {
      if (arcs.length === 0) {
        const firstArc = value < 40 ? 0 : value < 80 ? 1 : 2;
        arcs.push(firstArc, value - firstArc * 40);
      } else {
        arcs.push(value);
      }
      value = 0;
    }
  }
  return arcs.join(".");
}

/** A small non-negative INTEGER (iteration counts, versions). */
export function smallIntegerOf(node: Asn1Node | undefined, what: string): number {
  const { content } = expectUniversal(node, Tag.integer, what);
  if (content.length === 0 || content.length > 6 || (content[0]! & 0x80) !== 0) throw new Asn1Error(`${what} out of range`);
  return content.readUIntBE(0, content.length);
}

/** UTCTime or GeneralizedTime as used in certificates (RFC 5280 §4.1.2.5: always UTC, "Z"). */
export function timeOf(node: Asn1Node | undefined, what: string): Date {
  if (!node || node.tagClass !== TagClass.universal) throw new Asn1Error(`expected ${what}`);
  const text = node.content.toString("latin1");
  let match: RegExpMatchArray | null;
  let year: number;
  if (node.tag === Tag.utcTime) {
    match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(text);
    if (!match) throw new Asn1Error(`bad ${what}`);
    const yy = Number(match[1]);
    year = yy < 50 ? 2000 + yy : 1900 + yy;
  } else if (node.tag === Tag.generalizedTime) {
    match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(text);
    if (!match) throw new Asn1Error(`bad ${what}`);
    year = Number(match[1]);
  } else {
    throw new Asn1Error(`expected ${what}`);
  }
  const [, , mo, d, h, mi, s] = match;
  const date = new Date(Date.UTC(year, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0)));
  if (Number.isNaN(date.getTime())) throw new Asn1Error(`bad ${what}`);
  return date;
}

// ---- DER writer -----------------------------------------------------------------------------

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(identifier: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([identifier]), encodeLength(content.length), content]);
}

export const der = {
  sequence: (...items: Buffer[]) => tlv(0x30, Buffer.concat(items)),
  /** DER orders the elements of a SET OF by their encodings (X.690 §11.6). */
  set: (...items: Buffer[]) => tlv(0x31, Buffer.concat([...items].sort(Buffer.compare))),
  octetString: (value: Buffer) => tlv(0x04, value),
  null: () => Buffer.from([0x05, 0x00]),
  integer(value: number | Buffer): Buffer {
    let bytes: Buffer;
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value) || value < 0) throw new RangeError("integer out of range");
      const list: number[] = [];
      for (let n = value; n > 0; n = Math.floor(n / 256)) list.unshift(n & 0xff);
      bytes = Buffer.from(list.length ? list : [0]);
    } else {
      let start = 0;
      while (start < value.length - 1 && value[start] === 0) start++;
      bytes = value.subarray(start);
    }
    if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return tlv(0x02, bytes);
  },
  oid(dotted: string): Buffer {
    const arcs = dotted.split(".").map(Number);
    if (arcs.length < 2 || arcs.some((arc) => !Number.isSafeInteger(arc) || arc < 0)) throw new RangeError(`bad OID ${dotted}`);
    const [a, b, ...rest] = arcs as [number, number, ...number[]];
    const out: number[] = [];
    for (const arc of [a * 40 + b, ...rest]) {
      const chunk: number[] = [arc & 0x7f];
      for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift(0x80 | (n & 0x7f));
      out.push(...chunk);
    }
    return tlv(0x06, Buffer.from(out));
  },
  /** BMPString: UTF-16 big-endian. */
  bmpString: (text: string) => tlv(0x1e, utf16be(text)),
  /** `[n] EXPLICIT` */
  explicit: (n: number, inner: Buffer) => tlv(0xa0 | n, inner),
  /** `[n] IMPLICIT OCTET STRING` (primitive) */
  implicitOctets: (n: number, value: Buffer) => tlv(0x80 | n, value),
};

export function utf16be(text: string): Buffer {
  const le = Buffer.from(text, "utf16le");
  for (let i = 0; i + 1 < le.length; i += 2) {
    const lo = le[i]!;
    le[i] = le[i + 1]!;
    le[i + 1] = lo;
  }
  return le;
}

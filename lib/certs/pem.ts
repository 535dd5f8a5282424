import "server-only";

export interface PemBlock {
  /** e.g. "CERTIFICATE", "RSA PRIVATE KEY" */
  label: string;
  /** The block exactly as found, BEGIN and END lines included (what node:crypto wants for keys). */
  text: string;
  /** RFC 1421 headers such as "Proc-Type: 4,ENCRYPTED" (legacy OpenSSL encrypted keys). */
  headers: Record<string, string>;
  /** Decoded body, or undefined when the body is not valid base64. */
  der: Buffer | undefined;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const LABEL = /^[A-Z0-9 #._-]{1,64}$/;

/**
 * Certificates, keys and PFX files are a few kilobytes; a bundle with a long chain stays far below
 * this. Bounding the input keeps every scan below cheap on hostile uploads.
 */
export const MAX_INPUT_BYTES = 1024 * 1024;
// Each BEGIN marker without a matching END costs one scan of the rest of the text: bound them.
const MAX_BLOCKS = 64;

export function inputSize(input: string | Uint8Array): number {
  return typeof input === "string" ? input.length : input.byteLength;
}

/** Base64 with line breaks and blanks removed; undefined when anything else is in the way. */
export function decodeBase64Text(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, "");
  if (compact.length === 0 || compact.length % 4 === 1 || !BASE64.test(compact)) return undefined;
  return Buffer.from(compact, "base64");
}

/** The PEM blocks of a text, in order; text around and between blocks is ignored. */
export function parsePemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let from = 0;
  for (let attempt = 0; attempt < MAX_BLOCKS; attempt++) {
    const begin = text.indexOf("-----BEGIN ", from);
    if (begin < 0) break;
    const labelStart = begin + "-----BEGIN ".length;
    const labelEnd = text.indexOf("-----", labelStart);
    if (labelEnd < 0) break;
    const label = text.slice(labelStart, labelEnd);
    from = labelEnd + 5;
    if (!LABEL.test(label)) continue;
    const endMarker = `-----END ${label}-----`;
    const end = text.indexOf(endMarker, from);
    if (end < 0) continue;
    const headers: Record<string, string> = {};
    const base64Lines: string[] = [];
    for (const line of text.slice(from, end).split(/\r?\n/)) {
      const header = /^([A-Za-z-]+):\s*(.*)$/.exec(line.trim());
      if (header) headers[header[1]!] = header[2]!;
      else base64Lines.push(line);
    }
    blocks.push({ label, text: text.slice(begin, end + endMarker.length), headers, der: decodeBase64Text(base64Lines.join("")) });
    from = end + endMarker.length;
  }
  return blocks;
}

export function encodePem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/**
 * Uploaded files arrive as bytes; a .pem/.crt/.cer may hold text (PEM or bare base64) or binary DER.
 * Text here means printable ASCII and line breaks only (PEM is ASCII by definition), which DER never
 * is: its length octets alone rule that out. Returns undefined for binary input.
 */
export function asText(input: string | Uint8Array): string | undefined {
  if (typeof input === "string") return input.replace(/^\uFEFF/, "");
  let bytes = asBuffer(input);
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  for (const b of bytes) {
    if (b !== 0x09 && b !== 0x0a && b !== 0x0d && (b < 0x20 || b > 0x7e)) return undefined;
  }
  return bytes.toString("latin1");
}

export function asBuffer(input: Uint8Array): Buffer {
  return Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

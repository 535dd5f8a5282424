/**
 * Masks credentials in free text (protocol transcripts, provider error bodies, log lines).
 * Patterns cover what this product handles: bearer tokens and JWTs, SASL payloads, form-encoded
 * secrets, PEM private keys and the console's own ciphertexts. Client-safe: no Node imports.
 */
const MASK = "••••••";

const patterns: Array<[RegExp, string]> = [
  [
    /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g,
    `-----BEGIN $1PRIVATE KEY-----${MASK}-----END $1PRIVATE KEY-----`,
  ],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, MASK],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${MASK}`],
  [
    /((?:client_secret|client_assertion|password|access_token|refresh_token|passphrase)["']?\s*[=:]\s*["']?)[^"'&\s,}]+/gi,
    `$1${MASK}`,
  ],
  [/\b(AUTHENTICATE\s+(?:XOAUTH2|PLAIN|OAUTHBEARER|LOGIN)\s+)\S+/gi, `$1${MASK}`],
  [/\b(AUTH\s+(?:XOAUTH2|PLAIN|OAUTHBEARER)\s+)\S+/gi, `$1${MASK}`],
  [/\b(PASS\s+)\S+/g, `$1${MASK}`],
  [/\bv1:[A-Za-z0-9]{8}:[A-Za-z0-9_-]{20,}/g, MASK],
];

export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of patterns) out = out.replace(pattern, replacement);
  return out;
}

export const REDACTION_MASK = MASK;

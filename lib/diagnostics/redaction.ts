import "server-only";
/**
 * The last line of defence for everything a Test hands out (events, result, transcript): the
 * exact secret strings of this run (password, client secret, assertion, access token, private key,
 * and the SASL payloads built from them), which no pattern can be trusted to recognise, plus the
 * generic patterns of lib/crypto/redact.ts on protocol lines. The mail clients and requestToken mask on their
 * own; this runs again over their output so one missed path cannot leak.
 */
import { REDACTION_MASK, redactText } from "@/lib/crypto/redact";

const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const PRIVATE_KEY = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g;

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Adds secrets of this run; values shorter than 4 characters are not masked (they would shred ordinary text). */
  add(...values: (string | undefined | null)[]): void {
    for (const value of values) {
      if (!value) continue;
      for (const variant of [value, value.trim()]) if (variant.length >= 4) this.secrets.add(variant);
    }
  }

  /** For protocol lines (the transcript): this run's secrets, then every generic pattern. */
  text(value: string): string {
    return redactText(this.exact(value));
  }

  /**
   * For the console's own sentences (details, causes, fixes, property effects): this run's secrets
   * and anything shaped like a token or a private key. The generic line patterns are not applied:
   * they would mask the word after "USER/PASS" or "AUTH XOAUTH2" in plain prose.
   */
  exact(value: string): string {
    let out = value;
    // Longest first, so a secret that contains another is masked whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTION_MASK);
    }
    return out
      .replace(JWT, REDACTION_MASK)
      .replace(PRIVATE_KEY, `-----BEGIN $1PRIVATE KEY-----${REDACTION_MASK}-----END $1PRIVATE KEY-----`);
  }

  /** A deep copy with every string passed through exact(). */
  value<T>(input: T): T {
    const walk = (v: unknown): unknown => {
      if (typeof v === "string") return this.exact(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    return walk(input) as T;
  }
}

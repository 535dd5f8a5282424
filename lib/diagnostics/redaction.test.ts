/**
 * The Redactor is the last masking layer of a Test: whatever the mail clients and requestToken
 * missed, it must still mask before events, the result and the transcript leave the server. These
 * tests pin what it masks (this run's secrets as given and trimmed, the base64 SASL payloads the
 * Test registers, form and JSON bodies, token and private-key shapes) and what it must leave alone
 * (short values, the console's own sentences, certificates, the shape of a result). Each test fails
 * when the masking branch it is about is removed from lib/diagnostics/redaction.ts.
 */
import { describe, expect, it } from "vitest";
import { REDACTION_MASK as MASK } from "@/lib/crypto/redact";
import { Redactor } from "@/lib/diagnostics/redaction";
import { plainInitialResponse, xoauth2InitialResponse } from "@/lib/mail/sasl";
import { formEncode } from "@/lib/oauth/token-request";

const SECRET = "Qx8~run-secret-0123456789abcdefghij";
const PASSWORD = "carol's pässword 1";
const USER = "carol@contoso.test";
/** Shaped like an access token (three base64url parts), but never issued by anyone. */
const TOKEN = [
  Buffer.from(JSON.stringify({ typ: "JWT", alg: "RS256", kid: "k1" })).toString("base64url"),
  Buffer.from(JSON.stringify({ aud: "https://outlook.office.com", roles: ["IMAP.AccessAsApp"] })).toString("base64url"),
  "c2lnbmF0dXJlLW9mLXRoZS10b2tlbi0wMTIzNDU2Nzg5",
].join(".");
/** A bearer token that is not a JWT: only registration can find it. */
const OPAQUE_TOKEN = "EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA";
const PRIVATE_KEY_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nVJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3S";
const CERTIFICATE = "-----BEGIN CERTIFICATE-----\nMIIDazCCAlOgAwIBAgIUJ0fd\n-----END CERTIFICATE-----";

function redactor(...secrets: (string | undefined | null)[]): Redactor {
  const r = new Redactor();
  r.add(...secrets);
  return r;
}

describe("Redactor: the secrets registered for this run", () => {
  it("masks a registered secret wherever it stands, every time, in sentences and protocol lines alike", () => {
    const r = redactor(SECRET);
    const sentence = `Tried ${SECRET} twice: ${SECRET}.`;
    expect(r.exact(sentence)).toBe(`Tried ${MASK} twice: ${MASK}.`);
    expect(r.text(`S: 500 echo ${SECRET}`)).toBe(`S: 500 echo ${MASK}`);
  });

  it("masks an opaque token that no pattern can recognise, once registered", () => {
    const line = `S: * BAD unexpected ${OPAQUE_TOKEN}`;
    expect(new Redactor().text(line)).toContain(OPAQUE_TOKEN);
    expect(redactor(OPAQUE_TOKEN).text(line)).toBe(`S: * BAD unexpected ${MASK}`);
  });

  it("masks a secret as pasted (with spaces or a line break) and as sent (trimmed)", () => {
    const r = redactor(`  ${SECRET}\n`);
    expect(r.exact(`sent ${SECRET}`)).toBe(`sent ${MASK}`);
    expect(r.exact(`typed "  ${SECRET}\n"`)).toBe(`typed "${MASK}"`);
  });

  it("masks a secret that contains another one whole (longest first), whatever the order they were added in", () => {
    const password = "hunter42";
    const secret = `xx-${password}-yy`;
    expect(redactor(password, secret).exact(`secret ${secret}, password ${password}`)).toBe(`secret ${MASK}, password ${MASK}`);
  });

  it("overlapping secrets: neither shows whole", () => {
    const first = "abcdef12";
    const second = "ef12ghij";
    const out = redactor(first, second).exact(`joined ${first.slice(0, 4)}${second}`);
    expect(out).not.toContain(first);
    expect(out).not.toContain(second);
  });

  it("does not register values shorter than 4 characters: masking them would shred ordinary text", () => {
    const text = "abc: the abc of a Test";
    expect(redactor("abc").exact(text)).toBe(text);
    expect(redactor("wxyz").exact("wxyz and wxyz")).toBe(`${MASK} and ${MASK}`);
  });

  it("ignores empty, null and undefined values", () => {
    const r = redactor(undefined, null, "", SECRET);
    expect(r.exact(`"" ${SECRET}`)).toBe(`"" ${MASK}`);
    expect(r.exact("")).toBe("");
  });
});

describe("Redactor: encodings of a secret on the wire", () => {
  // What run-test.ts registers before anything is sent: the password, its base64 (AUTHENTICATE LOGIN
  // sends it alone on a line), the PLAIN payload, the access token and the XOAUTH2 payload.
  const plain = plainInitialResponse(USER, PASSWORD);
  const xoauth2 = xoauth2InitialResponse(USER, OPAQUE_TOKEN);
  const base64Password = Buffer.from(PASSWORD, "utf8").toString("base64");
  const r = redactor(PASSWORD, base64Password, plain, OPAQUE_TOKEN, xoauth2);

  it("masks the base64 SASL payloads on lines no protocol pattern recognises", () => {
    // POP3's two-step AUTH and IMAP without SASL-IR send the payload alone after the "+" continuation.
    for (const payload of [xoauth2, plain, base64Password]) {
      expect(new Redactor().text(`C: ${payload}`), "unregistered").toContain(payload);
      expect(r.text(`C: ${payload}`)).toBe(`C: ${MASK}`);
      expect(r.exact(`The server echoed ${payload}`)).toBe(`The server echoed ${MASK}`);
    }
  });

  it("masks the payload on an AUTHENTICATE line and keeps the tag and the command", () => {
    expect(r.text(`C: A1 AUTHENTICATE XOAUTH2 ${xoauth2}`)).toBe(`C: A1 AUTHENTICATE XOAUTH2 ${MASK}`);
    expect(r.text(`C: AUTH PLAIN ${plain}`)).toBe(`C: AUTH PLAIN ${MASK}`);
  });

  it("masks a secret form-urlencoded in a request body, and keeps the other fields readable", () => {
    const odd = "a b:c~+/%&=é-secret";
    const body = `grant_type=client_credentials&client_secret=${formEncode(odd)}&scope=${formEncode("https://outlook.office365.com/.default")}`;
    const shown = redactor(odd).text(body);
    expect(shown).not.toContain(formEncode(odd));
    expect(shown).not.toContain(odd);
    expect(shown).toBe(
      `grant_type=client_credentials&client_secret=${MASK}&scope=${formEncode("https://outlook.office365.com/.default")}`,
    );
  });

  it("masks secrets in a JSON body quoted as text, by value and by key", () => {
    const body = JSON.stringify({ error: "invalid_client", echoed: SECRET, client_secret: "never-registered-value" });
    const shown = redactor(SECRET).text(body);
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain("never-registered-value");
    expect(JSON.parse(shown)).toEqual({ error: "invalid_client", echoed: MASK, client_secret: MASK });
  });
});

describe("Redactor: token and key shapes, registered or not", () => {
  it("masks a JWT-shaped token in the console's own sentences, also when it was cut after its payload", () => {
    const r = new Redactor();
    expect(r.exact(`Bad token ${TOKEN} (expired)`)).toBe(`Bad token ${MASK} (expired)`);
    const [header, payload] = TOKEN.split(".");
    expect(r.exact(`cut: ${header}.${payload}.`)).toBe(`cut: ${MASK}`);
  });

  it("masks a private key's body in the console's own sentences and keeps its armour lines", () => {
    const r = new Redactor();
    for (const label of ["", "RSA ", "ENCRYPTED "]) {
      const pem = `-----BEGIN ${label}PRIVATE KEY-----\n${PRIVATE_KEY_BODY}\n-----END ${label}PRIVATE KEY-----`;
      const shown = r.exact(`Key: ${pem}`);
      expect(shown).toBe(`Key: -----BEGIN ${label}PRIVATE KEY-----${MASK}-----END ${label}PRIVATE KEY-----`);
    }
  });

  it("masks an unregistered bearer token and SASL payload on protocol lines", () => {
    const r = new Redactor();
    expect(r.text(`Authorization: Bearer ${OPAQUE_TOKEN}`)).toBe(`Authorization: Bearer ${MASK}`);
    expect(r.text(`C: A1 AUTHENTICATE PLAIN ${plainInitialResponse(USER, "unregistered")}`)).toBe(
      `C: A1 AUTHENTICATE PLAIN ${MASK}`,
    );
  });
});

describe("Redactor: what it must not mangle", () => {
  it("leaves the console's sentences alone: the protocol-line patterns do not apply to them", () => {
    const r = redactor(SECRET);
    for (const sentence of [
      "Logged in with AUTH XOAUTH2 (two-step).",
      "The server refused PASS before STLS: enable STARTTLS.",
      "Bearer token valid for 60 min (until 2030-01-01T00:00:00.000Z).",
      "Set client_secret: the Value column, not the Secret ID.",
      "Enter the password",
    ]) {
      expect(r.exact(sentence)).toBe(sentence);
    }
  });

  it("leaves certificates, thumbprints and ordinary protocol lines alone", () => {
    const r = redactor(SECRET, PASSWORD);
    for (const text of [
      CERTIFICATE,
      "x5t#S256 7GJBsn3qKqhU1J-s1sOB8lVv3BaR1L1vB5zJbyPe5Xk",
      "S: * OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready",
      "S: +OK 3 1234",
    ]) {
      expect(r.text(text)).toBe(text);
    }
  });

  it("value(): masks every string at any depth of a result, keeps its shape and other values, and leaves the input as it was", () => {
    const r = redactor(SECRET);
    const input = {
      ok: false,
      ms: 12,
      summary: `Token failed: ${SECRET}`,
      steps: [{ step: "token", detail: SECRET, data: { attempts: 2, aadsts: ["AADSTS7000215"], note: null } }],
      transcript: [[`C: ${SECRET}`, { nested: [SECRET] }]],
    };
    const before = structuredClone(input);
    const out = r.value(input);
    expect(out).toEqual({
      ok: false,
      ms: 12,
      summary: `Token failed: ${MASK}`,
      steps: [{ step: "token", detail: MASK, data: { attempts: 2, aadsts: ["AADSTS7000215"], note: null } }],
      transcript: [[`C: ${MASK}`, { nested: [MASK] }]],
    });
    expect(Array.isArray(out.steps) && Array.isArray(out.transcript[0])).toBe(true);
    expect(JSON.stringify(out)).not.toContain(SECRET);
    expect(input).toEqual(before);
  });

  it("value(): applies the sentence rules, not the protocol-line ones", () => {
    const detail = "Logged in with AUTH XOAUTH2 (two-step).";
    expect(redactor(SECRET).value({ detail, token: TOKEN })).toEqual({ detail, token: MASK });
  });
});

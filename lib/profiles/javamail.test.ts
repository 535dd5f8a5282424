import { describe, expect, it } from "vitest";
import { analyzeProperty, honouredProperties, type ConnectionContext } from "@/lib/profiles/javamail";

const imapTls: ConnectionContext = { protocol: "imap", security: "tls", storeName: "imap", port: 993, authType: "oauth2" };
const errorsOf = (key: string, value: string, ctx = imapTls) =>
  analyzeProperty(key, value, ctx)
    .findings.filter((f) => f.level === "error")
    .map((f) => f.message);
const warningsOf = (key: string, value: string, ctx = imapTls) =>
  analyzeProperty(key, value, ctx)
    .findings.filter((f) => f.level === "warning")
    .map((f) => f.message);

describe("analyzeProperty", () => {
  it("knows honoured keys with their type and meaning", () => {
    const a = analyzeProperty("mail.imap.connectiontimeout", "15000", imapTls);
    expect(a).toMatchObject({ status: "honoured", spec: { type: "ms" } });
    expect(a.findings).toEqual([]);
  });

  it("type-checks booleans and milliseconds", () => {
    expect(errorsOf("mail.imap.ssl.enable", "yes")).toEqual(["Expects true or false"]);
    expect(errorsOf("mail.imap.timeout", "15s")).toEqual(["Expects a whole number of milliseconds"]);
    expect(errorsOf("mail.imap.timeout", "99999999")).toEqual(["At most 3600000 ms (one hour)"]);
    expect(errorsOf("mail.imap.ssl.enable", "TRUE")).toEqual([]);
  });

  it("reports keys that contradict the connection settings", () => {
    expect(errorsOf("mail.imap.ssl.enable", "false")).toEqual(["false contradicts Security TLS (implicit TLS)"]);
    const starttls: ConnectionContext = { ...imapTls, security: "starttls", port: 143 };
    expect(errorsOf("mail.imap.ssl.enable", "true", starttls)[0]).toMatch(/implicit TLS, but Security is STARTTLS/);
    expect(errorsOf("mail.imap.socketFactory.class", "javax.net.ssl.SSLSocketFactory", starttls)[0]).toMatch(/implicit TLS/);
    expect(errorsOf("mail.imap.starttls.enable", "false", starttls)[0]).toMatch(/contradicts Security STARTTLS/);
    expect(errorsOf("mail.imap.port", "143")[0]).toMatch(/port 143, but the connection uses port 993/);
    expect(errorsOf("mail.imap.auth.mechanisms", "PLAIN LOGIN")[0]).toMatch(/needs XOAUTH2/);
    expect(errorsOf("mail.imap.auth.xoauth2.disable", "true")[0]).toMatch(/Disables XOAUTH2/);
    const basicNone: ConnectionContext = { ...imapTls, security: "none", port: 143, authType: "basic" };
    expect(errorsOf("mail.imap.starttls.enable", "true", basicNone)[0]).toMatch(/Security is None/);
    expect(errorsOf("mail.imap.auth.mechanisms", "XOAUTH2", basicNone)[0]).toMatch(/PLAIN or LOGIN/);
  });

  it("accepts the reference's own example (starttls.enable with implicit TLS has no effect)", () => {
    expect(errorsOf("mail.imap.starttls.enable", "true")).toEqual([]);
    expect(analyzeProperty("mail.imap.starttls.enable", "true", imapTls).findings[0]?.message).toMatch(/No effect/);
    expect(errorsOf("mail.imap.socketFactory.class", "javax.net.ssl.SSLSocketFactory")).toEqual([]);
  });

  it("flags dangerous values as warnings", () => {
    expect(warningsOf("mail.imap.ssl.trust", "*")[0]).toMatch(/Dangerous/);
    expect(warningsOf("mail.imap.ssl.checkserveridentity", "false")[0]).toMatch(/Dangerous/);
    expect(warningsOf("mail.imap.socketFactory.fallback", "true")[0]).toMatch(/Dangerous/);
    expect(warningsOf("mail.imap.ssl.protocols", "TLSv1 TLSv1.2")[0]).toMatch(/obsolete/);
    expect(errorsOf("mail.imap.ssl.protocols", "SSLv3")[0]).toMatch(/Unknown TLS version SSLv3/);
  });

  it("keeps unknown keys and says they are not used", () => {
    expect(analyzeProperty("com.example.flag", "1", imapTls)).toMatchObject({
      status: "unknown",
      note: "Not used by this console",
    });
    expect(analyzeProperty("mail.imap.bogus", "1", imapTls).status).toBe("unknown");
  });

  it("ignores keys of another protocol or store, as JavaMail would", () => {
    expect(analyzeProperty("mail.pop3.ssl.enable", "false", imapTls)).toMatchObject({ status: "ignored", findings: [] });
    const imapsStore = { ...imapTls, storeName: "imaps" };
    expect(analyzeProperty("mail.imap.ssl.enable", "false", imapsStore)).toMatchObject({ status: "ignored" });
    expect(analyzeProperty("mail.imap.ssl.enable", "false", imapsStore).note).toMatch(/reads mail\.imaps\.\* keys/);
    expect(analyzeProperty("mail.imaps.ssl.enable", "false", imapsStore).status).toBe("honoured");
    expect(analyzeProperty("mail.imap.partialfetch", "false", imapTls)).toMatchObject({ status: "ignored" });
    const pop: ConnectionContext = { ...imapTls, protocol: "pop3", storeName: "pop3", port: 995 };
    expect(analyzeProperty("mail.pop3.partialfetch", "false", pop).note).toMatch(/no such key for POP3/);
    expect(analyzeProperty("mail.pop3.auth.xoauth2.two.line.authentication.format", "true", pop).status).toBe("honoured");
  });

  it("lists the honoured keys by suffix for the code that applies them", () => {
    const map = honouredProperties({ "mail.imap.timeout": "5000", "mail.pop3.timeout": "1", "x.y": "z" }, imapTls);
    expect([...map]).toEqual([["timeout", "5000"]]);
  });
});

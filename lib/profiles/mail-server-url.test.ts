import { describe, expect, it } from "vitest";
import { defaultPort, findMailServerContradiction, parseMailServerUrl } from "@/lib/profiles/mail-server-url";

const ok = (text: string) => {
  const result = parseMailServerUrl(text);
  if (!result.ok) throw new Error(`expected ${text} to parse: ${result.message}`);
  return result.value;
};
const fails = (text: string) => {
  const result = parseMailServerUrl(text);
  expect(result.ok, text).toBe(false);
  return result.ok ? "" : result.message;
};

describe("parseMailServerUrl", () => {
  it("takes a bare host, host:port and the four mail schemes", () => {
    expect(ok("outlook.office365.com")).toEqual({ host: "outlook.office365.com", port: undefined, scheme: undefined });
    expect(ok("Outlook.Office365.com:993")).toEqual({ host: "outlook.office365.com", port: 993, scheme: undefined });
    expect(ok("imaps://outlook.office365.com")).toMatchObject({ scheme: "imaps", port: undefined });
    expect(ok("IMAP://mail.example.com:143/")).toMatchObject({ scheme: "imap", port: 143 });
    expect(ok("pop3s://outlook.office365.com:995")).toMatchObject({ scheme: "pop3s", port: 995 });
    expect(ok("pop3://127.0.0.1")).toMatchObject({ scheme: "pop3", host: "127.0.0.1" });
  });

  it("stores IDN host names as punycode", () => {
    expect(ok("mail.bücher.example").host).toBe("mail.xn--bcher-kva.example");
    expect(ok("imaps://почта.рф:993")).toMatchObject({ host: "xn--80a1acny.xn--p1ai", port: 993 });
  });

  it("takes IPv6 literals in brackets only", () => {
    expect(ok("[::1]:993")).toMatchObject({ host: "::1", port: 993 });
    expect(fails("2001:db8::1")).toMatch(/brackets/);
  });

  it("refuses what is not a mail server address, saying what to write instead", () => {
    expect(fails("")).toMatch(/Enter the mail server/);
    expect(fails("https://outlook.office365.com")).toMatch(/not a mail URL/);
    expect(fails("imaps:/outlook.office365.com")).toMatch(/two slashes/);
    expect(fails("imaps://user@outlook.office365.com")).toMatch(/user name/);
    expect(fails("imaps://outlook.office365.com/INBOX")).toMatch(/no path/);
    expect(fails("outlook.office365.com:abc")).toMatch(/not a port/);
    expect(fails("outlook.office365.com:0")).toMatch(/not a port/);
    expect(fails("outlook.office365.com:65536")).toMatch(/not a port/);
    expect(fails("mail server.example.com")).toMatch(/not a valid host/);
    expect(fails("0x7f.1")).toMatch(/not a valid host/);
    expect(fails(`${"a".repeat(64)}.example.com`)).toMatch(/not a valid host/);
  });
});

describe("findMailServerContradiction", () => {
  const address = (text: string) => ok(text);
  it("accepts agreeing settings", () => {
    expect(findMailServerContradiction(address("imaps://h.example"), { protocol: "imap", security: "tls" })).toBeUndefined();
    expect(
      findMailServerContradiction(address("imap://h.example:143"), { protocol: "imap", security: "starttls", port: 143 }),
    ).toBeUndefined();
    expect(findMailServerContradiction(address("h.example:995"), { protocol: "pop3", security: "tls" })).toBeUndefined();
  });
  it("reports a scheme of the other protocol", () => {
    expect(findMailServerContradiction(address("imaps://h.example"), { protocol: "pop3", security: "tls" })).toMatch(
      /IMAP, but Protocol is POP3/,
    );
  });
  it("reports a scheme that contradicts the security", () => {
    expect(findMailServerContradiction(address("imaps://h.example"), { protocol: "imap", security: "starttls" })).toMatch(
      /implicit TLS, but Security is STARTTLS/,
    );
    expect(findMailServerContradiction(address("pop3://h.example"), { protocol: "pop3", security: "tls" })).toMatch(
      /Security is TLS/,
    );
  });
  it("reports a URL port that differs from the Port field", () => {
    expect(findMailServerContradiction(address("h.example:995"), { protocol: "imap", security: "tls", port: 993 })).toMatch(
      /port 995, but Port is 993/,
    );
  });
});

it("defaults ports by protocol and security", () => {
  expect([
    defaultPort("imap", "tls"),
    defaultPort("imap", "starttls"),
    defaultPort("pop3", "tls"),
    defaultPort("pop3", "none"),
  ]).toEqual([993, 143, 995, 110]);
});

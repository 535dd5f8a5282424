import { describe, expect, it } from "vitest";
import { resolveTestSettings } from "@/lib/diagnostics/settings";
import { basicInput, oauthSecretInput } from "@/tests/support/profile-fixtures";

const withProperties = (props: Record<string, string>, profile = oauthSecretInput()) => {
  profile.connection.additionalProperties = Object.entries(props).map(([key, value]) => ({ key, value }));
  return profile;
};

describe("resolveTestSettings", () => {
  it("defaults: implicit TLS on 993, chain and host name checked, TLS 1.2–1.3, console timeouts", () => {
    const { settings, properties } = resolveTestSettings(oauthSecretInput());
    expect(settings).toMatchObject({
      host: "outlook.office365.com",
      port: 993,
      security: "tls",
      tls: { trust: "default", checkServerIdentity: true, minVersion: "TLSv1.2", maxVersion: "TLSv1.3" },
    });
    expect(settings?.readTimeoutMs).toBeUndefined();
    expect(properties).toEqual({ applied: [], ignored: [] });
  });

  it("applies honoured keys of the profile's store and says why others are ignored", () => {
    const profile = withProperties({
      "mail.imap.connectiontimeout": "2500",
      "mail.imap.timeout": "0",
      "mail.imap.ssl.trust": "outlook.office365.com mail.contoso.com",
      "mail.imap.ssl.checkserveridentity": "false",
      "mail.imap.ssl.protocols": "TLSv1.3",
      "mail.imap.starttls.enable": "true",
      "mail.imap.socketFactory.class": "javax.net.ssl.SSLSocketFactory",
      "mail.imap.ssl.ciphersuites": "TLS_AES_256_GCM_SHA384",
      "mail.smtp.host": "smtp.contoso.com",
    });
    const { settings, properties } = resolveTestSettings(profile);
    expect(settings).toMatchObject({
      connectTimeoutMs: 2500,
      tls: {
        trust: ["outlook.office365.com", "mail.contoso.com"],
        checkServerIdentity: false,
        minVersion: "TLSv1.3",
        maxVersion: "TLSv1.3",
      },
    });
    expect(settings?.readTimeoutMs).toBeUndefined();
    const applied = Object.fromEntries(properties.applied.map((p) => [p.key, p.effect]));
    expect(applied["mail.imap.connectiontimeout"]).toBe("TCP connect timeout 2,500 ms");
    expect(applied["mail.imap.socketFactory.class"]).toMatch(/Implicit TLS/);
    expect(applied["mail.imap.ssl.trust"]).toMatch(/any other host is refused/);
    const ignored = Object.fromEntries(properties.ignored.map((p) => [p.key, p.reason]));
    expect(ignored["mail.imap.timeout"]).toMatch(/0 means wait forever/);
    expect(ignored["mail.imap.starttls.enable"]).toMatch(/already TLS/);
    expect(ignored["mail.imap.ssl.ciphersuites"]).toMatch(/Java cipher-suite names/);
    expect(ignored["mail.smtp.host"]).toBeDefined();
  });

  it("POP3: the two-line flag, auth.mechanisms and disable flags", () => {
    const profile = basicInput();
    profile.connection.protocol = "pop3";
    profile.connection.mailServerUrl = "pop.contoso.com";
    withProperties(
      {
        "mail.pop3.auth.mechanisms": "PLAIN LOGIN",
        "mail.pop3.auth.login.disable": "true",
        "mail.pop3.auth.xoauth2.two.line.authentication.format": "false",
      },
      profile,
    );
    const { settings, properties } = resolveTestSettings(profile);
    expect(settings).toMatchObject({
      port: 995,
      mechanisms: ["PLAIN", "LOGIN"],
      disabled: { LOGIN: true, PLAIN: false, XOAUTH2: false },
    });
    expect(properties.applied.find((p) => p.key === "mail.pop3.auth.login.disable")?.effect).toBe("USER/PASS not used");
    expect(properties.ignored.find((p) => p.key === "mail.pop3.auth.xoauth2.two.line.authentication.format")?.reason).toMatch(
      /always sends AUTH XOAUTH2 in two steps/,
    );
  });
});

import { describe, expect, it } from "vitest";
import { explainImap, explainPop3, type MailContext } from "@/lib/diagnostics/explain";
import { ImapSessionError } from "@/lib/mail/imap-session";
import { Pop3Error } from "@/lib/mail/pop3-client";

const exchange: MailContext = {
  protocol: "imap",
  host: "outlook.office365.com",
  port: 993,
  security: "tls",
  authType: "basic",
  user: "support@contoso.com",
  exchangeOnline: true,
  propertyPrefix: "mail.imaps",
};
const oauth: MailContext = { ...exchange, authType: "oauth2", clientId: "11111111-1111-1111-1111-111111111111" };

describe("explainImap", () => {
  it("Basic authentication refused by Exchange Online says Basic is retired, not 'wrong password'", () => {
    const error = new ImapSessionError("auth_failed", "Authentication failed", {
      stage: "auth",
      serverStatus: "NO",
      serverLine: "2 NO LOGIN failed.",
    });
    const outcome = explainImap(error, exchange, "authenticate", 10_000);
    expect(outcome.detail).toBe("Exchange Online refused the password login for support@contoso.com (2 NO LOGIN failed.).");
    expect(outcome.cause).toMatch(/retired Basic authentication/);
    expect(outcome.fix).toMatch(/Switch the profile to OAuth2/);
  });

  it("PRIVACYREQUIRED before STARTTLS asks for TLS", () => {
    const error = new ImapSessionError("auth_failed", "Authentication failed", {
      stage: "auth",
      serverStatus: "NO",
      serverResponseCode: "PRIVACYREQUIRED",
      serverLine: "3 NO [PRIVACYREQUIRED] Plaintext authentication disallowed.",
    });
    const outcome = explainImap(error, { ...exchange, exchangeOnline: false, security: "none" }, "authenticate", 10_000);
    expect(outcome.detail).toMatch(/^The server refuses a login over an unencrypted connection/);
    expect(outcome.fix).toBe("Choose Security STARTTLS (port 143) or TLS (port 993).");
  });

  it("'User is authenticated but not connected' with Basic mentions the wrong-password case", () => {
    const error = new ImapSessionError("not_connected", "x", {
      stage: "session",
      serverText: "User is authenticated but not connected.",
    });
    const outcome = explainImap(error, exchange, "mailbox", 10_000);
    expect(outcome.detail).toBe("Logged in, but the mailbox cannot be opened (User is authenticated but not connected.).");
    expect(outcome.cause).toMatch(/or the password was wrong/);
  });

  it("an OAuth2 'NO AUTHENTICATE failed.' carries the Exchange checklist with the client id", () => {
    const error = new ImapSessionError("auth_failed", "Authentication failed", {
      stage: "auth",
      serverStatus: "NO",
      serverLine: "A1 NO AUTHENTICATE failed.",
    });
    const outcome = explainImap(error, oauth, "authenticate", 10_000);
    expect(outcome.fix).toMatch(/New-ServicePrincipal -AppId 11111111-1111-1111-1111-111111111111/);
    expect(outcome.fix).toMatch(/IMAP.AccessAsApp/);
  });
});

describe("explainPop3", () => {
  const pop: MailContext = { ...exchange, protocol: "pop3", port: 995, exchangeOnline: false, propertyPrefix: "mail.pop3s" };
  const err = (text: string, code?: string) =>
    new Pop3Error("auth_failed", `Authentication failed: ${text}`, {
      phase: "command",
      command: "PASS",
      serverText: text,
      responseCode: code,
    });

  it("tells the -ERR variants apart", () => {
    expect(explainPop3(err("[IN-USE] Mailbox locked", "IN-USE"), pop, "authenticate", 10_000).cause).toMatch(
      /Another POP3 session holds the mailbox/,
    );
    expect(explainPop3(err("[SYS/TEMP] Try later", "SYS/TEMP"), pop, "authenticate", 10_000).cause).toMatch(/temporary problem/);
    expect(
      explainPop3(err("Plaintext authentication disallowed on non-secure (SSL/TLS) connections."), pop, "authenticate", 10_000)
        .fix,
    ).toMatch(/STARTTLS \(port 110\) or TLS \(port 995\)/);
    expect(explainPop3(err("[AUTH] Authentication failed.", "AUTH"), pop, "authenticate", 10_000).detail).toMatch(
      /refused the user name or password/,
    );
    const xoauth = explainPop3(
      err("Authentication failure: unknown user name or bad password."),
      { ...pop, authType: "oauth2", exchangeOnline: true },
      "authenticate",
      10_000,
    );
    expect(xoauth.detail).toMatch(/^The server refused the token for support@contoso\.com \(-ERR Authentication failure/);
    expect(xoauth.fix).toMatch(/-PopEnabled \$true/);
  });
});

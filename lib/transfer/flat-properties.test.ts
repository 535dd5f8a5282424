import { describe, expect, it } from "vitest";
import { canonicalKey, looksLikeFlatProperties, parseFlatProperties, readFlatLines } from "@/lib/transfer/flat-properties";
import { CLIENT_ASSERTION_TYPE, DEFAULT_SCOPE, DEFAULT_TOKEN_URL } from "@/lib/profiles/oauth-defaults";

const CLIENT_ID = "11111111-1111-1111-1111-111111111111";
const TENANT = "00000000-0000-0000-0000-000000000000";
const TOKEN_URL = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`;
const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

const originalClientSecret = `
# exported from the old Managed Connection Factory screen
Name=Contoso support
Protocol=IMAP
MailserverURL=outlook.office365.com
MailServer Port=993
mail.imap.ssl.enable=true
Authentication Type=OAUTH2
Username=support@contoso.com
Token URL=${TOKEN_URL}
grant_type=client_credentials
client_id=${CLIENT_ID}
scope=https://outlook.office365.com/.default
client_secret=Zx8~Q-very-secret
`;

function ok(text: string, options?: { name?: string }) {
  const result = parseFlatProperties(text, options);
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.errors, null, 2)}`);
  return result;
}

function errors(text: string, options?: { name?: string }) {
  const result = parseFlatProperties(text, options);
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.document)}`);
  return result.errors;
}

describe("flat properties: the original product's key=value style", () => {
  it("reads a client-secret profile as the original product wrote it", () => {
    const { document } = ok(originalClientSecret);
    expect(document).toEqual({
      format: "mcf-profile",
      version: 1,
      name: "Contoso support",
      connection: {
        protocol: "imap",
        mailServerUrl: "outlook.office365.com",
        port: 993,
        security: "tls",
        additionalProperties: { "mail.imap.ssl.enable": "true" },
        trustedCaPem: null,
      },
      authentication: {
        type: "oauth2",
        username: "support@contoso.com",
        tokenUrl: TOKEN_URL,
        tenantId: null,
        method: "client_secret",
        requestProperties: {
          grant_type: "client_credentials",
          client_id: CLIENT_ID,
          scope: "https://outlook.office365.com/.default",
          client_secret: "Zx8~Q-very-secret",
        },
      },
    });
  });

  it("is liberal about key spelling, case, spaces and separators", () => {
    for (const key of [
      "MailserverURL",
      "Mail Server URL",
      "Mailserver URL",
      "mail_server_url",
      "MAILSERVER-URL",
      "Mail server",
    ]) {
      expect(canonicalKey(key) === "mailserverurl" || canonicalKey(key) === "mailserver", key).toBe(true);
      const { document } = ok(originalClientSecret.replace("MailserverURL=", `${key} = `));
      expect(document.connection.mailServerUrl, key).toBe("outlook.office365.com");
    }
    const colon = ok(
      originalClientSecret.replace("MailServer Port=993", "Mail Server Port: 993").replace("Username=", "User Name: "),
    );
    expect(colon.document.connection.port).toBe(993);
    expect(colon.document.authentication.username).toBe("support@contoso.com");
    const spaced = ok(originalClientSecret.replace("client_id=", "Client ID = ").replace("grant_type=", "Grant Type="));
    expect(spaced.document.authentication.type === "oauth2" && spaced.document.authentication.requestProperties.client_id).toBe(
      CLIENT_ID,
    );
  });

  it("takes the name from the caller when given, and notes the difference", () => {
    const result = ok(originalClientSecret, { name: "Renamed" });
    expect(result.document.name).toBe("Renamed");
    expect(result.notes.join()).toMatch(/Renamed.*Contoso support/);
    expect(ok(originalClientSecret.replace("Name=Contoso support\n", ""), { name: "Given" }).document.name).toBe("Given");
  });

  it("asks for a name when there is none", () => {
    expect(errors(originalClientSecret.replace("Name=Contoso support\n", ""))).toContainEqual(
      expect.objectContaining({ path: "$.name", message: expect.stringMatching(/Name= line/) }),
    );
  });

  it("infers security from the port: 993/995 TLS, 143/110 STARTTLS", () => {
    const base = "Name=x\nMailserverURL=mail.example.com\nAuthentication Type=BASIC\nUsername=alice\nPassword=pw\n";
    const cases: [string, string, "imap" | "pop3", "tls" | "starttls"][] = [
      ["IMAP", "993", "imap", "tls"],
      ["IMAP", "143", "imap", "starttls"],
      ["POP3", "995", "pop3", "tls"],
      ["POP3", "110", "pop3", "starttls"],
    ];
    for (const [protocol, port, expectedProtocol, security] of cases) {
      const result = ok(`${base}Protocol=${protocol}\nPort=${port}\n`);
      expect(result.document.connection, `${protocol} ${port}`).toMatchObject({
        protocol: expectedProtocol,
        port: Number(port),
        security,
      });
      expect(result.notes.join(), `${protocol} ${port}`).toMatch(new RegExp(`from port ${port}`));
    }
  });

  it("infers the protocol from the port or the JavaMail keys when there is no Protocol line", () => {
    const base = "Name=x\nMailserverURL=mail.example.com\nAuthentication Type=BASIC\nUsername=alice\nPassword=pw\n";
    expect(ok(`${base}Port=995`).document.connection).toMatchObject({ protocol: "pop3", security: "tls" });
    expect(ok(`${base}mail.pop3.starttls.enable=true\nmail.pop3.starttls.required=true`).document.connection).toMatchObject({
      protocol: "pop3",
      security: "starttls",
    });
    expect(ok(`Name=x\nMailserverURL=imaps://mail.example.com\nUsername=alice\nPassword=pw`).document.connection).toMatchObject({
      protocol: "imap",
      security: "tls",
    });
  });

  it("lets the JavaMail socket factory win over the STARTTLS flag (the docs/PROFILE-FORMAT.md example)", () => {
    const text = originalClientSecret.replace(
      "mail.imap.ssl.enable=true",
      "mail.imap.starttls.enable=true\nmail.imap.socketFactory.class=javax.net.ssl.SSLSocketFactory",
    );
    expect(ok(text).document.connection.security).toBe("tls");
  });

  it("reads an explicit Security line in several spellings", () => {
    const base =
      "Name=x\nProtocol=IMAP\nMailserverURL=mail.example.com\nAuthentication Type=BASIC\nUsername=alice\nPassword=pw\n";
    expect(ok(`${base}Security=SSL/TLS`).document.connection.security).toBe("tls");
    expect(ok(`${base}Security=STARTTLS\nPort=143`).document.connection.security).toBe("starttls");
    expect(ok(`${base}Security=None\nPort=143`).document.connection.security).toBe("none");
    expect(ok(`${base}Use SSL=true`).document.connection.security).toBe("tls");
    expect(errors(`${base}Security=maybe`)).toContainEqual(
      expect.objectContaining({ path: "line 7", message: expect.stringMatching(/Security: expected TLS/) }),
    );
  });

  it("reads a Basic profile, password included", () => {
    const { document } = ok(
      "Name=Old\nProtocol=POP3\nMailserverURL=pop.example.com\nMailServer Port=995\nAuthentication Type=Basic\nUsername=alice\nPassword=s3cret pass\n",
    );
    expect(document.authentication).toEqual({ type: "basic", username: "alice", password: "s3cret pass" });
  });

  it("leaves an empty secret as null: supply it on import", () => {
    const { document } = ok(originalClientSecret.replace("client_secret=Zx8~Q-very-secret", "client_secret="));
    expect(document.authentication.type === "oauth2" && document.authentication.requestProperties.client_secret).toBeNull();
    const { document: noLine } = ok(originalClientSecret.replace("client_secret=Zx8~Q-very-secret\n", ""));
    expect(noLine.authentication.type === "oauth2" && noLine.authentication.requestProperties.client_secret).toBeNull();
  });

  it("infers the pasted-assertion method from client_assertion_type + client_assertion", () => {
    const text = originalClientSecret.replace(
      "client_secret=Zx8~Q-very-secret",
      `client_assertion_type=${CLIENT_ASSERTION_TYPE}\nclient_assertion=${JWT}`,
    );
    const { document } = ok(text);
    expect(document.authentication).toMatchObject({
      method: "client_assertion",
      requestProperties: { client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: JWT },
    });
  });

  it("infers OAUTH2 from the token URL and request properties, and adds grant_type and scope", () => {
    const result = ok(
      `Name=x\nProtocol=IMAP\nMailserverURL=outlook.office365.com\nUsername=support@contoso.com\nToken URL=${TOKEN_URL}\nclient_id=${CLIENT_ID}\nclient_secret=abc`,
    );
    expect(result.document.authentication).toMatchObject({
      type: "oauth2",
      method: "client_secret",
      requestProperties: { grant_type: "client_credentials", client_id: CLIENT_ID, scope: DEFAULT_SCOPE, client_secret: "abc" },
    });
    expect(result.notes.join("\n")).toMatch(/Authentication OAUTH2 inferred/);
    expect(result.notes.join("\n")).toMatch(/scope=/);
  });

  it("assumes the Microsoft token URL and asks for the tenant when the URL is missing", () => {
    const text = originalClientSecret.replace(`Token URL=${TOKEN_URL}\n`, "");
    const problems = errors(text);
    expect(problems).toContainEqual(
      expect.objectContaining({ path: "$.authentication.tenantId", message: expect.stringMatching(/Tenant ID= line/) }),
    );
    const fixed = ok(`${text}Tenant ID=${TENANT}\n`);
    expect(fixed.document.authentication).toMatchObject({ tokenUrl: DEFAULT_TOKEN_URL, tenantId: TENANT });
  });

  it("reports unknown lines and lines that are not key=value, with their numbers", () => {
    const text = `${originalClientSecret}Favourite Colour=blue\nthis is not a property\n`;
    const problems = errors(text);
    expect(problems).toEqual([
      expect.objectContaining({
        path: "line 15",
        code: "unknown_line",
        message: expect.stringMatching(/Unknown setting "Favourite Colour"/),
      }),
      expect.objectContaining({ path: "line 16", code: "unknown_line", message: "Not a key=value line" }),
    ]);
  });

  it("reports a key given twice, even in two spellings", () => {
    const problems = errors(`${originalClientSecret}Mail Server URL=other.example.com\n`);
    expect(problems).toContainEqual(
      expect.objectContaining({ path: "line 15", message: expect.stringMatching(/already set on line 5/) }),
    );
  });

  it("refuses prototype keys, and never mistakes Object.prototype members for settings or values", () => {
    expect(errors(`${originalClientSecret}__proto__=x\n`)).toContainEqual(
      expect.objectContaining({ path: "line 15", code: "forbidden_key" }),
    );
    expect(errors(`${originalClientSecret}Constructor=x\nto String=y\n`)).toEqual([
      expect.objectContaining({ path: "line 15", code: "unknown_line" }),
      expect.objectContaining({ path: "line 16", code: "unknown_line" }),
    ]);
    expect(errors(originalClientSecret.replace("Protocol=IMAP", "Protocol=constructor"))).toEqual([
      expect.objectContaining({ path: "line 4", message: "Protocol: expected IMAP or POP3" }),
    ]);
    expect(errors(originalClientSecret.replace("Authentication Type=OAUTH2", "Authentication Type=toString"))[0]).toMatchObject({
      path: "line 8",
    });
  });

  it("points schema errors at the admin's own line", () => {
    const problems = errors(
      originalClientSecret
        .replace("MailServer Port=993", "MailServer Port=99999")
        .replace("Username=support@contoso.com", "Username=not-an-address"),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ path: "line 6", message: expect.stringMatching(/^MailServer Port: .*65535/) }),
    );
    const username = errors(originalClientSecret.replace("Username=support@contoso.com", "Username=not-an-address"));
    expect(username).toContainEqual(
      expect.objectContaining({ path: "line 9", message: expect.stringMatching(/^Username: .*email address/) }),
    );
    const contradiction = errors(originalClientSecret.replace("mail.imap.ssl.enable=true", "mail.imap.ssl.enable=false"));
    expect(contradiction).toContainEqual(
      expect.objectContaining({ path: "line 7", message: expect.stringMatching(/^mail\.imap\.ssl\.enable: /) }),
    );
    const missingId = errors(originalClientSecret.replace(`client_id=${CLIENT_ID}\n`, ""));
    expect(missingId).toContainEqual(expect.objectContaining({ message: expect.stringMatching(/Add a client_id= line/) }));
  });

  it("refuses mixed methods and settings of the other authentication type", () => {
    const both = errors(`${originalClientSecret}client_assertion=${JWT}\n`);
    expect(both.some((e) => e.path.startsWith("line"))).toBe(true);
    const basicWithOauth = errors(
      "Name=x\nProtocol=IMAP\nMailserverURL=mail.example.com\nAuthentication Type=BASIC\nUsername=a\nPassword=b\nclient_id=c\n",
    );
    expect(basicWithOauth).toContainEqual(expect.objectContaining({ path: "line 7", message: expect.stringMatching(/BASIC/) }));
    const blank = ok(`${originalClientSecret}Password=\n`);
    expect(blank.notes.join()).toMatch(/Line 15 \(Password\) is blank and not used with OAUTH2/);
    const blankOauth = ok(
      "Name=x\nProtocol=IMAP\nMailserverURL=mail.example.com\nAuthentication Type=BASIC\nUsername=a\nPassword=b\nToken URL=\nclient_id=\n",
    );
    expect(blankOauth.document.authentication).toEqual({ type: "basic", username: "a", password: "b" });
    const certificate = errors(`${originalClientSecret}Method=client_certificate\n`);
    expect(certificate).toContainEqual(
      expect.objectContaining({ path: "line 15", message: expect.stringMatching(/certificate cannot be pasted/) }),
    );
  });

  it("reads Java .properties escapes and continuation lines", () => {
    const text = originalClientSecret
      .replace(`Token URL=${TOKEN_URL}`, `Token URL=https\\://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`)
      .replace("client_secret=Zx8~Q-very-secret", "client_secret=Zx8~Q-\\\n    very-secret\\u0021\\ ");
    const { document } = ok(text);
    expect(document.authentication).toMatchObject({
      tokenUrl: TOKEN_URL,
      requestProperties: { client_secret: "Zx8~Q-very-secret! " },
    });
  });

  it("counts lines across CRLF, comments and continuations", () => {
    const { lines } = readFlatLines("# c\r\n! c\r\n\r\na=1\\\r\n  2\r\nb:3");
    expect(lines).toEqual([
      { number: 4, key: "a", value: "12" },
      { number: 6, key: "b", value: "3" },
    ]);
  });

  it("tells pasted properties from JSON", () => {
    expect(looksLikeFlatProperties(originalClientSecret)).toBe(true);
    expect(looksLikeFlatProperties('  {"format":"mcf-profile"}')).toBe(false);
    expect(looksLikeFlatProperties("\uFEFF[]")).toBe(false);
    expect(looksLikeFlatProperties("   ")).toBe(false);
  });
});

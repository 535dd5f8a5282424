import { describe, expect, it } from "vitest";
import { IMPORT_LIMITS } from "@/lib/transfer/import-error";
import { readImportFile, scanJsonText, utf8Length } from "@/lib/transfer/read-import-file";

const CLIENT_ID = "11111111-1111-1111-1111-111111111111";
const TENANT = "00000000-0000-0000-0000-000000000000";

function documentFor(name: string, overrides: Record<string, unknown> = {}) {
  return {
    format: "mcf-profile",
    version: 1,
    name,
    connection: {
      protocol: "imap",
      mailServerUrl: "outlook.office365.com",
      port: 993,
      security: "tls",
      additionalProperties: {},
      trustedCaPem: null,
    },
    authentication: {
      type: "oauth2",
      username: "support@contoso.com",
      tokenUrl: "https://login.microsoftonline.com/TENANT_ID/oauth2/v2.0/token",
      tenantId: TENANT,
      method: "client_secret",
      requestProperties: {
        grant_type: "client_credentials",
        client_id: CLIENT_ID,
        scope: "https://outlook.office365.com/.default",
        client_secret: null,
      },
    },
    ...overrides,
  };
}

function refused(text: string) {
  const result = readImportFile(text);
  if (result.ok) throw new Error("expected the file to be refused");
  return result.errors;
}

function nested(depth: number): string {
  return `${"[".repeat(depth)}${"]".repeat(depth)}`;
}

describe("readImportFile: hostile files are refused with a clear message", () => {
  it("refuses files over 5 MB, counting UTF-8 bytes", () => {
    const big = JSON.stringify({ ...documentFor("x"), description: "x".repeat(IMPORT_LIMITS.maxBytes) });
    expect(refused(big)).toEqual([{ path: "$", code: "too_large", message: expect.stringMatching(/larger than 5 MB/) }]);
    // 2 million "é" are 2 M characters but 4 MB; 3 million are 6 MB
    expect(utf8Length("é".repeat(2_000_000))).toBe(4_000_000);
    expect(refused(`"${"é".repeat(3_000_000)}"`)[0]!.code).toBe("too_large");
  });

  it("refuses nesting deeper than 32 levels before parsing", () => {
    expect(refused(nested(33))).toEqual([{ path: "$", code: "too_deep", message: expect.stringMatching(/more than 32 levels/) }]);
    // 32 levels pass the depth check (and fail later, as a list that is not documents)
    expect(refused(nested(32))[0]!.code).not.toBe("too_deep");
    // a million brackets do not overflow anything: the scan stops at level 33
    expect(refused("[".repeat(1_000_000))[0]!.code).toBe("too_deep");
    // brackets inside strings do not count
    expect(scanJsonText(JSON.stringify({ a: "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[" })).tooDeepAt).toBeUndefined();
  });

  it("refuses __proto__, constructor and prototype keys anywhere, also when escaped", () => {
    const doc = documentFor("x") as Record<string, unknown>;
    const text = JSON.stringify([doc, doc]).replace('"name"', '"__proto__":{"polluted":true},"name"');
    expect(refused(text)).toEqual([
      { path: "$[0].__proto__", code: "forbidden_key", message: expect.stringMatching(/not allowed/) },
    ]);
    const deep = JSON.stringify(documentFor("x")).replace(
      '"additionalProperties":{}',
      '"additionalProperties":{"constructor":"x"}',
    );
    expect(refused(deep)).toEqual([
      expect.objectContaining({ path: "$.connection.additionalProperties.constructor", code: "forbidden_key" }),
    ]);
    const escaped = JSON.stringify(documentFor("x")).replace(
      '"additionalProperties":{}',
      '"additionalProperties":{"proto\\u0074ype":"x"}',
    );
    expect(refused(escaped)).toEqual([
      expect.objectContaining({ path: "$.connection.additionalProperties.prototype", code: "forbidden_key" }),
    ]);
    const unicodeProto = '{"\\u005f\\u005fproto__": 1}';
    expect(refused(unicodeProto)[0]!.code).toBe("forbidden_key");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses duplicate keys, which would let a reviewer see one value and the import use another", () => {
    const text = JSON.stringify(documentFor("x")).replace('"name":"x"', '"name":"x","name":"y"');
    expect(refused(text)).toEqual([{ path: "$.name", code: "invalid", message: expect.stringMatching(/appears twice/) }]);
  });

  it("refuses text that is not JSON, saying where, and never echoing the text", () => {
    const broken = '{\n  "format": "mcf-profile",\n  "name": "a" "secret-value-here"\n}';
    const [error] = refused(broken);
    expect(error).toMatchObject({ path: "$", code: "not_json" });
    expect(error!.message).toMatch(/line 3/);
    expect(error!.message).not.toContain("secret-value-here");
    const truncated = JSON.stringify([documentFor("a"), documentFor("b")], null, 2);
    expect(refused(truncated.slice(0, truncated.length / 2))).toEqual([
      { path: "$", code: "not_json", message: expect.stringMatching(/ends too early/) },
    ]);
  });

  it("refuses an empty file, an empty list, too many documents and values that are not documents", () => {
    expect(refused("   ")[0]!.code).toBe("empty");
    expect(refused("[]")).toEqual([{ path: "$", code: "empty", message: expect.stringMatching(/empty list/) }]);
    const many = JSON.stringify(Array.from({ length: IMPORT_LIMITS.maxDocuments + 1 }, () => 0));
    expect(refused(many)).toEqual([{ path: "$", code: "too_many", message: expect.stringMatching(/at most 1,000/) }]);
    expect(refused('"just a string"')[0]!.code).toBe("wrong_format");
    expect(refused("[1, null]")).toEqual([
      { path: "$[0]", code: "invalid", message: expect.stringMatching(/document/) },
      { path: "$[1]", code: "invalid", message: expect.stringMatching(/document/) },
    ]);
  });

  it("refuses a wrong format or version per document", () => {
    const errors = refused(
      JSON.stringify([
        documentFor("a"),
        { ...documentFor("b"), format: "something-else" },
        { ...documentFor("c"), version: 2 },
        { ...documentFor("d"), format: undefined },
      ]),
    );
    expect(errors).toEqual([
      { path: "$[1].format", code: "wrong_format", message: expect.stringMatching(/must be "mcf-profile"/) },
      { path: "$[2].version", code: "wrong_version", message: expect.stringMatching(/version 2, written by a newer console/) },
      { path: "$[3].format", code: "wrong_format", message: expect.stringMatching(/is missing/) },
    ]);
  });
});

describe("readImportFile: strict validation reports every error with its JSON path", () => {
  it("accepts a valid single document and a valid list", () => {
    const one = readImportFile(JSON.stringify(documentFor("a")));
    expect(one).toMatchObject({ ok: true, source: "json", needsPassphrase: false, documents: [{ index: 0, path: "$" }] });
    const list = readImportFile(`\uFEFF${JSON.stringify([documentFor("a"), documentFor("b")], null, 2)}`);
    expect(list).toMatchObject({
      ok: true,
      documents: [
        { index: 0, path: "$[0]" },
        { index: 1, path: "$[1]" },
      ],
    });
  });

  it("lists every problem of every document", () => {
    const bad = [
      documentFor("ok"),
      {
        ...documentFor("two"),
        connection: {
          protocol: "imap",
          mailServerUrl: "outlook.office365.com",
          port: 99999,
          security: "tls",
          additionalProperties: { "mail.imap.ssl.enable": "maybe" },
        },
        extra: true,
      },
      {
        ...documentFor(""),
        authentication: {
          ...documentFor("x").authentication,
          username: "not-an-address",
          requestProperties: { grant_type: "client_credentials", client_id: CLIENT_ID, scope: "s", client_secret: 42 },
        },
      },
    ];
    const errors = refused(JSON.stringify(bad));
    const paths = errors.map((e) => e.path);
    expect(paths).toContain("$[1].extra");
    expect(paths).toContain("$[2].name");
    expect(paths).toContain("$[2].authentication.requestProperties.client_secret");
    expect(errors.find((e) => e.path === "$[2].authentication.requestProperties.client_secret")!.message).toMatch(
      /null \("supply on import"\)/,
    );
    expect(errors.find((e) => e.path === "$[1].extra")!.message).toMatch(/Unknown field "extra"/);
    expect(paths.every((p) => !p.startsWith("$[0]"))).toBe(true);
  });

  it("names profile-rule errors by document path, including JavaMail keys", () => {
    const doc = documentFor("a", {
      connection: {
        protocol: "imap",
        mailServerUrl: "outlook.office365.com",
        port: 99999,
        security: "tls",
        additionalProperties: { "mail.imap.ssl.enable": "false" },
      },
    });
    const errors = refused(JSON.stringify([doc]));
    expect(errors).toContainEqual(expect.objectContaining({ path: "$[0].connection.port" }));
    const other = refused(
      JSON.stringify(
        documentFor("a", {
          connection: { ...documentFor("a").connection, additionalProperties: { "mail.imap.ssl.enable": "false" } },
        }),
      ),
    );
    expect(other).toEqual([
      expect.objectContaining({
        path: '$.connection.additionalProperties["mail.imap.ssl.enable"]',
        message: expect.stringMatching(/TLS/),
      }),
    ]);
  });

  it("reports the certificate against the form the admin meant", () => {
    const withCertificate = (certificate: unknown) =>
      documentFor("c", {
        authentication: {
          ...documentFor("c").authentication,
          method: "client_certificate",
          requestProperties: {
            grant_type: "client_credentials",
            client_id: CLIENT_ID,
            scope: "s",
            client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
          },
          certificate,
        },
      });
    expect(refused(JSON.stringify(withCertificate({ ref: 7 })))).toEqual([
      expect.objectContaining({ path: "$.authentication.certificate.ref" }),
    ]);
    expect(refused(JSON.stringify(withCertificate({ certificatePem: "x", privateKeyPem: 5 })))).toEqual([
      expect.objectContaining({
        path: "$.authentication.certificate.privateKeyPem",
        message: expect.stringMatching(/encrypted/),
      }),
    ]);
  });

  it("says which secrets are encrypted and need the passphrase", () => {
    const doc = documentFor("a");
    (doc.authentication.requestProperties as Record<string, unknown>).client_secret = { encrypted: "v1:AAAA" };
    const result = readImportFile(JSON.stringify(doc));
    expect(result).toMatchObject({ ok: true, needsPassphrase: true, documents: [{ encryptedSecrets: ["client_secret"] }] });
  });

  it("reads pasted key=value text through the flat-properties parser", () => {
    const text = `Protocol=IMAP\nMailserverURL=outlook.office365.com\nAuthentication Type=OAUTH2\nUsername=support@contoso.com\nToken URL=https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token\nclient_id=${CLIENT_ID}\nclient_secret=abc`;
    const result = readImportFile(text, { name: "Pasted" });
    expect(result).toMatchObject({ ok: true, source: "properties", documents: [{ path: "$", document: { name: "Pasted" } }] });
    expect(readImportFile(`${text}\nnonsense line`, { name: "Pasted" })).toMatchObject({
      ok: false,
      errors: [{ path: "line 8", code: "unknown_line" }],
    });
  });

  it("caps the error list for garbage input", () => {
    const garbage = Array.from({ length: 1000 }, (_, i) => `garbage ${i}`).join("\n");
    const errors = refused(garbage);
    expect(errors.length).toBe(IMPORT_LIMITS.maxErrors + 1);
    expect(errors.at(-1)!.message).toMatch(/and \d+ more/);
  });
});

import fs from "node:fs";
import { describe, expect, it } from "vitest";
import {
  documentSecrets,
  documentToInput,
  inputToDocument,
  profileDocumentSchema,
  profileJsonSchema,
} from "@/lib/profiles/document";
import { profileSchema } from "@/lib/profiles/schema";

const example = {
  format: "mcf-profile",
  version: 1,
  name: "Contoso support inbox",
  description: "Reads the support mailbox for the ticketing flow",
  connection: {
    protocol: "imap",
    mailServerUrl: "outlook.office365.com",
    port: 993,
    security: "tls",
    additionalProperties: {
      "mail.imap.starttls.enable": "true",
      "mail.imap.socketFactory.class": "javax.net.ssl.SSLSocketFactory",
    },
    trustedCaPem: null,
  },
  authentication: {
    type: "oauth2",
    username: "support@contoso.com",
    tokenUrl: "https://login.microsoftonline.com/TENANT_ID/oauth2/v2.0/token",
    tenantId: "00000000-0000-0000-0000-000000000000",
    method: "client_secret",
    requestProperties: {
      grant_type: "client_credentials",
      client_id: "11111111-1111-1111-1111-111111111111",
      scope: "https://outlook.office365.com/.default",
      client_secret: "<secret value>",
    },
  },
};

describe("mcf-profile document", () => {
  it("accepts the example of docs/PROFILE-FORMAT.md", () => {
    const result = profileDocumentSchema.safeParse(example);
    expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
  });

  it("round-trips document → form input → document", () => {
    const doc = profileDocumentSchema.parse(example);
    const input = documentToInput(doc);
    expect(profileSchema.safeParse(input).success).toBe(true);
    expect(inputToDocument(input, documentSecrets(doc))).toEqual(doc);
  });

  it("writes secrets as null unless given", () => {
    const input = documentToInput(profileDocumentSchema.parse(example));
    const stored = inputToDocument(input);
    expect(stored.authentication.type === "oauth2" && stored.authentication.requestProperties.client_secret).toBeNull();
    expect(JSON.stringify(stored)).not.toContain("<secret value>");
    expect(profileDocumentSchema.safeParse(stored).success).toBe(true);
  });

  it("reports errors with document paths", () => {
    const bad = structuredClone(example) as Record<string, unknown> & typeof example;
    bad.connection.additionalProperties = { "mail.imap.ssl.enable": "false" } as never;
    const paths = (doc: unknown) => profileDocumentSchema.safeParse(doc).error!.issues.map((i) => i.path);
    expect(paths(bad)).toContainEqual(["connection", "additionalProperties", "mail.imap.ssl.enable"]);
    bad.connection.port = 70000;
    expect(paths(bad)).toContainEqual(["connection", "port"]);
  });

  it("is strict about unknown keys, format and version", () => {
    const issues = (doc: unknown) =>
      profileDocumentSchema.safeParse(doc).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];
    expect(issues({ ...example, extra: 1 }).join()).toMatch(/extra/);
    expect(issues({ ...example, format: "other" }).join()).toMatch(/"format" must be "mcf-profile"/);
    expect(issues({ ...example, version: 2 }).join()).toMatch(/version 1/);
  });

  it("publishes a JSON Schema that matches the committed file", () => {
    const schema = profileJsonSchema();
    expect(schema.properties).toHaveProperty("connection");
    const committed = JSON.parse(fs.readFileSync("public/mcf-profile.schema.json", "utf8"));
    expect(committed).toEqual(JSON.parse(JSON.stringify(schema)));
  });
});

it("keeps request properties named like Object.prototype members (toString, constructor) as values", () => {
  const doc = profileDocumentSchema.parse({
    ...example,
    authentication: {
      ...example.authentication,
      requestProperties: { ...example.authentication.requestProperties, toString: "kept" },
    },
  });
  const stored = inputToDocument(documentToInput(doc));
  expect(stored.authentication.type === "oauth2" && stored.authentication.requestProperties.toString).toBe("kept");
});

import { describe, expect, it } from "vitest";
import { compareRevisions, describeChange, summarizeChanges, type RevisionSide } from "@/lib/profiles/revision-diff";
import { profileDocumentSchema, type ProfileDocument } from "@/lib/profiles/document";

const base: ProfileDocument = profileDocumentSchema.parse({
  format: "mcf-profile",
  version: 1,
  name: "Support",
  connection: {
    protocol: "imap",
    mailServerUrl: "outlook.office365.com",
    port: 993,
    security: "tls",
    additionalProperties: { "mail.imap.timeout": "5000" },
  },
  authentication: {
    type: "oauth2",
    username: "support@contoso.com",
    tokenUrl: "https://login.microsoftonline.com/TENANT_ID/oauth2/v2.0/token",
    tenantId: "contoso.onmicrosoft.com",
    method: "client_secret",
    requestProperties: {
      grant_type: "client_credentials",
      client_id: "11111111-1111-1111-1111-111111111111",
      scope: "https://outlook.office365.com/.default",
      client_secret: null,
    },
  },
});

const side = (doc: ProfileDocument, secret?: string): RevisionSide => ({
  document: doc,
  secrets: secret ? { client_secret: secret } : {},
});

describe("revision diff", () => {
  it("says what changed in the admin's terms, secrets by fingerprint only", () => {
    const after = structuredClone(base);
    after.connection.port = 995;
    after.connection.additionalProperties = { "mail.imap.connectiontimeout": "15000" };
    const changes = summarizeChanges(side(base, "hmac:aaa"), side(after, "hmac:bbb")).map(describeChange);
    expect(changes).toEqual([
      "Port: 993 → 995",
      "Property mail.imap.timeout removed",
      "Property mail.imap.connectiontimeout added (15000)",
      "Client secret rotated",
    ]);
  });

  it("reports an unchanged secret as unchanged, and nothing else when nothing changed", () => {
    const rows = compareRevisions(side(base, "hmac:aaa"), side(base, "hmac:aaa"));
    expect(rows.filter((r) => r.changed)).toEqual([]);
    expect(rows.find((r) => r.secret)).toMatchObject({ label: "Client secret", before: "stored", after: "unchanged" });
  });

  it("never shows a secret value even if one were in the document", () => {
    const leaky = structuredClone(base) as ProfileDocument & { authentication: { requestProperties: Record<string, unknown> } };
    leaky.authentication.requestProperties.client_secret = "plain-secret-value";
    const text = JSON.stringify(compareRevisions(side(base), side(leaky as ProfileDocument)));
    expect(text).not.toContain("plain-secret-value");
  });
});

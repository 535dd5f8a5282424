/**
 * Compares two saved configurations of a profile for the history screen, in the admin's terms:
 * "Port: 993 → 995", "Client secret: changed", "mail.imap.timeout: added". Secrets are compared by
 * their keyed fingerprints only; no value of a secret is ever an input here. Client-safe.
 */
import type { ProfileDocument } from "@/lib/profiles/document";
import { secretFieldLabels, secretFieldOfRequestProperty, secretFields, type SecretField } from "@/lib/profiles/secret-fields";

export type SecretFingerprints = Partial<Record<SecretField, string>>;

export interface RevisionSide {
  document: ProfileDocument;
  secrets: SecretFingerprints;
}

export type ChangeKind = "changed" | "added" | "removed";

export interface Change {
  /** what the admin sees as the field name */
  label: string;
  kind: ChangeKind;
  before?: string;
  after?: string;
  /** secrets show no values, only whether they changed */
  secret?: boolean;
}

export interface FieldRow {
  label: string;
  before: string;
  after: string;
  changed: boolean;
  secret?: boolean;
}

const protocolNames: Record<string, string> = { imap: "IMAP", pop3: "POP3" };
const securityNames: Record<string, string> = { tls: "TLS", starttls: "STARTTLS", none: "None (plain text)" };
const methodNames: Record<string, string> = {
  client_secret: "Client secret",
  client_certificate: "Client certificate",
  client_assertion: "Pasted client assertion",
};

/** The comparable fields of a document, flattened to labelled text (secrets excluded). */
function flatten(doc: ProfileDocument): Map<string, string> {
  const out = new Map<string, string>();
  out.set("Name", doc.name);
  out.set("Description", doc.description ?? "");
  out.set("Protocol", protocolNames[doc.connection.protocol] ?? doc.connection.protocol);
  out.set("Mail server URL", doc.connection.mailServerUrl);
  out.set("Port", doc.connection.port === undefined ? "default" : String(doc.connection.port));
  out.set("Security", securityNames[doc.connection.security] ?? doc.connection.security);
  out.set(
    "Trusted CA certificates",
    doc.connection.trustedCaPem
      ? `${(doc.connection.trustedCaPem.match(/BEGIN CERTIFICATE/g) ?? []).length} certificate(s)`
      : "none",
  );
  for (const [key, value] of Object.entries(doc.connection.additionalProperties ?? {})) out.set(`Property ${key}`, value);
  const auth = doc.authentication;
  out.set("Authentication type", auth.type === "basic" ? "Basic" : "OAUTH2");
  out.set("Username", auth.username);
  if (auth.type === "oauth2") {
    out.set("Token URL", auth.tokenUrl);
    out.set("Tenant ID", auth.tenantId ?? "");
    out.set("Method", methodNames[auth.method] ?? auth.method);
    out.set("Client authentication", auth.clientAuthentication ?? "client_secret_post");
    for (const [key, value] of Object.entries(auth.requestProperties)) {
      if (secretFieldOfRequestProperty(key)) continue;
      out.set(`Request property ${key}`, typeof value === "string" ? value : "");
    }
    if (auth.certificate && "ref" in auth.certificate) out.set("Certificate", auth.certificate.ref);
    if (auth.certificate && "certificatePem" in auth.certificate) out.set("Certificate", "pasted PEM");
    if (auth.assertion) {
      out.set("Assertion signature", auth.assertion.algorithm ?? "PS256");
      out.set("Assertion lifetime", String(auth.assertion.lifetimeSeconds ?? 300));
    }
  }
  return out;
}

/** Side-by-side rows: every field of either side, in a stable order, with secrets last. */
export function compareRevisions(before: RevisionSide, after: RevisionSide): FieldRow[] {
  const a = flatten(before.document);
  const b = flatten(after.document);
  const labels = [...new Set([...a.keys(), ...b.keys()])];
  const rows: FieldRow[] = labels.map((label) => {
    const x = a.get(label) ?? "";
    const y = b.get(label) ?? "";
    return {
      label,
      before: a.has(label) ? x : "—",
      after: b.has(label) ? y : "—",
      changed: x !== y || a.has(label) !== b.has(label),
    };
  });
  for (const field of secretFields) {
    const x = before.secrets[field];
    const y = after.secrets[field];
    if (!x && !y) continue;
    const state = (value: string | undefined) => (value ? "stored" : "none");
    const changed = x !== y;
    rows.push({
      label: secretFieldLabels[field],
      before: state(x),
      after: !changed ? "unchanged" : x && y ? "changed" : state(y),
      changed,
      secret: true,
    });
  }
  return rows;
}

/** The short list of what changed, e.g. for a revision's summary line. */
export function summarizeChanges(before: RevisionSide, after: RevisionSide): Change[] {
  return compareRevisions(before, after)
    .filter((row) => row.changed)
    .map((row) => {
      if (row.secret) {
        const kind: ChangeKind = row.before === "none" ? "added" : row.after === "none" ? "removed" : "changed";
        return { label: row.label, kind, secret: true };
      }
      const kind: ChangeKind = row.before === "—" ? "added" : row.after === "—" ? "removed" : "changed";
      return { label: row.label, kind, before: row.before, after: row.after };
    });
}

export function describeChange(change: Change): string {
  if (change.secret) return `${change.label} ${change.kind === "changed" ? "rotated" : change.kind}`;
  if (change.kind === "added") return `${change.label} added (${change.after})`;
  if (change.kind === "removed") return `${change.label} removed`;
  return `${change.label}: ${change.before || "empty"} → ${change.after || "empty"}`;
}

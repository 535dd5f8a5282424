/**
 * Where a profile's secrets go. A stored secret may be sent only to the destinations it was saved
 * with (docs/SECURITY.md, "Secrets are bound to their destinations"):
 * - `mail`: the mail server's host, port and security — the password is sent there, and so is the
 *   access token an OAuth credential buys (a token is itself a credential);
 * - `token`: the token URL after tenant substitution — the client secret, the pasted assertion, or
 *   an assertion signed with the profile's private key is sent there;
 * - `trust`: what decides which server is accepted as that destination — the profile's extra
 *   trusted CAs and the JavaMail properties that weaken certificate checks. Adding a CA or turning
 *   the checks off lets a server that merely claims the saved host name receive the secret.
 *
 * Client-safe: the form compares the destinations on screen with the saved ones to say, as soon
 * as one changes, that the secret must be typed again; the server enforces the same comparison
 * against what is stored with each secret (lib/profile-operations/secret-binding.ts).
 */
import { resolveConnection, type ProfileInput } from "@/lib/profiles/schema";
import { resolveTokenUrl } from "@/lib/profiles/oauth-defaults";
import { secretFieldLabels, type SecretField } from "@/lib/profiles/secret-fields";

export type DestinationPart = "mail" | "token" | "trust";

export interface Destinations {
  /** "host:port/security", or the field text as typed when it does not parse */
  mail: string;
  /** the resolved token URL; null for Basic authentication */
  token: string | null;
  /** the trust settings in a canonical text form (not hashed: compared, never stored like this) */
  trust: string;
}

/** Properties whose value changes which server certificate is accepted, by key suffix. */
const TRUST_PROPERTY_SUFFIXES = [".ssl.trust", ".ssl.checkserveridentity", ".socketFactory.fallback"] as const;

function mailDestination(connection: ProfileInput["connection"]): string {
  const resolved = resolveConnection(connection);
  if (!resolved)
    return `unparsed:${connection.mailServerUrl.trim().toLowerCase()}|${connection.port.trim()}|${connection.security}`;
  const host = resolved.address.host.includes(":") ? `[${resolved.address.host}]` : resolved.address.host;
  return `${host}:${resolved.port}/${connection.security}`;
}

/** The token URL as the request will use it: tenant substituted, host lower-cased, no fragment. */
export function tokenDestination(auth: Pick<ProfileInput["authentication"], "tokenUrl" | "tenantId">): string {
  const resolved = resolveTokenUrl(auth.tokenUrl, auth.tenantId);
  try {
    const url = new URL(resolved);
    url.hash = "";
    return url.href;
  } catch {
    return `unparsed:${resolved}`;
  }
}

function trustDestination(connection: ProfileInput["connection"]): string {
  const ca = connection.trustedCaPem.replace(/\s+/g, "");
  const properties = connection.additionalProperties
    .map((row) => ({ key: row.key.trim(), value: row.value.trim() }))
    .filter((row) => TRUST_PROPERTY_SUFFIXES.some((suffix) => row.key.endsWith(suffix)))
    .map((row) => `${row.key}=${row.value.toLowerCase()}`)
    .sort();
  return JSON.stringify([ca, properties]);
}

export function destinationsOf(input: Pick<ProfileInput, "connection" | "authentication">): Destinations {
  return {
    mail: mailDestination(input.connection),
    token: input.authentication.type === "oauth2" ? tokenDestination(input.authentication) : null,
    trust: trustDestination(input.connection),
  };
}

/** The destinations a secret field is sent to (or that receive what it buys). */
export function partsOf(field: SecretField): readonly DestinationPart[] {
  return field === "password" ? ["mail", "trust"] : ["mail", "token", "trust"];
}

/** Which of a secret's destinations differ between two configurations, in a fixed order. */
export function changedParts(field: SecretField, saved: Destinations, current: Destinations): DestinationPart[] {
  return partsOf(field).filter((part) => saved[part] !== current[part]);
}

const partLabels: Record<DestinationPart, string> = {
  mail: "the mail server changed",
  token: "the token URL changed",
  trust: "the trusted certificates or certificate checks changed",
};

function joinParts(parts: readonly DestinationPart[]): string {
  const labels = parts.map((part) => partLabels[part]);
  return labels.length <= 1 ? (labels[0] ?? "") : `${labels.slice(0, -1).join(", ")} and ${labels[labels.length - 1]}`;
}

/** The field error on a stored secret that may not follow a changed destination. */
export function reenterSecretMessage(field: SecretField, parts: readonly DestinationPart[]): string {
  return `Re-enter the ${secretFieldLabels[field].toLowerCase()}: ${joinParts(parts)}. A stored secret is sent only where it was saved to go.`;
}

/** The notice beside the destination fields, as soon as one of them changes. */
export function destinationChangeNotice(fields: readonly SecretField[], parts: readonly DestinationPart[]): string {
  const names = fields.map((field) => secretFieldLabels[field].toLowerCase());
  const list = names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  const what = joinParts(parts);
  return `${what.charAt(0).toUpperCase()}${what.slice(1)}: type the ${list} again to test or save. The stored ${names.length > 1 ? "values are" : "value is"} only sent where ${names.length > 1 ? "they were" : "it was"} saved to go.`;
}

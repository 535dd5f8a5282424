import "server-only";
/**
 * Each stored secret carries the destinations it was saved with (ProfileSecret.destination), and
 * is used only while the profile still points there: a Test or a save that changes the mail
 * server, the token URL or the trust settings must carry the secret typed anew, whoever asks —
 * Use, Edit or Manage level, the owner included. Without this, anyone who may edit a profile (or
 * test a draft of it) could point it at a server they control and receive the stored password,
 * client secret, a signed assertion or a fresh access token.
 *
 * The binding is checked where stored secrets are read for use (the Test, lib/profile-operations/profile-test.ts)
 * and where they are kept across a save (lib/profile-operations/profile-service.ts), so no caller — console,
 * REST API, import or restore — can move a secret without retyping it.
 */
import crypto from "node:crypto";
import {
  destinationsOf,
  partsOf,
  reenterSecretMessage,
  type DestinationPart,
  type Destinations,
} from "@/lib/profiles/destinations";
import type { ProfileInput } from "@/lib/profiles/schema";
import type { SecretField } from "@/lib/profiles/secret-fields";

/** What is stored with a secret: the raw destinations, except trust, kept only as a digest. */
export type SecretBinding = Partial<Record<DestinationPart, string>>;

const digest = (text: string) => crypto.createHash("sha256").update(text).digest("base64url");

function bindingFromDestinations(field: SecretField, destinations: Destinations): SecretBinding {
  const binding: SecretBinding = {};
  for (const part of partsOf(field)) {
    const value = destinations[part];
    if (value !== null) binding[part] = part === "trust" ? digest(value) : value;
  }
  return binding;
}

/** The binding a secret gets when it is saved with this configuration. */
export function bindingFor(input: Pick<ProfileInput, "connection" | "authentication">, field: SecretField): SecretBinding {
  return bindingFromDestinations(field, destinationsOf(input));
}

export const serializeBinding = (binding: SecretBinding): string => JSON.stringify(binding);

/** A stored binding; a row written before bindings existed (null) is bound to the saved configuration. */
export function storedBinding(
  text: string | null,
  field: SecretField,
  savedConfiguration: Pick<ProfileInput, "connection" | "authentication">,
): SecretBinding {
  if (text) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as SecretBinding;
    } catch {
      // an unreadable binding binds to nothing: the secret must be typed again
    }
    return { mail: "", token: "", trust: "" };
  }
  return bindingFor(savedConfiguration, field);
}

/** The destinations of `field` where the configuration differs from the secret's binding. */
export function retargetedParts(
  binding: SecretBinding,
  input: Pick<ProfileInput, "connection" | "authentication">,
  field: SecretField,
): DestinationPart[] {
  const current = bindingFor(input, field);
  return partsOf(field).filter((part) => (binding[part] ?? null) !== (current[part] ?? null));
}

/** Where the form shows a secret field: the password input, a request-property row, the key fields. */
export function secretFieldPath(input: ProfileInput, field: SecretField): string {
  const auth = input.authentication;
  if (field === "password") return "authentication.password";
  if (field === "private_key") return "authentication.certificate.privateKeyPem";
  if (field === "private_key_passphrase") return "authentication.certificate.privateKeyPassphrase";
  const index = auth.requestProperties.findIndex((row) => row.key.trim() === field);
  return index >= 0 ? `authentication.requestProperties.${index}.value` : "authentication.requestProperties";
}

/** The field error for a stored secret that may not follow the changed destinations. */
export function retargetError(input: ProfileInput, field: SecretField, parts: DestinationPart[]): [string, string] {
  return [secretFieldPath(input, field), reenterSecretMessage(field, parts)];
}

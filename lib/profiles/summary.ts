/** Small derived values shown in lists and headings. Client-safe. */
import type { ProfileInput } from "@/lib/profiles/schema";
import type { SecretField } from "@/lib/profiles/secret-fields";

export function authLabel(auth: Pick<ProfileInput["authentication"], "type" | "method">): string {
  if (auth.type === "basic") return "Basic";
  if (auth.method === "client_secret") return "OAuth2 · client secret";
  if (auth.method === "client_certificate") return "OAuth2 · certificate";
  return "OAuth2 · pasted assertion";
}

/** Case-insensitive, Unicode-normalised key for unique profile names. */
export const nameKey = (name: string) => name.trim().normalize("NFKC").toLowerCase();

/** The secrets a configuration actually uses; others are removed when it is saved. */
export function secretsInUse(auth: Pick<ProfileInput["authentication"], "type" | "method" | "certificate">): SecretField[] {
  if (auth.type === "basic") return ["password"];
  if (auth.method === "client_secret") return ["client_secret"];
  if (auth.method === "client_assertion") return ["client_assertion"];
  // a stored certificate keeps its key in the certificate store, not in the profile
  return auth.certificate.source === "stored" ? [] : ["private_key", "private_key_passphrase"];
}

/** The typed value of each secret field in the form input ("" when left blank). */
export function typedSecrets(input: ProfileInput): Record<SecretField, string> {
  const row = (key: string) => input.authentication.requestProperties.find((r) => r.key.trim() === key)?.value ?? "";
  return {
    password: input.authentication.password,
    client_secret: row("client_secret"),
    client_assertion: row("client_assertion").trim(),
    private_key: input.authentication.certificate.privateKeyPem.trim(),
    private_key_passphrase: input.authentication.certificate.privateKeyPassphrase,
  };
}

import "server-only";
/**
 * The secrets a Test works with: what the admin typed into the form wins, a blank field falls back
 * to the stored value (unless the admin pressed Clear), as the form promises. Every value found
 * here is registered with the run's redactor before anything is sent anywhere.
 */
import type { TestSubject } from "@/lib/diagnostics/types";
import { resolveTokenUrl } from "@/lib/profiles/oauth-defaults";
import { secretFields, type SecretField } from "@/lib/profiles/secret-fields";
import { typedSecrets } from "@/lib/profiles/summary";
import type { TokenRequestSettings } from "@/lib/oauth/token-request";

export type SubjectSecrets = Partial<Record<SecretField, string>>;

export function effectiveSecrets(subject: TestSubject): SubjectSecrets {
  const typed = typedSecrets(subject.profile);
  const out: SubjectSecrets = {};
  for (const field of secretFields) {
    const value = typed[field] || (subject.profile.secrets.clear.includes(field) ? undefined : subject.secrets[field]);
    if (value) out[field] = value;
  }
  return out;
}

/** The token request for an OAuth2 profile; secrets come from `secrets`, never from the request rows. */
export function tokenRequestSettings(subject: TestSubject, secrets: SubjectSecrets, timeoutMs: number): TokenRequestSettings {
  const auth = subject.profile.authentication;
  const rows: Record<string, string> = {};
  for (const row of auth.requestProperties) {
    const key = row.key.trim();
    if (key && key !== "client_secret" && key !== "client_assertion") rows[key] = row.value.trim();
  }
  let certificate: TokenRequestSettings["certificate"];
  if (auth.method === "client_certificate") {
    const material =
      subject.certificate ??
      (auth.certificate.source === "pem" && secrets.private_key
        ? { certificatePem: auth.certificate.certificatePem, privateKeyPem: secrets.private_key }
        : undefined);
    if (material)
      certificate = { ...material, ...(secrets.private_key_passphrase ? { passphrase: secrets.private_key_passphrase } : {}) };
  }
  const lifetime = Number(auth.assertion.lifetimeSeconds.trim());
  return {
    tokenUrl: auth.tokenUrl,
    ...(auth.tenantId.trim() ? { tenantId: auth.tenantId.trim() } : {}),
    method: auth.method,
    clientAuthentication: auth.clientAuthentication,
    requestProperties: rows,
    ...(secrets.client_secret ? { clientSecret: secrets.client_secret } : {}),
    ...(secrets.client_assertion ? { clientAssertion: secrets.client_assertion } : {}),
    ...(certificate ? { certificate } : {}),
    assertion: {
      algorithm: auth.assertion.algorithm,
      lifetimeSeconds: Number.isInteger(lifetime) && lifetime > 0 ? lifetime : 300,
    },
    ...(subject.profile.connection.trustedCaPem.trim() ? { trustedCaPem: subject.profile.connection.trustedCaPem } : {}),
    ...(subject.extraCaPem ? { extraCaPem: subject.extraCaPem } : {}),
    timeoutMs,
  };
}

export function resolvedTokenUrl(subject: TestSubject): string {
  return resolveTokenUrl(subject.profile.authentication.tokenUrl, subject.profile.authentication.tenantId);
}

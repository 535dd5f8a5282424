/**
 * The one registry of secret fields. Every secret a profile can hold is named here, with where it
 * sits in the mcf-profile document. Anything listed is encrypted at rest, never sent to a browser,
 * left out of exports unless encrypted, and masked in transcripts.
 */
export const secretFields = ["password", "client_secret", "client_assertion", "private_key", "private_key_passphrase"] as const;

export type SecretField = (typeof secretFields)[number];

export const secretFieldLabels: Record<SecretField, string> = {
  password: "Password",
  client_secret: "Client secret",
  client_assertion: "Client assertion",
  private_key: "Private key",
  private_key_passphrase: "Private key passphrase",
};

/** Request-property keys whose values are secrets (shown masked in the request properties table). */
export const secretRequestProperties: Readonly<Record<string, SecretField>> = {
  client_secret: "client_secret",
  client_assertion: "client_assertion",
};

/**
 * The secret field a request property holds, if any. An own-property lookup: a key such as
 * "toString" must not find Object.prototype's member and be mistaken for a secret.
 */
export function secretFieldOfRequestProperty(key: string): SecretField | undefined {
  return Object.hasOwn(secretRequestProperties, key) ? secretRequestProperties[key] : undefined;
}

export type StoredSecretFlags = Record<SecretField, boolean>;

export const noStoredSecrets: StoredSecretFlags = {
  password: false,
  client_secret: false,
  client_assertion: false,
  private_key: false,
  private_key_passphrase: false,
};

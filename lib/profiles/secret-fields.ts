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
export const secretRequestProperties: Partial<Record<string, SecretField>> = {
  client_secret: "client_secret",
  client_assertion: "client_assertion",
};

export type StoredSecretFlags = Record<SecretField, boolean>;

export const noStoredSecrets: StoredSecretFlags = {
  password: false,
  client_secret: false,
  client_assertion: false,
  private_key: false,
  private_key_passphrase: false,
};

/** What a new profile form starts with: the common Exchange Online set-up. Client-safe. */
import { DEFAULT_TOKEN_URL, requestPropertiesFor } from "@/lib/profiles/oauth-defaults";
import type { ProfileInput } from "@/lib/profiles/schema";
import { noStoredSecrets } from "@/lib/profiles/secret-fields";

export function newProfileInput(): ProfileInput {
  return {
    name: "",
    description: "",
    connection: {
      protocol: "imap",
      mailServerUrl: "outlook.office365.com",
      port: "",
      security: "tls",
      additionalProperties: [],
      trustedCaPem: "",
    },
    authentication: {
      type: "oauth2",
      username: "",
      password: "",
      tokenUrl: DEFAULT_TOKEN_URL,
      tenantId: "",
      method: "client_secret",
      clientAuthentication: "client_secret_post",
      requestProperties: requestPropertiesFor("client_secret"),
      certificate: { source: "stored", certificateId: "", certificatePem: "", privateKeyPem: "", privateKeyPassphrase: "" },
      assertion: { algorithm: "PS256", lifetimeSeconds: "" },
    },
    secrets: { stored: { ...noStoredSecrets }, clear: [] },
  };
}

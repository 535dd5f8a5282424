import { newProfileInput } from "@/lib/profiles/defaults";
import { requestPropertiesFor } from "@/lib/profiles/oauth-defaults";
import type { ProfileInput } from "@/lib/profiles/schema";

export const CLIENT_ID = "11111111-1111-1111-1111-111111111111";
export const TENANT_ID = "00000000-0000-0000-0000-000000000000";

/** A valid OAuth2 client-secret profile input, as the form would submit it. */
export function oauthSecretInput(
  overrides: { name?: string; secret?: string; username?: string; host?: string } = {},
): ProfileInput {
  const input = newProfileInput();
  input.name = overrides.name ?? "Contoso support";
  input.connection.mailServerUrl = overrides.host ?? "outlook.office365.com";
  input.authentication.username = overrides.username ?? "support@contoso.com";
  input.authentication.tenantId = TENANT_ID;
  input.authentication.requestProperties = requestPropertiesFor("client_secret").map((row) =>
    row.key === "client_id"
      ? { ...row, value: CLIENT_ID }
      : row.key === "client_secret"
        ? { ...row, value: overrides.secret ?? "" }
        : row,
  );
  return input;
}

export function basicInput(overrides: { name?: string; password?: string; username?: string } = {}): ProfileInput {
  const input = newProfileInput();
  input.name = overrides.name ?? "Basic inbox";
  input.authentication.type = "basic";
  input.authentication.username = overrides.username ?? "alice";
  input.authentication.password = overrides.password ?? "";
  return input;
}

/** Microsoft identity platform defaults for the client-credentials grant (docs/MICROSOFT.md#token-request). Client-safe. */
export const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
export const DEFAULT_TOKEN_URL = "https://login.microsoftonline.com/TENANT_ID/oauth2/v2.0/token";
export const DEFAULT_SCOPE = "https://outlook.office365.com/.default";
export const TENANT_PLACEHOLDERS = ["TENANT_ID", "{tenant}"] as const;

export type OAuthMethod = "client_secret" | "client_certificate" | "client_assertion";

export const oauthMethodLabels: Record<OAuthMethod, string> = {
  client_secret: "Client secret (Method 1)",
  client_certificate: "Client certificate — console signs a fresh assertion (Method 2)",
  client_assertion: "Pasted client assertion (Method 2, as in the original guide)",
};

export interface PropertyRow {
  key: string;
  value: string;
}

/** Keys each method builds or needs beside the common ones; the rest of the table is the admin's. */
const methodKeys: Record<OAuthMethod, string[]> = {
  client_secret: ["client_secret"],
  client_certificate: ["client_assertion_type"],
  client_assertion: ["client_assertion_type", "client_assertion"],
};
const allMethodKeys = ["client_secret", "client_assertion_type", "client_assertion"];

/**
 * Request properties prefilled for a method. Rows the admin already filled (client_id, scope,
 * extras) are kept; rows that belong to another method are dropped, so switching method never sends
 * a stale secret.
 */
export function requestPropertiesFor(method: OAuthMethod, current: PropertyRow[] = []): PropertyRow[] {
  const value = (key: string, fallback: string) => current.find((r) => r.key === key)?.value ?? fallback;
  const rows: PropertyRow[] = [
    { key: "grant_type", value: value("grant_type", "client_credentials") },
    { key: "client_id", value: value("client_id", "") },
    { key: "scope", value: value("scope", DEFAULT_SCOPE) },
  ];
  for (const key of methodKeys[method]) {
    rows.push({ key, value: key === "client_assertion_type" ? CLIENT_ASSERTION_TYPE : value(key, "") });
  }
  const fixed = new Set(["grant_type", "client_id", "scope", ...allMethodKeys]);
  return [...rows, ...current.filter((r) => !fixed.has(r.key))];
}

/** The token URL with TENANT_ID / {tenant} replaced by the tenant id. */
export function resolveTokenUrl(tokenUrl: string, tenantId: string | undefined | null): string {
  let url = tokenUrl.trim();
  if (tenantId) for (const placeholder of TENANT_PLACEHOLDERS) url = url.split(placeholder).join(tenantId.trim());
  return url;
}

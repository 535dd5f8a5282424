/**
 * Shapes of Microsoft Entra identifiers (docs/MICROSOFT.md#token-endpoint). Client-safe: the form,
 * the lint rules and the server all recognise a tenant or a client ID the same way.
 */
export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN_PATTERN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** Tenant-less authorities: the client-credentials grant needs one specific directory (AADSTS9001023). */
export const MULTI_TENANT_SEGMENTS = ["common", "organizations", "consumers"] as const;

export function isGuid(value: string): boolean {
  return GUID_PATTERN.test(value.trim());
}

export function isDomainName(value: string): boolean {
  return DOMAIN_PATTERN.test(value.trim());
}

export function isMultiTenantSegment(value: string): boolean {
  return (MULTI_TENANT_SEGMENTS as readonly string[]).includes(value.trim().toLowerCase());
}

/** A GUID, with or without braces, lower-cased; undefined when it is not one. */
export function normalizeGuid(value: string | undefined | null): string | undefined {
  const trimmed = value?.trim().replace(/^\{(.*)\}$/, "$1");
  return trimmed && GUID_PATTERN.test(trimmed) ? trimmed.toLowerCase() : undefined;
}

export interface TokenUrlParts {
  url: URL;
  host: string;
  /** The first path segment: where Entra expects the tenant (GUID or verified domain). */
  tenantSegment: string | undefined;
  /** True when the path is /<tenant>/oauth2/v2.0/token. */
  isV2TokenPath: boolean;
  /** True when the path is the v1 endpoint /<tenant>/oauth2/token, which takes `resource`, not `scope`. */
  isV1TokenPath: boolean;
}

/** Splits a resolved token URL; undefined when it is not a URL at all. */
export function parseTokenUrl(resolvedUrl: string): TokenUrlParts | undefined {
  let url: URL;
  try {
    url = new URL(resolvedUrl.trim());
  } catch {
    return undefined;
  }
  const segments = url.pathname.split("/").filter(Boolean);
  const rest = segments.slice(1).join("/").toLowerCase();
  return {
    url,
    host: url.hostname.toLowerCase(),
    tenantSegment: segments[0] === undefined ? undefined : decodeURIComponent(segments[0]),
    isV2TokenPath: rest === "oauth2/v2.0/token",
    isV1TokenPath: rest === "oauth2/token",
  };
}

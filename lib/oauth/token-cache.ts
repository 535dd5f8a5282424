import "server-only";
/**
 * In-memory access-token cache (docs/MICROSOFT.md#token-caching). Keyed by what decides which token Entra issues:
 * resolved token URL, client_id, scope, and a fingerprint of the credential, so a changed secret or
 * certificate never reuses a token obtained with the old one. The fingerprint is an HMAC-SHA-256 with
 * a per-process random key: as cheap as a plain SHA-256, but it cannot be checked against guesses
 * of a weak secret by anyone who sees a key. Secrets themselves are never stored here.
 *
 * Entries live until expiresAt − 5 min, so a token handed to a mail login always has time left.
 * A Test asks for `fresh` (the default there) so new consent or roles are picked up at once.
 */
import crypto from "node:crypto";
import { parseCertificate, certificateThumbprints } from "@/lib/oauth/client-assertion";
import { resolveTokenUrl } from "@/lib/profiles/oauth-defaults";
import type { TokenRequestSettings, TokenResult, TokenSuccess } from "@/lib/oauth/token-request";

export const EXPIRY_MARGIN_MS = 5 * 60 * 1000;

const fingerprintKey = crypto.randomBytes(32);

export interface TokenCacheKeyParts {
  tokenUrl: string;
  clientId: string;
  scope: string;
  credentialFingerprint: string;
}

/** Fingerprint of the credential in use: secret, pasted assertion or certificate thumbprint. */
export function credentialFingerprint(settings: TokenRequestSettings): string {
  let material: string;
  if (settings.method === "client_secret") material = `secret:${settings.clientSecret?.trim() ?? ""}`;
  else if (settings.method === "client_assertion") material = `assertion:${settings.clientAssertion?.trim() ?? ""}`;
  else {
    const cert = settings.certificate ? parseCertificate(settings.certificate.certificatePem) : undefined;
    material = `certificate:${cert ? certificateThumbprints(cert).sha256Hex : ""}`;
  }
  return crypto.createHmac("sha256", fingerprintKey).update(material).digest("base64url");
}

export function cacheKeyParts(settings: TokenRequestSettings): TokenCacheKeyParts {
  const property = (key: string) => settings.requestProperties[key]?.trim() ?? "";
  return {
    tokenUrl: resolveTokenUrl(settings.tokenUrl, settings.tenantId),
    clientId: property("client_id"),
    scope: property("scope"),
    credentialFingerprint: credentialFingerprint(settings),
  };
}

/** The cache key for settings: the parts joined; it holds no secret (only the fingerprint). */
export function cacheKey(settings: TokenRequestSettings): string {
  const p = cacheKeyParts(settings);
  return JSON.stringify([p.tokenUrl, p.clientId, p.scope, p.credentialFingerprint]);
}

interface Entry {
  token: TokenSuccess;
  usableUntil: number;
}

export interface GetOrRequestOptions {
  /** Bypass the cache (a Test uses a fresh token by default); the new token still refreshes the entry. */
  fresh?: boolean;
  now?: () => number;
}

export type CachedTokenResult = TokenResult & { fromCache: boolean };

export interface TokenCache {
  getOrRequest(
    key: string,
    profileId: string,
    request: () => Promise<TokenResult>,
    options?: GetOrRequestOptions,
  ): Promise<CachedTokenResult>;
  /** Drops every entry of a profile: call on save, delete, or secret change. */
  invalidateProfile(profileId: string): void;
  clear(): void;
  readonly size: number;
}

export function createTokenCache(): TokenCache {
  const entries = new Map<string, Entry>();
  const keysByProfile = new Map<string, Set<string>>();
  // Concurrent requests for one key share one network exchange.
  const inFlight = new Map<string, Promise<TokenResult>>();

  const remember = (profileId: string, key: string) => {
    let keys = keysByProfile.get(profileId);
    if (!keys) keysByProfile.set(profileId, (keys = new Set()));
    keys.add(key);
  };

  return {
    async getOrRequest(key, profileId, request, options = {}) {
      const now = options.now ?? Date.now;
      if (!options.fresh) {
        const entry = entries.get(key);
        if (entry && entry.usableUntil > now()) return { ...entry.token, fromCache: true };
        if (entry) entries.delete(key);
        const pending = inFlight.get(key);
        if (pending) return { ...(await pending), fromCache: false };
      }
      const promise = request();
      if (!options.fresh) inFlight.set(key, promise);
      try {
        const result = await promise;
        if (result.ok) {
          const usableUntil = result.expiresAt.getTime() - EXPIRY_MARGIN_MS;
          if (usableUntil > now()) {
            entries.set(key, { token: result, usableUntil });
            remember(profileId, key);
          }
        }
        return { ...result, fromCache: false };
      } finally {
        if (inFlight.get(key) === promise) inFlight.delete(key);
      }
    },
    invalidateProfile(profileId) {
      for (const key of keysByProfile.get(profileId) ?? []) {
        entries.delete(key);
        inFlight.delete(key);
      }
      keysByProfile.delete(profileId);
    },
    clear() {
      entries.clear();
      keysByProfile.clear();
      inFlight.clear();
    },
    get size() {
      return entries.size;
    },
  };
}

/** The process-wide cache used by the console and the CLI. */
export const tokenCache = createTokenCache();

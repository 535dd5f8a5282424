import { describe, expect, it, vi } from "vitest";
import { cacheKey, cacheKeyParts, createTokenCache, credentialFingerprint, EXPIRY_MARGIN_MS } from "./token-cache";
import type { TokenRequestSettings, TokenResult } from "./token-request";

const SECRET = "Xy78Q~abcdefghijklmnopqrstuvwxyz0123456789";
const settings = (overrides: Partial<TokenRequestSettings> = {}): TokenRequestSettings => ({
  tokenUrl: "https://login.microsoftonline.com/TENANT_ID/oauth2/v2.0/token",
  tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  method: "client_secret",
  clientAuthentication: "client_secret_post",
  requestProperties: {
    grant_type: "client_credentials",
    client_id: "6731de76-14a6-49ae-97bc-6eba6914391e",
    scope: "https://outlook.office365.com/.default",
  },
  clientSecret: SECRET,
  ...overrides,
});

const T0 = Date.parse("2025-03-01T12:00:00Z");
const token = (name: string, expiresInS = 3599): TokenResult => ({
  ok: true,
  accessToken: name,
  tokenType: "Bearer",
  expiresIn: expiresInS,
  expiresAt: new Date(T0 + expiresInS * 1000),
  claims: null,
  summary: "",
  attempts: 1,
  ms: 1,
});

describe("token cache keys", () => {
  it("keys on resolved URL, client_id, scope and a fingerprint that is not the secret", () => {
    const parts = cacheKeyParts(settings());
    expect(parts).toMatchObject({
      tokenUrl: "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token",
      clientId: "6731de76-14a6-49ae-97bc-6eba6914391e",
      scope: "https://outlook.office365.com/.default",
    });
    expect(parts.credentialFingerprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cacheKey(settings())).not.toContain(SECRET);
    expect(cacheKey(settings())).toBe(cacheKey(settings()));
  });

  it("changes the fingerprint when the credential changes", () => {
    expect(credentialFingerprint(settings())).not.toBe(credentialFingerprint(settings({ clientSecret: `${SECRET}x` })));
    expect(credentialFingerprint(settings({ method: "client_assertion", clientAssertion: "a.b.c" }))).not.toBe(
      credentialFingerprint(settings({ method: "client_assertion", clientAssertion: "a.b.d" })),
    );
    expect(cacheKey(settings())).not.toBe(
      cacheKey(
        settings({ requestProperties: { ...settings().requestProperties, scope: "https://outlook.office.com/.default" } }),
      ),
    );
  });
});

describe("createTokenCache", () => {
  it("reuses a token until expiresAt − 5 min, then requests again", async () => {
    const cache = createTokenCache();
    let now = T0;
    const request = vi.fn(async () => token(`t${request.mock.calls.length}`));
    const first = await cache.getOrRequest("k", "p1", request, { now: () => now });
    expect(first).toMatchObject({ ok: true, accessToken: "t1", fromCache: false });
    now = T0 + 3599_000 - EXPIRY_MARGIN_MS - 1;
    expect(await cache.getOrRequest("k", "p1", request, { now: () => now })).toMatchObject({
      accessToken: "t1",
      fromCache: true,
    });
    now += 1;
    expect(await cache.getOrRequest("k", "p1", request, { now: () => now })).toMatchObject({
      accessToken: "t2",
      fromCache: false,
    });
    expect(request).toHaveBeenCalledTimes(2);
  });

  it("bypasses the cache when fresh (a Test), and keeps the newer token", async () => {
    const cache = createTokenCache();
    const request = vi.fn(async () => token(`t${request.mock.calls.length}`));
    await cache.getOrRequest("k", "p1", request, { now: () => T0 });
    expect(await cache.getOrRequest("k", "p1", request, { fresh: true, now: () => T0 })).toMatchObject({
      accessToken: "t2",
      fromCache: false,
    });
    expect(await cache.getOrRequest("k", "p1", request, { now: () => T0 })).toMatchObject({ accessToken: "t2", fromCache: true });
  });

  it("does not cache failures or tokens too short-lived to survive the margin", async () => {
    const cache = createTokenCache();
    const failure: TokenResult = {
      ok: false,
      kind: "http",
      title: "x",
      aadstsCodes: [],
      cause: "c",
      fix: "f",
      attempts: 1,
      ms: 1,
    };
    await cache.getOrRequest("a", "p", async () => failure, { now: () => T0 });
    await cache.getOrRequest("b", "p", async () => token("short", 200), { now: () => T0 });
    expect(cache.size).toBe(0);
  });

  it("invalidateProfile drops only that profile's entries", async () => {
    const cache = createTokenCache();
    await cache.getOrRequest("k1", "p1", async () => token("a"), { now: () => T0 });
    await cache.getOrRequest("k2", "p2", async () => token("b"), { now: () => T0 });
    cache.invalidateProfile("p1");
    expect(cache.size).toBe(1);
    expect(await cache.getOrRequest("k2", "p2", async () => token("new"), { now: () => T0 })).toMatchObject({
      accessToken: "b",
      fromCache: true,
    });
    expect(await cache.getOrRequest("k1", "p1", async () => token("new"), { now: () => T0 })).toMatchObject({
      accessToken: "new",
      fromCache: false,
    });
  });

  it("shares one request between concurrent callers", async () => {
    const cache = createTokenCache();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const request = vi.fn(async () => {
      await gate;
      return token("shared");
    });
    const both = Promise.all([
      cache.getOrRequest("k", "p", request, { now: () => T0 }),
      cache.getOrRequest("k", "p", request, { now: () => T0 }),
    ]);
    release();
    const [a, b] = await both;
    expect(request).toHaveBeenCalledTimes(1);
    expect(a.ok && b.ok && a.accessToken === b.accessToken).toBe(true);
  });
});

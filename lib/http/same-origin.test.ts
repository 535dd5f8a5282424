import { afterEach, describe, expect, it, vi } from "vitest";

/** lib/env.ts reads the environment once, at import: load the check afresh for each setting. */
async function loadCheck(publicUrl?: string) {
  vi.resetModules();
  if (publicUrl) vi.stubEnv("MCF_PUBLIC_URL", publicUrl);
  else vi.stubEnv("MCF_PUBLIC_URL", undefined);
  return (await import("@/lib/http/same-origin")).checkSameOrigin;
}

const request = (method: string, headers: Record<string, string>, url = "http://10.0.0.5:3000/api/profiles/test") => ({
  method,
  url,
  headers: new Headers(headers),
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("checkSameOrigin without MCF_PUBLIC_URL: the Host the browser addressed", () => {
  it("accepts the console's own origin under http or https, whatever the case", async () => {
    const check = await loadCheck();
    expect(check(request("POST", { host: "10.0.0.5:3000", origin: "http://10.0.0.5:3000" }))).toEqual({ ok: true });
    expect(check(request("POST", { host: "Console.Example:3000", origin: "https://console.example:3000" }))).toEqual({
      ok: true,
    });
  });

  it("refuses another port of the same host (same-site, so the cookie was sent) and names the console's address", async () => {
    const check = await loadCheck();
    expect(check(request("POST", { host: "10.0.0.5:3000", origin: "http://10.0.0.5:4000" }))).toEqual({
      ok: false,
      message:
        "This request came from another site (origin http://10.0.0.5:4000). Open the console at http://10.0.0.5:3000 and try again.",
    });
  });

  it("goes by Sec-Fetch-Site when there is no Origin: same-origin and none pass, same-site and cross-site do not", async () => {
    const check = await loadCheck();
    expect(check(request("POST", { host: "10.0.0.5:3000", "sec-fetch-site": "same-origin" })).ok).toBe(true);
    expect(check(request("GET", { host: "10.0.0.5:3000", "sec-fetch-site": "none" })).ok).toBe(true);
    expect(check(request("GET", { host: "10.0.0.5:3000", "sec-fetch-site": "same-site" })).ok).toBe(false);
    expect(check(request("POST", { host: "10.0.0.5:3000", "sec-fetch-site": "cross-site" })).ok).toBe(false);
  });

  it("a GET with neither header passes (plain http navigation); a POST with neither does not", async () => {
    const check = await loadCheck();
    expect(check(request("GET", { host: "10.0.0.5:3000" })).ok).toBe(true);
    const post = check(request("POST", { host: "10.0.0.5:3000" }));
    expect(post.ok).toBe(false);
    expect(!post.ok && post.message).toMatch(/^This request did not say which site it came from/);
  });

  it("Origin null never matches, and a hostile Origin is shortened to one printable line", async () => {
    const check = await loadCheck();
    expect(check(request("POST", { host: "10.0.0.5:3000", origin: "null" })).ok).toBe(false);
    const long = check(request("POST", { host: "10.0.0.5:3000", origin: `http://x${"a".repeat(300)}\u00e9` }));
    expect(!long.ok && long.message.length).toBeLessThan(250);
  });
});

describe("checkSameOrigin with MCF_PUBLIC_URL (behind a reverse proxy)", () => {
  it("accepts exactly the public origin, whatever Host the proxy forwards", async () => {
    const check = await loadCheck("https://mcf.example.com/");
    expect(check(request("POST", { host: "127.0.0.1:3000", origin: "https://mcf.example.com" })).ok).toBe(true);
  });

  it("refuses the forwarded Host's origin and plain http, and tells where the console is", async () => {
    const check = await loadCheck("https://mcf.example.com");
    expect(check(request("POST", { host: "127.0.0.1:3000", origin: "http://127.0.0.1:3000" }))).toEqual({
      ok: false,
      message:
        "This request came from another site (origin http://127.0.0.1:3000). Open the console at https://mcf.example.com and try again.",
    });
    expect(check(request("POST", { host: "mcf.example.com", origin: "http://mcf.example.com" })).ok).toBe(false);
  });
});

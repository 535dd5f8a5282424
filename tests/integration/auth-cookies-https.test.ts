/**
 * Behind https (MCF_PUBLIC_URL=https://…) the session cookie is Secure and carries the __Secure-
 * prefix, so a browser never sends it over plain HTTP and no plain-HTTP page can overwrite it.
 * (Plain HTTP: tests/integration/auth-endpoints.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.MCF_PUBLIC_URL = "https://console.example.test";
});

const { POST } = await import("@/app/api/auth/[...all]/route");
const { getAuth } = await import("@/lib/auth/auth");
const { createFirstOwner } = await import("@/lib/auth/users");

const ORIGIN = "https://console.example.test";
const PASSWORD = "correct horse battery staple";

// a later test file in the same worker must not inherit the https console
afterAll(() => {
  delete process.env.MCF_PUBLIC_URL;
  delete (globalThis as { mcfAuth?: unknown }).mcfAuth;
});

beforeAll(async () => {
  await createFirstOwner({ email: "owner@example.test", name: "Olivia Owner", password: PASSWORD });
});

describe("the session cookie behind https", () => {
  it("is __Secure-, Secure, httpOnly, SameSite=Lax, Path=/", async () => {
    const response = await POST(
      new Request(`${ORIGIN}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { host: "console.example.test", origin: ORIGIN, "content-type": "application/json" },
        body: JSON.stringify({ email: "owner@example.test", password: PASSWORD }),
      }),
    );
    expect(response.status).toBe(200);
    const cookies = response.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith("__Secure-mcf.session_token="));
    expect(session, cookies.join("\n")).toBeDefined();
    const attributes = session!
      .split(";")
      .slice(1)
      .map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(["secure", "httponly", "samesite=lax", "path=/"]));
    for (const other of cookies) expect(other.toLowerCase()).toMatch(/;\s*secure(;|$)/);

    // and the cookie signs the browser in
    const cookie = cookies.map((c) => c.split(";")[0]).join("; ");
    expect(await getAuth().api.getSession({ headers: new Headers({ cookie }) })).toMatchObject({
      user: { email: "owner@example.test" },
    });
  });

  it("a sign-in posted from another origin is refused", async () => {
    const response = await POST(
      new Request(`${ORIGIN}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { host: "console.example.test", origin: "https://evil.test", "content-type": "application/json" },
        body: JSON.stringify({ email: "owner@example.test", password: PASSWORD }),
      }),
    );
    expect(response.status).toBe(403);
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});

/**
 * /api/auth over HTTP: every endpoint better-auth has, found from the library itself, is a 404 for a
 * signed-in user unless it is on the console's allow-list (sign-in and sign-out, which still work),
 * and the session cookie a plain-HTTP console sets is httpOnly, SameSite=Lax, Path=/ and not Secure.
 * (The https case is tests/integration/auth-cookies-https.test.ts.)
 */
import { beforeAll, describe, expect, it } from "vitest";

const { GET, POST } = await import("@/app/api/auth/[...all]/route");
const { DISABLED_AUTH_PATHS, getAuth } = await import("@/lib/auth/auth");
const { ALLOWED_AUTH_ENDPOINTS } = await import("@/lib/auth/http-handler");
const { createFirstOwner } = await import("@/lib/auth/users");
const { prisma } = await import("@/lib/db/client");

const ORIGIN = "http://127.0.0.1:3000";
const PASSWORD = "correct horse battery staple";
const EMAIL = "owner@example.test";

interface Endpoint {
  method: string;
  path: string;
}

/** Every HTTP-routable endpoint of the installed better-auth, with the methods it answers. */
function libraryEndpoints(): Endpoint[] {
  const found: Endpoint[] = [];
  for (const endpoint of Object.values(getAuth().api) as {
    path?: string;
    options?: { method?: string | string[]; metadata?: { SERVER_ONLY?: boolean } };
  }[]) {
    if (!endpoint.path || endpoint.options?.metadata?.SERVER_ONLY) continue;
    const methods = [endpoint.options?.method ?? "GET"].flat();
    for (const method of methods) found.push({ method: method === "*" ? "POST" : method, path: endpoint.path });
  }
  return found;
}

const concrete = (path: string) => path.replace(/:([a-z]+)/gi, "sample-$1");

function request(method: string, path: string, cookie = ""): Request {
  return new Request(`${ORIGIN}/api/auth${path}`, {
    method,
    headers: { host: "127.0.0.1:3000", origin: ORIGIN, "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body:
      method === "GET"
        ? undefined
        : JSON.stringify({
            name: "Mallory <owner@example.test>",
            image: "https://evil.test/x.png",
            currentPassword: PASSWORD,
            newPassword: "another password 12",
            token: "x",
            email: "x@evil.test",
            password: PASSWORD,
          }),
  });
}

const route = (req: Request) => (req.method === "GET" ? GET(req) : POST(req));

async function signIn(): Promise<{ response: Response; cookie: string }> {
  const response = await route(
    new Request(`${ORIGIN}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { host: "127.0.0.1:3000", origin: ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    }),
  );
  return {
    response,
    cookie: response.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; "),
  };
}

let cookie: string;

beforeAll(async () => {
  await createFirstOwner({ email: EMAIL, name: "Olivia Owner", password: PASSWORD });
  ({ cookie } = await signIn());
});

describe("/api/auth", () => {
  it("finds the endpoints the library has, and lists every one it does not allow as disabled", () => {
    const endpoints = libraryEndpoints();
    expect(endpoints.length).toBeGreaterThan(25);
    const allowed = new Set(ALLOWED_AUTH_ENDPOINTS.map((e) => e.path));
    const staticPaths = [...new Set(endpoints.map((e) => e.path))].filter((p) => !p.includes(":") && !allowed.has(p));
    // a better-auth upgrade that adds an endpoint fails here until someone decides about it
    expect(staticPaths.sort()).toEqual([...DISABLED_AUTH_PATHS].sort());
  });

  it("answers 404 to a signed-in user on every endpoint but sign-in and sign-out", async () => {
    // the cookie is good: the refusals below are not a signed-out user's
    expect(await getAuth().api.getSession({ headers: new Headers({ cookie }) })).toMatchObject({ user: { email: EMAIL } });
    const sessionToken = (await prisma.session.findFirstOrThrow()).token;
    const refused: string[] = [];
    for (const { method, path } of libraryEndpoints()) {
      if (ALLOWED_AUTH_ENDPOINTS.some((e) => e.method === method && e.path === path)) continue;
      const response = await route(request(method, concrete(path), cookie));
      expect(response.status, `${method} ${path}`).toBe(404);
      const body = await response.text();
      expect(body, `${method} ${path}`).not.toContain(sessionToken);
      refused.push(`${method} ${path}`);
    }
    for (const named of [
      "GET /list-sessions",
      "GET /get-session",
      "POST /update-user",
      "POST /revoke-session",
      "POST /revoke-sessions",
      "POST /delete-user",
      "POST /change-email",
      "POST /request-password-reset",
      "POST /reset-password",
      "POST /sign-up/email",
      "GET /verify-email",
    ]) {
      expect(refused).toContain(named);
    }
    // and nothing changed: the name is as it was, the session still there
    expect(await prisma.user.findUniqueOrThrow({ where: { email: EMAIL }, select: { name: true, image: true } })).toEqual({
      name: "Olivia Owner",
      image: null,
    });
    expect(await prisma.session.count({ where: { token: sessionToken } })).toBe(1);
  });

  it("refuses them in the library too, should a request ever reach it past the route", async () => {
    for (const path of DISABLED_AUTH_PATHS) {
      const method = libraryEndpoints().find((e) => e.path === path)!.method;
      expect((await getAuth().handler(request(method, path, cookie))).status, path).toBe(404);
    }
  });

  it("answers 404 to near misses of the allowed paths and to other methods", async () => {
    for (const [method, path] of [
      ["GET", "/sign-in/email"],
      ["POST", "/sign-in/email/"],
      ["POST", "//sign-in/email"],
      ["POST", "/sign-in/EMAIL"],
      ["POST", "/sign-in/email/../../list-sessions"],
      ["GET", "/sign-out"],
      ["POST", ""],
    ] as const) {
      expect((await route(request(method, path, cookie))).status, `${method} ${path}`).toBe(404);
    }
  });

  it("update-user is refused to server-side calls as well (names change on the account page, audited)", async () => {
    await expect(
      getAuth().api.updateUser({ body: { name: "Owner <owner@example.test>" }, headers: new Headers({ cookie }) }),
    ).rejects.toMatchObject({ statusCode: 403 });
    await expect(
      getAuth().api.updateUser({ body: { image: "https://evil.test/x.png" }, headers: new Headers({ cookie }) }),
    ).rejects.toMatchObject({ statusCode: 403 });
    expect(await prisma.user.findUniqueOrThrow({ where: { email: EMAIL }, select: { name: true, image: true } })).toEqual({
      name: "Olivia Owner",
      image: null,
    });
  });

  it("sign-out still works and ends the session", async () => {
    const { cookie: another } = await signIn();
    const before = await prisma.session.count();
    const response = await POST(
      new Request(`${ORIGIN}/api/auth/sign-out`, {
        method: "POST",
        headers: { host: "127.0.0.1:3000", origin: ORIGIN, cookie: another },
      }),
    );
    expect(response.status).toBe(200);
    expect(await prisma.session.count()).toBe(before - 1);
    expect(await getAuth().api.getSession({ headers: new Headers({ cookie: another }) })).toBeNull();
  });
});

describe("the session cookie over plain HTTP", () => {
  it("is httpOnly, SameSite=Lax, Path=/ and not Secure", async () => {
    const { response } = await signIn();
    expect(response.status).toBe(200);
    const cookies = response.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith("mcf.session_token="));
    expect(session, cookies.join("\n")).toBeDefined();
    const attributes = session!
      .split(";")
      .slice(1)
      .map((a) => a.trim().toLowerCase());
    expect(attributes).toContain("httponly");
    expect(attributes).toContain("samesite=lax");
    expect(attributes).toContain("path=/");
    expect(attributes).not.toContain("secure");
    expect(attributes.some((a) => a.startsWith("domain="))).toBe(false);
    for (const other of cookies) expect(other.toLowerCase()).toContain("httponly");
  });
});

/**
 * Cross-site requests to the console's cookie-authenticated routes. The session cookie is
 * SameSite=Lax and a page on another port of the same host is same-site, so the browser sends the
 * owner's cookie with a `text/plain` no-cors fetch or a plain form post from that page. Each attack
 * below is sent with a real owner session against the real route handler: it must be refused before
 * anything runs (no audit row, no connection to the Test's target), while the same request from the
 * console's own origin works (the controls: the refusals are not some other failure).
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const session = vi.hoisted(() => ({ cookie: "" }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers(session.cookie ? { cookie: session.cookie } : {}),
  cookies: async () => ({
    toString: () => session.cookie,
    get: () => undefined,
    getAll: () => [],
    has: () => false,
    set: () => undefined,
    delete: () => undefined,
  }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const { prisma } = await import("@/lib/db/client");
const { getAuth } = await import("@/lib/auth/auth");
const { createUserWithPassword } = await import("@/lib/auth/users");
const { createProfile } = await import("@/lib/profile-operations/profile-service");
const { generateCertificate } = await import("@/lib/certs/certificate-store");
const { basicInput } = await import("../support/profile-fixtures");
const testRoute = await import("@/app/api/profiles/test/route");
const exportRoute = await import("@/app/api/profiles/export/route");
const privateKeyRoute = await import("@/app/api/certificates/[id]/private-key/route");
const downloadRoute = await import("@/app/api/certificates/[id]/download/[format]/route");
const auditRoute = await import("@/app/api/audit/route");

const CONSOLE = "http://127.0.0.1:3000";
// the attacker's page: same host, another port (same-site, so SameSite=Lax still sends the cookie)
const ATTACKER = "http://127.0.0.1:4000";
const PASSWORD = "correct horse battery staple";

/** The host a Test would connect to: it counts connections, so "nothing ran" is observed, not assumed. */
let target: net.Server;
let targetPort = 0;
let connections = 0;
let ownerCookie = "";
let certificateId = "";

beforeAll(async () => {
  target = net.createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
  targetPort = (target.address() as net.AddressInfo).port;

  const email = "owner@origin.test";
  const created = await createUserWithPassword({ email, name: "Odile", password: PASSWORD, role: "owner" });
  const signedIn = await getAuth().api.signInEmail({
    body: { email, password: PASSWORD },
    headers: new Headers(),
    returnHeaders: true,
  });
  ownerCookie = signedIn.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const owner = { id: created.id, name: "Odile", email, role: "owner" as const };
  // something for the export to carry out
  await createProfile(basicInput({ name: "Origin target", password: "stored-password" }), owner);
  certificateId = (
    await generateCertificate({ name: "Origin cert", commonName: "origin", keySize: 2048, validityDays: 30 }, owner)
  ).id;
});

afterAll(async () => {
  await new Promise((resolve) => target.close(resolve));
});

/** A Test of a draft that points at the counting listener. */
function testBody() {
  const profile = basicInput({ name: "Draft", password: "typed-password" });
  profile.connection.mailServerUrl = "127.0.0.1";
  profile.connection.port = String(targetPort);
  return JSON.stringify({ profile, freshToken: true });
}

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function send(
  handler: unknown,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
  params: Record<string, string> = {},
) {
  session.cookie = ownerCookie;
  try {
    const request = new Request(`${CONSOLE}${path}`, {
      method: init.method ?? "POST",
      headers: { cookie: ownerCookie, ...init.headers },
      body: init.body,
    });
    return await (handler as Handler)(request, { params: Promise.resolve(params) });
  } finally {
    session.cookie = "";
  }
}

const auditCount = (action: string) => prisma.auditEvent.count({ where: { action } });

async function expectCrossSiteRefusal(response: Response, from: RegExp) {
  expect(response.status).toBe(403);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("forbidden");
  expect(body.error.message).toMatch(from);
  expect(body.error.message).toContain(`Open the console at ${CONSOLE} and try again.`);
}

describe("POST /api/profiles/test from another site", () => {
  it("a text/plain no-cors fetch with the owner's cookie and a foreign Origin runs nothing", async () => {
    const before = await auditCount("profile.tested");
    const response = await send(testRoute.POST, "/api/profiles/test", {
      headers: { origin: ATTACKER, "sec-fetch-site": "same-site", "content-type": "text/plain;charset=UTF-8" },
      body: testBody(),
    });
    await expectCrossSiteRefusal(response, /^This request came from another site \(origin http:\/\/127\.0\.0\.1:4000\)\./);
    expect(await auditCount("profile.tested")).toBe(before);
    expect(connections).toBe(0);
  });

  it("without an Origin header, Sec-Fetch-Site cross-site is refused the same way", async () => {
    const response = await send(testRoute.POST, "/api/profiles/test", {
      headers: { "sec-fetch-site": "cross-site", "content-type": "application/json" },
      body: testBody(),
    });
    await expectCrossSiteRefusal(response, /another site \(origin not sent, the browser marked it cross-site\)/);
    expect(connections).toBe(0);
  });

  it("a POST that names no origin at all (neither header) is refused", async () => {
    const response = await send(testRoute.POST, "/api/profiles/test", {
      headers: { "content-type": "application/json" },
      body: testBody(),
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
      /did not say which site it came from/,
    );
    expect(connections).toBe(0);
  });

  it("a text/plain body from the console's own origin is refused too (415): JSON is declared as JSON", async () => {
    const response = await send(testRoute.POST, "/api/profiles/test", {
      headers: { origin: CONSOLE, "content-type": "text/plain" },
      body: testBody(),
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({
      error: { code: "invalid_input", message: "Send the request body as JSON (Content-Type: application/json)." },
    });
    expect(connections).toBe(0);
  });

  it("control: the console's own JSON request runs the Test, reaches the target and is audited", async () => {
    const before = await auditCount("profile.tested");
    const response = await send(testRoute.POST, "/api/profiles/test", {
      headers: { origin: CONSOLE, "sec-fetch-site": "same-origin", "content-type": "application/json" },
      body: testBody(),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('"type":"done"');
    expect(connections).toBeGreaterThan(0);
    expect(await auditCount("profile.tested")).toBe(before + 1);
  });
});

describe("POST /api/profiles/export from another site", () => {
  // <form enctype="text/plain"> sends name=value: a field named {"ids":"all",…,"x":" with the value "}
  // makes the body valid JSON
  const formBody = '{"ids":"all","includeSecrets":false,"x":"="}';

  it("a text/plain form post is refused and writes no export audit event", async () => {
    const before = await auditCount("profile.exported");
    const response = await send(exportRoute.POST, "/api/profiles/export", {
      headers: { origin: ATTACKER, "sec-fetch-site": "same-site", "content-type": "text/plain" },
      body: formBody,
    });
    await expectCrossSiteRefusal(response, /origin http:\/\/127\.0\.0\.1:4000/);
    expect(response.headers.get("content-disposition")).toBeNull();
    expect(await auditCount("profile.exported")).toBe(before);
  });

  it("a form post with Origin null (a sandboxed frame) is refused", async () => {
    const response = await send(exportRoute.POST, "/api/profiles/export", {
      headers: { origin: "null", "content-type": "text/plain" },
      body: formBody,
    });
    await expectCrossSiteRefusal(response, /origin null/);
  });

  it("control: the Export dialog's request downloads the file", async () => {
    const before = await auditCount("profile.exported");
    const response = await send(exportRoute.POST, "/api/profiles/export", {
      headers: { origin: CONSOLE, "content-type": "application/json" },
      body: JSON.stringify({ ids: "all", includeSecrets: false }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toMatch(/^attachment/);
    expect(await auditCount("profile.exported")).toBe(before + 1);
  });
});

describe("certificate downloads from another site", () => {
  it("POST private-key with a foreign Origin exports nothing", async () => {
    const before = await auditCount("certificate.key_exported");
    const body = JSON.stringify({ format: "pfx", passphrase: "long enough passphrase" });
    const response = await send(
      privateKeyRoute.POST,
      `/api/certificates/${certificateId}/private-key`,
      { headers: { origin: ATTACKER, "content-type": "application/json" }, body },
      { id: certificateId },
    );
    await expectCrossSiteRefusal(response, /origin http:\/\/127\.0\.0\.1:4000/);
    expect(await auditCount("certificate.key_exported")).toBe(before);

    const own = await send(
      privateKeyRoute.POST,
      `/api/certificates/${certificateId}/private-key`,
      { headers: { origin: CONSOLE, "content-type": "application/json" }, body },
      { id: certificateId },
    );
    expect(own.status).toBe(200);
    expect(await auditCount("certificate.key_exported")).toBe(before + 1);
  });

  it("a GET download linked from another site (Sec-Fetch-Site same-site) is refused; the console's own link works", async () => {
    const before = await auditCount("certificate.downloaded");
    const path = `/api/certificates/${certificateId}/download/pem`;
    const params = { id: certificateId, format: "pem" };
    const linked = await send(downloadRoute.GET, path, { method: "GET", headers: { "sec-fetch-site": "same-site" } }, params);
    await expectCrossSiteRefusal(linked, /origin not sent, the browser marked it same-site/);
    expect(await auditCount("certificate.downloaded")).toBe(before);

    const own = await send(downloadRoute.GET, path, { method: "GET", headers: { "sec-fetch-site": "same-origin" } }, params);
    expect(own.status).toBe(200);
    expect(await auditCount("certificate.downloaded")).toBe(before + 1);
  });
});

describe("GET /api/audit (CSV) from another site", () => {
  it("is refused when the browser says another site asked; typed into the address bar (none) it downloads", async () => {
    const refused = await send(auditRoute.GET, "/api/audit", { method: "GET", headers: { "sec-fetch-site": "cross-site" } });
    await expectCrossSiteRefusal(refused, /marked it cross-site/);
    const fetched = await send(auditRoute.GET, "/api/audit", {
      method: "GET",
      headers: { origin: ATTACKER, "sec-fetch-site": "same-site" },
    });
    await expectCrossSiteRefusal(fetched, /origin http:\/\/127\.0\.0\.1:4000/);
    const typed = await send(auditRoute.GET, "/api/audit", { method: "GET", headers: { "sec-fetch-site": "none" } });
    expect(typed.status).toBe(200);
    expect(typed.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  });
});

/**
 * The REST API through its route handlers (real temp SQLite, handlers called with `new Request`):
 * every endpoint with a valid token, no token, a malformed, a revoked and an expired token, and a
 * valid token of a user without the permission (403/404, database unchanged); the profile round
 * trip, version conflicts, validation errors as JSON paths, revisions, export/import; every success
 * body checked against the published OpenAPI schemas; and no response ever holding a secret.
 */
import crypto from "node:crypto";
import net from "node:net";
import Ajv2020 from "ajv/dist/2020";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { readProfileSecrets } from "@/lib/db/profiles";
import { createApiToken, revokeApiToken } from "@/lib/api/tokens";
import { openApiDocument } from "@/lib/api/openapi";
import {
  apiProfileSchema,
  importPlanResponseSchema,
  importResultSchema,
  profileListSchema,
  revisionComparisonSchema,
  revisionListSchema,
} from "@/lib/api/schemas";
import { setProfileShare } from "@/lib/profile-operations/sharing";
import { createTestCa } from "@/tests/support/test-ca";
import { seedUser } from "@/tests/support/users";
import type { CurrentUser } from "@/lib/auth/session";

const TENANT = "00000000-0000-0000-0000-000000000000";
const CLIENT = "11111111-1111-1111-1111-111111111111";

/** Every clear-text secret this file sends; none may come back in any response. */
const SECRETS = new Set<string>();
const secret = (label: string) => {
  const value = `${label}-${crypto.randomBytes(12).toString("hex")}`;
  SECRETS.add(value);
  return value;
};

// ── Calling the handlers ────────────────────────────────────────────────────────────────────────

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
const routes: { pattern: RegExp; names: string[]; load: () => Promise<Record<string, unknown>> }[] = [
  { pattern: /^\/api\/v1\/openapi\.json$/, names: [], load: () => import("@/app/api/v1/openapi.json/route") },
  { pattern: /^\/api\/v1\/profiles$/, names: [], load: () => import("@/app/api/v1/profiles/route") },
  { pattern: /^\/api\/v1\/profiles\/([^/]+)$/, names: ["id"], load: () => import("@/app/api/v1/profiles/[id]/route") },
  { pattern: /^\/api\/v1\/profiles\/([^/]+)\/test$/, names: ["id"], load: () => import("@/app/api/v1/profiles/[id]/test/route") },
  {
    pattern: /^\/api\/v1\/profiles\/([^/]+)\/revisions$/,
    names: ["id"],
    load: () => import("@/app/api/v1/profiles/[id]/revisions/route"),
  },
  {
    pattern: /^\/api\/v1\/profiles\/([^/]+)\/revisions\/compare$/,
    names: ["id"],
    load: () => import("@/app/api/v1/profiles/[id]/revisions/compare/route"),
  },
  {
    pattern: /^\/api\/v1\/profiles\/([^/]+)\/revisions\/([^/]+)\/restore$/,
    names: ["id", "n"],
    load: () => import("@/app/api/v1/profiles/[id]/revisions/[n]/restore/route"),
  },
  { pattern: /^\/api\/v1\/export$/, names: [], load: () => import("@/app/api/v1/export/route") },
  { pattern: /^\/api\/v1\/import$/, names: [], load: () => import("@/app/api/v1/import/route") },
];

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test assertions read arbitrary members
  body: any;
}

const replies: string[] = [];

interface CallOptions {
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

async function call(method: string, url: string, options: CallOptions = {}): Promise<Reply> {
  const path = new URL(url, "http://127.0.0.1").pathname;
  const route = routes.find((r) => r.pattern.test(path));
  if (!route) throw new Error(`no route for ${path}`);
  const match = route.pattern.exec(path)!;
  const params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
  const handler = (await route.load())[method] as Handler | undefined;
  if (!handler) throw new Error(`${method} ${path} has no handler`);
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await handler(new Request(`http://127.0.0.1${url}`, { method, headers, body }), {
    params: Promise.resolve(params),
  });
  const text = await response.text();
  replies.push(`${response.status} ${[...response.headers].map(([k, v]) => `${k}: ${v}`).join("\n")}\n${text}`);
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

// ── The published schemas, checked against real responses ───────────────────────────────────────

const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema(openApiDocument(), "openapi.json");
function conformsTo(component: string, value: unknown) {
  const validate = ajv.getSchema(`openapi.json#/components/schemas/${component}`);
  if (!validate) throw new Error(`no component ${component}`);
  const ok = validate(value);
  expect(ok, `${component}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
}

// ── Fixtures ────────────────────────────────────────────────────────────────────────────────────

function oauthDoc(name: string, clientSecret: string | null | undefined, extra: { port?: number; description?: string } = {}) {
  return {
    format: "mcf-profile",
    version: 1,
    name,
    ...(extra.description ? { description: extra.description } : {}),
    connection: {
      protocol: "imap",
      mailServerUrl: "outlook.office365.com",
      ...(extra.port ? { port: extra.port } : {}),
      security: "tls",
    },
    authentication: {
      type: "oauth2",
      username: "support@contoso.com",
      tokenUrl: "https://login.microsoftonline.com/TENANT_ID/oauth2/v2.0/token",
      tenantId: TENANT,
      method: "client_secret",
      requestProperties: {
        grant_type: "client_credentials",
        client_id: CLIENT,
        scope: "https://outlook.office365.com/.default",
        ...(clientSecret !== undefined ? { client_secret: clientSecret } : {}),
      },
    },
  };
}

function basicDoc(name: string, password: string | null, port: number) {
  return {
    format: "mcf-profile",
    version: 1,
    name,
    connection: { protocol: "imap", mailServerUrl: "127.0.0.1", port, security: "tls" },
    authentication: { type: "basic", username: "alice", password },
  };
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Every row of every table except sessions and the throttle; token lastUsedAt moves on any use. */
async function snapshot(): Promise<string> {
  const { Prisma } = await import("@/generated/prisma/client");
  const rows: Record<string, unknown> = {};
  for (const model of Object.values(Prisma.ModelName)) {
    if (model === "Session" || model === "RateLimit") continue;
    const delegate = (prisma as unknown as Record<string, { findMany(args: object): Promise<Record<string, unknown>[]> }>)[
      model.charAt(0).toLowerCase() + model.slice(1)
    ]!;
    const found = await delegate.findMany({ orderBy: { id: "asc" } });
    rows[model] = model === "ApiToken" ? found.map(({ lastUsedAt: _lastUsedAt, ...row }) => row) : found;
  }
  return crypto
    .createHash("sha256")
    .update(JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? String(v) : v)))
    .digest("hex");
}

interface Holder {
  user: CurrentUser;
  token: string;
}

async function holder(role: CurrentUser["role"], name: string): Promise<Holder> {
  const user = await seedUser(role, name);
  const { token } = await createApiToken(user, { name: `${name}'s script`, expiresInDays: 30 });
  SECRETS.add(token);
  return { user, token };
}

let owner: Holder;
let editor: Holder; // Editor role; Edit share on the shared profiles
let user: Holder; // Viewer role; Use share
let stranger: Holder; // Viewer role; nothing shared
let revokedToken: string;
let expiredToken: string;
let deadPort: number;

beforeAll(async () => {
  owner = await holder("owner", "Olivia");
  editor = await holder("editor", "Edith");
  user = await holder("viewer", "Ursula");
  stranger = await holder("viewer", "Victor");
  const revoked = await createApiToken(owner.user, { name: "revoked", expiresInDays: null });
  await revokeApiToken(owner.user, revoked.summary.id);
  revokedToken = revoked.token;
  const expired = await createApiToken(owner.user, { name: "expired", expiresInDays: 1 });
  await prisma.apiToken.update({ where: { id: expired.summary.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
  expiredToken = expired.token;
  SECRETS.add(revokedToken).add(expiredToken);
  deadPort = await closedPort();
});

async function createAs(who: Holder, doc: unknown): Promise<{ id: string; version: number }> {
  const reply = await call("POST", "/api/v1/profiles", { token: who.token, body: doc });
  expect(reply.status, reply.text).toBe(201);
  return { id: reply.body.id, version: reply.body.version };
}

async function share(profileId: string) {
  await setProfileShare(profileId, editor.user.id, "edit", owner.user);
  await setProfileShare(profileId, user.user.id, "use", owner.user);
}

const currentVersion = async (id: string) =>
  (await prisma.profile.findUniqueOrThrow({ where: { id }, select: { version: true } })).version;

afterAll(() => {
  // The API never returns a secret: not a password, client secret, private key, passphrase or token.
  expect(replies.length).toBeGreaterThan(50);
  expect(SECRETS.size).toBeGreaterThan(20);
  const leaks = replies.flatMap((reply) =>
    [...SECRETS].filter((value) => reply.includes(value)).map((value) => `${value} in: ${reply.slice(0, 300)}`),
  );
  expect(leaks, "a secret came back in a response").toEqual([]);
  // PEM private keys are never sent back either, in any form
  expect(
    replies.filter((reply) => /BEGIN (RSA |ENCRYPTED )?PRIVATE KEY/.test(reply)).map((reply) => reply.slice(0, 300)),
  ).toEqual([]);
});

// ── Every endpoint × every kind of caller ───────────────────────────────────────────────────────

interface EndpointCase {
  /** the handler: METHOD and its folder under app/api/v1 */
  route: string;
  name: string;
  method: string;
  url: () => Promise<string> | string;
  body?: () => unknown;
  /** a valid token whose user may not do this: 403 or 404, nothing changed ("filtered": 200 without the profile) */
  refused: () => { who: Holder; status: 403 | 404 | "filtered" };
  /** the status for a user who may */
  ok: number;
  /** the OpenAPI component the success body must match */
  component?: string;
}

describe("every endpoint refuses bad credentials and missing permissions, and works with a valid token", () => {
  let id: string;
  const uniqueName = (label: string) => `Matrix ${label} ${crypto.randomUUID().slice(0, 6)}`;

  beforeAll(async () => {
    id = (await createAs(owner, basicDoc("Matrix", secret("matrix-password"), deadPort))).id;
    await share(id);
    // a second revision, so compare and restore have something to work with
    const reply = await call("PUT", `/api/v1/profiles/${id}`, {
      token: owner.token,
      headers: { "if-match": '"1"' },
      body: { ...basicDoc("Matrix", null, deadPort), description: "second" },
    });
    expect(reply.status, reply.text).toBe(200);
  });

  const cases: EndpointCase[] = [
    {
      route: "GET profiles",
      name: "list profiles",
      method: "GET",
      url: () => "/api/v1/profiles",
      refused: () => ({ who: stranger, status: "filtered" }),
      ok: 200,
      component: "ProfileList",
    },
    {
      route: "POST profiles",
      name: "create a profile",
      method: "POST",
      url: () => "/api/v1/profiles",
      body: () => basicDoc(uniqueName("created"), secret("created-password"), deadPort),
      refused: () => ({ who: stranger, status: 403 }),
      ok: 201,
      component: "Profile",
    },
    {
      route: "GET profiles/[id]",
      name: "read a profile",
      method: "GET",
      url: () => `/api/v1/profiles/${id}`,
      refused: () => ({ who: stranger, status: 404 }),
      ok: 200,
      component: "Profile",
    },
    {
      route: "PUT profiles/[id]",
      name: "update a profile",
      method: "PUT",
      url: async () => `/api/v1/profiles/${id}?version=${await currentVersion(id)}`,
      body: () => ({ ...basicDoc("Matrix", null, deadPort), description: `edited ${crypto.randomUUID()}` }),
      refused: () => ({ who: user, status: 403 }),
      ok: 200,
      component: "Profile",
    },
    {
      route: "POST profiles/[id]/test",
      name: "test a profile",
      method: "POST",
      url: () => `/api/v1/profiles/${id}/test`,
      refused: () => ({ who: stranger, status: 404 }),
      ok: 200,
      component: "TestResponse",
    },
    {
      route: "GET profiles/[id]/revisions",
      name: "list revisions",
      method: "GET",
      url: () => `/api/v1/profiles/${id}/revisions`,
      refused: () => ({ who: stranger, status: 404 }),
      ok: 200,
      component: "RevisionList",
    },
    {
      route: "GET profiles/[id]/revisions/compare",
      name: "compare revisions",
      method: "GET",
      url: () => `/api/v1/profiles/${id}/revisions/compare?from=1&to=2`,
      refused: () => ({ who: stranger, status: 404 }),
      ok: 200,
      component: "RevisionComparison",
    },
    {
      route: "POST profiles/[id]/revisions/[n]/restore",
      name: "restore a revision",
      method: "POST",
      url: async () => `/api/v1/profiles/${id}/revisions/1/restore?version=${await currentVersion(id)}`,
      refused: () => ({ who: user, status: 403 }),
      ok: 200,
      component: "Profile",
    },
    {
      route: "POST export",
      name: "export",
      method: "POST",
      url: () => "/api/v1/export",
      body: () => ({ ids: [id] }),
      refused: () => ({ who: stranger, status: 404 }),
      ok: 200,
      component: "ProfileDocument",
    },
    {
      route: "POST import",
      name: "import",
      method: "POST",
      url: () => "/api/v1/import",
      body: () => ({ file: JSON.stringify(basicDoc(uniqueName("imported"), null, deadPort)) }),
      refused: () => ({ who: stranger, status: 403 }),
      ok: 201,
      component: "ImportResult",
    },
    // last: it removes the profile the others work on
    {
      route: "DELETE profiles/[id]",
      name: "delete a profile",
      method: "DELETE",
      url: () => `/api/v1/profiles/${id}`,
      refused: () => ({ who: editor, status: 403 }),
      ok: 204,
    },
  ];

  it("covers every route handler under app/api/v1 (except the public OpenAPI document)", async () => {
    const fs = await import("node:fs");
    const path = await import("node:path");
    const root = path.resolve(__dirname, "../../app/api/v1");
    const found: string[] = [];
    const walk = async (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) await walk(path.join(dir, entry.name));
        else if (entry.name === "route.ts") {
          const loaded = (await import(path.join(dir, entry.name))) as Record<string, unknown>;
          const route = path.relative(root, dir).split(path.sep).join("/");
          for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"])
            if (typeof loaded[method] === "function") found.push(`${method} ${route}`);
        }
      }
    };
    await walk(root);
    expect(cases.map((c) => c.route).sort()).toEqual(found.filter((f) => f !== "GET openapi.json").sort());
    for (const c of cases) expect(c.route.startsWith(`${c.method} `)).toBe(true);
  });

  for (const testCase of cases) {
    it(`${testCase.method} ${testCase.name}`, async () => {
      const url = await testCase.url();
      const body = testCase.body?.();
      for (const [label, token] of [
        ["no token", null],
        ["a malformed token", "mcf_not-a-token"],
        ["an unknown token", `mcf_${crypto.randomBytes(32).toString("base64url")}`],
        ["a revoked token", revokedToken],
        ["an expired token", expiredToken],
      ] as const) {
        const before = await snapshot();
        const reply = await call(testCase.method, url, { token, body });
        expect(reply.status, `${label}: ${reply.text}`).toBe(401);
        expect(reply.body).toMatchObject({ error: { code: "unauthenticated", message: expect.any(String) } });
        expect(reply.headers.get("www-authenticate")).toMatch(/^Bearer/);
        expect(await snapshot(), `${label} changed the database`).toBe(before);
      }
      // a session cookie is not a credential for the API
      const cookie = await call(testCase.method, url, { headers: { cookie: "better-auth.session_token=whatever" }, body });
      expect(cookie.status).toBe(401);

      const refused = testCase.refused();
      const before = await snapshot();
      const reply = await call(testCase.method, url, { token: refused.who.token, body });
      if (refused.status === "filtered") {
        expect(reply.status).toBe(200);
        expect(reply.body.items.map((i: { id: string }) => i.id)).not.toContain(id);
      } else {
        expect(reply.status, reply.text).toBe(refused.status);
        expect(reply.body.error.code).toBe(refused.status === 403 ? "forbidden" : "not_found");
      }
      expect(await snapshot(), `${refused.who.user.name} changed the database`).toBe(before);

      const ok = await call(testCase.method, await testCase.url(), { token: owner.token, body: testCase.body?.() });
      expect(ok.status, ok.text).toBe(testCase.ok);
      expect(ok.headers.get("cache-control")).toBe("no-store");
      if (testCase.component) conformsTo(testCase.component, ok.body);
    });
  }
});

// ── Profiles ────────────────────────────────────────────────────────────────────────────────────

describe("profiles", () => {
  it("create → read → update (secret kept, then replaced) → conflict → delete", async () => {
    const first = secret("client-secret-1");
    const created = await call("POST", "/api/v1/profiles", { token: editor.token, body: oauthDoc("Round trip", first) });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    expect(created.headers.get("location")).toBe(`/api/v1/profiles/${id}`);
    expect(created.headers.get("etag")).toBe('"1"');
    apiProfileSchema.parse(created.body);
    expect(created.body).toMatchObject({
      version: 1,
      level: "manage",
      storedSecrets: { client_secret: true, password: false },
      missingSecrets: [],
      document: { name: "Round trip", authentication: { requestProperties: { client_secret: null, client_id: CLIENT } } },
    });
    expect(await readProfileSecrets(id)).toEqual({ client_secret: first });

    const read = await call("GET", `/api/v1/profiles/${id}`, { token: editor.token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expect(read.headers.get("etag")).toBe('"1"');

    // the secret left out: kept (the destinations are unchanged)
    const withoutSecret = oauthDoc("Round trip", undefined, { description: "second version" });
    const kept = await call("PUT", `/api/v1/profiles/${id}`, {
      token: editor.token,
      headers: { "if-match": '"1"' },
      body: withoutSecret,
    });
    expect(kept.status, kept.text).toBe(200);
    expect(kept.body).toMatchObject({
      version: 2,
      document: { description: "second version" },
      storedSecrets: { client_secret: true },
    });
    expect(kept.headers.get("etag")).toBe('"2"');
    expect(await readProfileSecrets(id)).toEqual({ client_secret: first });

    // left out while the mail server changes: refused, the secret must be sent again
    const moved = await call("PUT", `/api/v1/profiles/${id}`, {
      token: editor.token,
      headers: { "if-match": '"2"' },
      body: oauthDoc("Round trip", undefined, { port: 995 }),
    });
    expect(moved.status, moved.text).toBe(400);
    expect(moved.body).toMatchObject({
      error: {
        fields: {
          "$.authentication.requestProperties.client_secret": expect.stringMatching(
            /^Re-enter the client secret: the mail server changed/,
          ),
        },
      },
    });

    // null: kept too; W/ and bare versions are accepted in If-Match
    const keptNull = await call("PUT", `/api/v1/profiles/${id}`, {
      token: editor.token,
      headers: { "if-match": 'W/"2"' },
      body: oauthDoc("Round trip", null, { description: "third version" }),
    });
    expect(keptNull.status, keptNull.text).toBe(200);
    expect(await readProfileSecrets(id)).toEqual({ client_secret: first });

    // a string: replaced; ?version instead of If-Match
    const second = secret("client-secret-2");
    const replaced = await call("PUT", `/api/v1/profiles/${id}?version=3`, {
      token: editor.token,
      body: oauthDoc("Round trip", second, { port: 995 }),
    });
    expect(replaced.status, replaced.text).toBe(200);
    expect(replaced.body.version).toBe(4);
    expect(await readProfileSecrets(id)).toEqual({ client_secret: second });

    // a stale version: 409, nothing saved
    const before = await snapshot();
    const stale = await call("PUT", `/api/v1/profiles/${id}`, {
      token: editor.token,
      headers: { "if-match": '"2"' },
      body: oauthDoc("Round trip", secret("never-saved"), { port: 143 }),
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe("version_conflict");
    expect(await snapshot()).toBe(before);

    // no version at all: refused before anything is read
    const unconditional = await call("PUT", `/api/v1/profiles/${id}`, {
      token: editor.token,
      body: oauthDoc("Round trip", null),
    });
    expect(unconditional.status).toBe(400);
    expect(unconditional.body.error.fields).toHaveProperty("If-Match");
    const conflicting = await call("PUT", `/api/v1/profiles/${id}?version=4`, {
      token: editor.token,
      headers: { "if-match": '"3"' },
      body: oauthDoc("Round trip", null),
    });
    expect(conflicting.status).toBe(400);

    // editor has Manage on what they created
    const deleted = await call("DELETE", `/api/v1/profiles/${id}`, { token: editor.token });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expect((await call("GET", `/api/v1/profiles/${id}`, { token: editor.token })).status).toBe(404);
    expect((await call("DELETE", `/api/v1/profiles/${id}`, { token: editor.token })).status).toBe(404);
  });

  it("reports validation errors with JSON paths of the document", async () => {
    const post = (body: unknown, headers?: Record<string, string>) =>
      call("POST", "/api/v1/profiles", { token: editor.token, body, headers });
    const before = await snapshot();

    const badPort = await post({
      ...oauthDoc("Bad port", secret("s")),
      connection: { protocol: "imap", mailServerUrl: "outlook.office365.com", port: 70000, security: "tls" },
    });
    expect(badPort.status).toBe(400);
    expect(badPort.body.error).toMatchObject({ code: "invalid_input", fields: { "$.connection.port": expect.any(String) } });

    const unknown = await post({
      ...oauthDoc("Unknown", secret("s")),
      connection: { protocol: "imap", mailServerUrl: "outlook.office365.com", security: "tls", colour: "blue" },
    });
    expect(unknown.body.error.fields).toHaveProperty(["$.connection.colour"]);

    const plaintextOauth = await post({
      ...oauthDoc("Plain", secret("s")),
      connection: { protocol: "imap", mailServerUrl: "outlook.office365.com", security: "none" },
    });
    expect(plaintextOauth.body.error.fields).toHaveProperty(["$.connection.security"]);

    // a property key with dots is one path segment
    const javamail = await post({
      ...oauthDoc("JavaMail", secret("s")),
      connection: {
        protocol: "imap",
        mailServerUrl: "outlook.office365.com",
        security: "tls",
        additionalProperties: { "mail.imap.port": "not a port" },
      },
    });
    expect(javamail.status).toBe(400);
    expect(Object.keys(javamail.body.error.fields)).toEqual([
      expect.stringMatching(/^\$\.connection\.additionalProperties\["mail\.imap\.port"\]/),
    ]);

    // the secret is required on create (null would be "keep", and there is nothing to keep)
    const noSecret = await post(oauthDoc("No secret", null));
    expect(noSecret.status).toBe(400);
    expect(noSecret.body.error.fields).toHaveProperty(["$.authentication.requestProperties.client_secret"]);
    const noPassword = await post(basicDoc("No password", null, 993));
    expect(noPassword.body.error.fields).toHaveProperty(["$.authentication.password"]);

    // encrypted envelopes belong to files
    const encrypted = await post({
      ...oauthDoc("Encrypted", null),
      authentication: {
        ...oauthDoc("x", null).authentication,
        requestProperties: { ...oauthDoc("x", null).authentication.requestProperties, client_secret: { encrypted: "v1:abc" } },
      },
    });
    expect(encrypted.status).toBe(400);
    expect(encrypted.body.error.fields["$.authentication.requestProperties.client_secret"]).toMatch(/import/);

    const wrongFormat = await post({ ...oauthDoc("Format", secret("s")), format: "something-else" });
    expect(wrongFormat.body.error.fields).toHaveProperty(["$.format"]);
    const newer = await post({ ...oauthDoc("Version", secret("s")), version: 2 });
    expect(newer.body.error.fields).toHaveProperty(["$.version"]);

    // hostile or broken bodies
    const proto = await post(`{"format":"mcf-profile","version":1,"__proto__":{"admin":true}}`);
    expect(proto.status).toBe(400);
    expect(proto.body.error.fields).toHaveProperty(["$.__proto__"]);
    const duplicate = await post(`{"format":"mcf-profile","format":"mcf-profile"}`);
    expect(duplicate.body.error.fields).toHaveProperty(["$.format"]);
    const deep = await post(`${"[".repeat(40)}${"]".repeat(40)}`);
    expect(deep.status).toBe(400);
    const notJson = await post(`{"name": "${secret("half-typed")}`);
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.message).not.toContain("half-typed");
    const empty = await call("POST", "/api/v1/profiles", { token: editor.token });
    expect(empty.status).toBe(400);
    const form = await post("name=x", { "content-type": "application/x-www-form-urlencoded" });
    expect(form.status).toBe(400);
    const huge = await post(JSON.stringify({ ...oauthDoc("Huge", secret("s")), description: "x".repeat(1024 * 1024) }));
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe("too_large");

    // the name is taken, whatever its case
    await createAs(editor, oauthDoc("Taken name", secret("s")));
    const afterTaken = await snapshot();
    const taken = await post(oauthDoc("TAKEN NAME", secret("s")));
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: "conflict", fields: { "$.name": expect.any(String) } });
    expect(await snapshot()).toBe(afterTaken);
    expect(before).not.toBe(afterTaken);
  });

  it("a pasted certificate's private key and passphrase are stored, never returned", async () => {
    const ca = await createTestCa();
    const issued = await ca.issue({ commonName: "mail-connector" });
    SECRETS.add(issued.keyPem.split("\n")[1]!);
    const passphrase = secret("key-passphrase");
    const doc = {
      ...oauthDoc("Pasted certificate", undefined),
      authentication: {
        ...oauthDoc("x", undefined).authentication,
        method: "client_certificate",
        requestProperties: {
          grant_type: "client_credentials",
          client_id: CLIENT,
          scope: "https://outlook.office365.com/.default",
          client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        },
        certificate: { certificatePem: issued.certPem, privateKeyPem: issued.keyPem, privateKeyPassphrase: passphrase },
      },
    };
    const created = await call("POST", "/api/v1/profiles", { token: owner.token, body: doc });
    expect(created.status, created.text).toBe(201);
    expect(created.body.document.authentication.certificate).toEqual({
      certificatePem: expect.stringContaining("BEGIN CERTIFICATE"),
      privateKeyPem: null,
      privateKeyPassphrase: null,
    });
    expect(created.body.storedSecrets).toMatchObject({ private_key: true, private_key_passphrase: true });
    const stored = await readProfileSecrets(created.body.id);
    expect(stored).toEqual({ private_key: expect.stringContaining("PRIVATE KEY"), private_key_passphrase: passphrase });

    // leaving the key and its passphrase out of a PUT keeps both
    const { privateKeyPem: _key, privateKeyPassphrase: _passphrase, ...certificateOnly } = doc.authentication.certificate;
    const updated = await call("PUT", `/api/v1/profiles/${created.body.id}?version=1`, {
      token: owner.token,
      body: { ...doc, description: "key kept", authentication: { ...doc.authentication, certificate: certificateOnly } },
    });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body.storedSecrets).toMatchObject({ private_key: true, private_key_passphrase: true });
    expect(await readProfileSecrets(created.body.id)).toEqual(stored);
  });

  it("lists only visible profiles with the caller's level; search, sort and paging; bad parameters are 400", async () => {
    const shared = await createAs(owner, oauthDoc("Listed shared", secret("s")));
    await share(shared.id);
    await createAs(owner, oauthDoc("Listed private", secret("s")));

    const asUser = await call("GET", "/api/v1/profiles?search=listed", { token: user.token });
    expect(asUser.status).toBe(200);
    profileListSchema.parse(asUser.body);
    expect(asUser.body.items.map((i: { name: string; level: string }) => [i.name, i.level])).toEqual([["Listed shared", "use"]]);
    const asEditor = await call("GET", "/api/v1/profiles?search=listed", { token: editor.token });
    expect(asEditor.body.items.map((i: { level: string }) => i.level)).toEqual(["edit"]);
    const asOwner = await call("GET", "/api/v1/profiles?search=LISTED&sort=name&direction=desc&pageSize=10&page=1", {
      token: owner.token,
    });
    expect(asOwner.body).toMatchObject({ total: 2, page: 1, pageSize: 10, sort: "name", direction: "desc" });
    expect(asOwner.body.items.map((i: { name: string }) => i.name)).toEqual(["Listed shared", "Listed private"]);

    const bad = await call("GET", "/api/v1/profiles?pageSize=7&sort=password&page=0&colour=blue", { token: owner.token });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(["colour", "page", "pageSize", "sort"]);
  });

  it("PUT keeps a Basic password or a pasted key that the body leaves out", async () => {
    const password = secret("kept-password");
    const { id } = await createAs(editor, basicDoc("Keeps password", password, 993));
    const { password: _left, ...auth } = basicDoc("x", null, 993).authentication;
    const reply = await call("PUT", `/api/v1/profiles/${id}?version=1`, {
      token: editor.token,
      body: { ...basicDoc("Keeps password", null, 993), description: "password kept", authentication: auth },
    });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body).toMatchObject({
      version: 2,
      storedSecrets: { password: true },
      document: { description: "password kept" },
    });
    expect(await readProfileSecrets(id)).toEqual({ password });
  });

  it("GET shows a Use-level user the configuration without secrets, and Use cannot change or delete it", async () => {
    const { id } = await createAs(owner, basicDoc("Use level", secret("use-level-password"), 993));
    await share(id);
    const read = await call("GET", `/api/v1/profiles/${id}`, { token: user.token });
    expect(read.body).toMatchObject({
      level: "use",
      document: { authentication: { password: null } },
      storedSecrets: { password: true },
    });
    expect((await call("DELETE", `/api/v1/profiles/${id}`, { token: user.token })).status).toBe(403);
    expect((await call("DELETE", `/api/v1/profiles/${id}`, { token: editor.token })).status).toBe(403);
  });

  it("a token follows its creator's current shares: unsharing removes access on the next request", async () => {
    const { id } = await createAs(owner, basicDoc("Unshared later", secret("s"), 993));
    await setProfileShare(id, user.user.id, "use", owner.user);
    expect((await call("GET", `/api/v1/profiles/${id}`, { token: user.token })).status).toBe(200);
    const { removeProfileShare } = await import("@/lib/profile-operations/sharing");
    await removeProfileShare(id, user.user.id, owner.user);
    expect((await call("GET", `/api/v1/profiles/${id}`, { token: user.token })).status).toBe(404);
  });
});

// ── Revisions ───────────────────────────────────────────────────────────────────────────────────

describe("revisions", () => {
  it("lists, compares (secrets as changed/unchanged only) and restores as a new revision", async () => {
    const one = secret("rev-secret-1");
    const { id } = await createAs(editor, oauthDoc("History", one, { port: 993 }));
    const two = secret("rev-secret-2");
    expect(
      (
        await call("PUT", `/api/v1/profiles/${id}?version=1`, {
          token: editor.token,
          body: oauthDoc("History", two, { port: 995 }),
        })
      ).status,
    ).toBe(200);

    const list = await call("GET", `/api/v1/profiles/${id}/revisions`, { token: editor.token });
    expect(list.status).toBe(200);
    revisionListSchema.parse(list.body);
    expect(list.body).toMatchObject({ name: "History", version: 2 });
    expect(list.body.revisions.map((r: { number: number; action: string }) => [r.number, r.action])).toEqual([
      [2, "updated"],
      [1, "created"],
    ]);
    expect(list.body.revisions[0].summary).toMatch(/993 → 995/);

    const compare = await call("GET", `/api/v1/profiles/${id}/revisions/compare?from=1&to=2`, { token: editor.token });
    expect(compare.status).toBe(200);
    revisionComparisonSchema.parse(compare.body);
    expect(compare.body.rows).toEqual(
      expect.arrayContaining([
        { label: "Port", before: "993", after: "995", changed: true },
        { label: "Client secret", before: "stored", after: "changed", changed: true, secret: true },
      ]),
    );
    for (const query of ["from=1", "from=0&to=1", "from=a&to=1"]) {
      expect(
        (await call("GET", `/api/v1/profiles/${id}/revisions/compare?${query}`, { token: editor.token })).status,
        query,
      ).toBe(400);
    }
    expect((await call("GET", `/api/v1/profiles/${id}/revisions/compare?from=1&to=9`, { token: editor.token })).status).toBe(404);

    const stale = await call("POST", `/api/v1/profiles/${id}/revisions/1/restore`, {
      token: editor.token,
      headers: { "if-match": '"1"' },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe("version_conflict");
    expect((await call("POST", `/api/v1/profiles/${id}/revisions/1/restore`, { token: editor.token })).status).toBe(400);
    expect((await call("POST", `/api/v1/profiles/${id}/revisions/x/restore?version=2`, { token: editor.token })).status).toBe(
      400,
    );
    expect((await call("POST", `/api/v1/profiles/${id}/revisions/7/restore?version=2`, { token: editor.token })).status).toBe(
      404,
    );

    const restored = await call("POST", `/api/v1/profiles/${id}/revisions/1/restore`, {
      token: editor.token,
      headers: { "if-match": '"2"' },
    });
    expect(restored.status, restored.text).toBe(200);
    expect(restored.body).toMatchObject({ version: 3, document: { connection: { port: 993 } } });
    // secrets are not kept per revision, and the current one was saved for port 995: it does not
    // follow the old configuration to 993, and the profile asks for it again
    expect(await readProfileSecrets(id)).toEqual({});
    expect(restored.body).toMatchObject({ storedSecrets: { client_secret: false }, missingSecrets: ["client_secret"] });
    const after = await call("GET", `/api/v1/profiles/${id}/revisions`, { token: editor.token });
    expect(after.body.revisions.map((r: { action: string }) => r.action)).toEqual(["restored", "updated", "created"]);
  });
});

// ── Export / import ─────────────────────────────────────────────────────────────────────────────

describe("export and import", () => {
  it("round trip without secrets: null in the file, the secret missing after import", async () => {
    const value = secret("export-plain");
    const { id } = await createAs(owner, oauthDoc("Exported plain", value));
    const exported = await call("POST", "/api/v1/export", { token: owner.token, body: { ids: [id] } });
    expect(exported.status, exported.text).toBe(200);
    expect(exported.headers.get("content-type")).toMatch(/^application\/json/);
    expect(exported.headers.get("content-disposition")).toBe('attachment; filename="exported-plain.mcf-profile.json"');
    expect(exported.body).toMatchObject({
      format: "mcf-profile",
      name: "Exported plain",
      authentication: { requestProperties: { client_secret: null } },
    });

    expect((await call("DELETE", `/api/v1/profiles/${id}`, { token: owner.token })).status).toBe(204);
    const imported = await call("POST", "/api/v1/import", { token: owner.token, body: { file: exported.text } });
    expect(imported.status, imported.text).toBe(201);
    importResultSchema.parse(imported.body);
    expect(imported.body.created).toEqual([
      { index: 0, id: expect.any(String), name: "Exported plain", version: 1, missingSecrets: ["client_secret"] },
    ]);
    const back = await call("GET", `/api/v1/profiles/${imported.body.created[0].id}`, { token: owner.token });
    expect(back.body).toMatchObject({ missingSecrets: ["client_secret"], storedSecrets: { client_secret: false } });
    expect(back.body.document).toEqual(exported.body);

    // a profile that lacks its secret cannot be tested yet: 400 naming the field
    const test = await call("POST", `/api/v1/profiles/${imported.body.created[0].id}/test`, { token: owner.token });
    expect(test.status).toBe(400);
    expect(test.body.error.fields).toHaveProperty(["$.authentication.requestProperties.client_secret"]);
  });

  it("round trip with secrets encrypted under a passphrase; wrong passphrase refused, nothing changed", async () => {
    const value = secret("export-encrypted");
    const passphrase = secret("correct horse battery");
    const { id } = await createAs(owner, oauthDoc("Exported encrypted", value));
    const exported = await call("POST", "/api/v1/export", {
      token: owner.token,
      body: { ids: [id], includeSecrets: true, passphrase },
    });
    expect(exported.status, exported.text).toBe(200);
    expect(exported.body.authentication.requestProperties.client_secret).toEqual({ encrypted: expect.stringMatching(/^v1:/) });

    expect(
      (await call("POST", "/api/v1/export", { token: owner.token, body: { ids: [id], includeSecrets: true } })).body.error.fields,
    ).toHaveProperty(["$.passphrase"]);
    expect((await call("POST", "/api/v1/export", { token: owner.token, body: { ids: [id], passphrase } })).status).toBe(400);
    expect(
      (
        await call("POST", "/api/v1/export", {
          token: owner.token,
          body: { ids: [id], includeSecrets: true, passphrase: "short" },
        })
      ).body.error.fields,
    ).toHaveProperty(["$.passphrase"]);
    expect(
      (await call("POST", "/api/v1/export", { token: owner.token, body: { ids: [], colour: "blue" } })).body.error.fields,
    ).toMatchObject({ "$.ids": expect.any(String), "$.colour": expect.any(String) });
    // Use can export the configuration but not carry its secrets out
    await share(id);
    expect((await call("POST", "/api/v1/export", { token: user.token, body: { ids: [id] } })).status).toBe(200);
    expect(
      (await call("POST", "/api/v1/export", { token: user.token, body: { ids: [id], includeSecrets: true, passphrase } })).status,
    ).toBe(403);

    expect((await call("DELETE", `/api/v1/profiles/${id}`, { token: owner.token })).status).toBe(204);
    const before = await snapshot();
    const wrong = await call("POST", "/api/v1/import", {
      token: owner.token,
      body: { file: exported.text, passphrase: "not the passphrase at all" },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.fields).toHaveProperty(["$.authentication.requestProperties.client_secret"]);
    const missing = await call("POST", "/api/v1/import", { token: owner.token, body: { file: exported.text } });
    expect(missing.status).toBe(400);
    const corrupted = await call("POST", "/api/v1/import", {
      token: owner.token,
      body: { file: exported.text.replace('"imap"', '"smtp"'), passphrase },
    });
    expect(corrupted.status).toBe(400);
    expect(corrupted.body.error.fields).toHaveProperty(["$.connection.protocol"]);
    expect(await snapshot()).toBe(before);

    const imported = await call("POST", "/api/v1/import", { token: owner.token, body: { file: exported.text, passphrase } });
    expect(imported.status, imported.text).toBe(201);
    expect(imported.body.created[0].missingSecrets).toEqual([]);
    expect(await readProfileSecrets(imported.body.created[0].id)).toEqual({ client_secret: value });
  });

  it("clashing names: 409 with the plan; dry run; decisions rename, replace and skip", async () => {
    const { id } = await createAs(owner, oauthDoc("Clash", secret("s")));
    const file = JSON.stringify([
      oauthDoc("Clash", null, { description: "from the file" }),
      oauthDoc("Fresh from file", secret("file-secret")),
    ]);

    const before = await snapshot();
    const dry = await call("POST", "/api/v1/import", { token: owner.token, body: { file, dryRun: true } });
    expect(dry.status).toBe(200);
    importPlanResponseSchema.parse(dry.body);
    expect(dry.body.plan).toMatchObject({
      decisionsNeeded: 1,
      items: [
        { index: 0, clash: { id, name: "Clash", version: 1 }, needsDecision: true },
        { index: 1, clash: null },
      ],
    });
    const clash = await call("POST", "/api/v1/import", { token: owner.token, body: { file } });
    expect(clash.status).toBe(409);
    conformsTo("ImportConflict", clash.body);
    expect(clash.body).toMatchObject({
      error: { code: "conflict", fields: { "$[0].name": expect.any(String) } },
      plan: { decisionsNeeded: 1 },
    });
    expect(await snapshot()).toBe(before);

    const renamed = await call("POST", "/api/v1/import", {
      token: owner.token,
      body: { file, decisions: [{ index: 0, action: "rename", name: "Clash (imported)" }] },
    });
    expect(renamed.status, renamed.text).toBe(201);
    expect(renamed.body.created.map((c: { name: string }) => c.name)).toEqual(["Clash (imported)", "Fresh from file"]);

    const replaced = await call("POST", "/api/v1/import", {
      token: owner.token,
      body: {
        file,
        decisions: [
          { index: 0, action: "replace", expectedVersion: 1 },
          { index: 1, action: "skip" },
        ],
      },
    });
    expect(replaced.status, replaced.text).toBe(200);
    expect(replaced.body).toMatchObject({
      created: [],
      replaced: [{ id, version: 2 }],
      skipped: [{ index: 1, name: "Fresh from file" }],
    });
    const now = await call("GET", `/api/v1/profiles/${id}`, { token: owner.token });
    // replaced as a new revision; the file's null secret keeps the stored one (the file points where it was saved to go)
    expect(now.body).toMatchObject({
      version: 2,
      document: { description: "from the file" },
      storedSecrets: { client_secret: true },
    });

    const staleReplace = await call("POST", "/api/v1/import", {
      token: owner.token,
      body: {
        file,
        decisions: [
          { index: 0, action: "replace", expectedVersion: 1 },
          { index: 1, action: "skip" },
        ],
      },
    });
    expect(staleReplace.status).toBe(409);
    expect(staleReplace.body.error.code).toBe("version_conflict");
  });

  it("a clash with a profile the importer cannot see is reported by name only, and cannot be replaced", async () => {
    const { id } = await createAs(owner, oauthDoc("Owner only", secret("s")));
    const file = JSON.stringify(oauthDoc("Owner only", secret("editor-secret")));
    const dry = await call("POST", "/api/v1/import", { token: editor.token, body: { file, dryRun: true } });
    expect(dry.body.plan.items[0].clash).toEqual({ name: "Owner only" });
    expect(dry.text).not.toContain(id);
    const before = await snapshot();
    const replace = await call("POST", "/api/v1/import", {
      token: editor.token,
      body: { file, decisions: [{ index: 0, action: "replace" }] },
    });
    expect(replace.status).toBe(404);
    expect(await snapshot()).toBe(before);
  });

  it("refuses hostile files and bodies", async () => {
    const post = (body: unknown) => call("POST", "/api/v1/import", { token: owner.token, body });
    expect((await post({ file: `{"__proto__": {}}` })).body.error.fields).toHaveProperty(["$.__proto__"]);
    expect((await post({ file: `${"[".repeat(40)}${"]".repeat(40)}` })).status).toBe(400);
    const tooLarge = await post({ file: " ".repeat(5 * 1024 * 1024 + 1) });
    expect(tooLarge.status).toBe(413);
    expect((await post({ file: "{}", colour: "blue" })).body.error.fields).toHaveProperty(["$.colour"]);
    expect((await post({ file: "{}", decisions: [{ index: 0, action: "explode" }] })).status).toBe(400);
    expect((await post(undefined)).status).toBe(400);
  });
});

/**
 * Every server action and every route handler, found by scanning the source tree, is called
 * signed out and as a signed-in user without the needed permission: each call must be refused,
 * and the database must be exactly as before (no row added, changed or removed — audit log included).
 * A new action or route without an entry in the tables below fails this test.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";

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
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw Object.assign(new Error("NEXT_REDIRECT"), { digest: `NEXT_REDIRECT;replace;${url};307;` });
  },
  notFound: () => {
    throw Object.assign(new Error("NEXT_NOT_FOUND"), { digest: "NEXT_HTTP_ERROR_FALLBACK;404" });
  },
}));

const { prisma } = await import("@/lib/db/client");
const { getAuth } = await import("@/lib/auth/auth");
const { createUserWithPassword } = await import("@/lib/auth/users");
const { createProfile } = await import("@/lib/profile-operations/profile-service");
const { setProfileShare } = await import("@/lib/profile-operations/sharing");
const { generateCertificate } = await import("@/lib/certs/certificate-store");
const { oauthSecretInput } = await import("../support/profile-fixtures");
const { createApiToken, listApiTokens } = await import("@/lib/api/tokens");
type CurrentUser = import("@/lib/auth/session").CurrentUser;
type Role = import("@/lib/auth/permissions").Role;

const ROOT = path.resolve(__dirname, "../..");
const PASSWORD = "correct horse battery staple";

interface Person {
  user: CurrentUser;
  cookie: string;
  /** a personal API token, for /api/v1 (which takes tokens, not cookies) */
  token: string;
}

async function person(role: Role, name: string): Promise<Person> {
  const email = `${name}@access.test`;
  const created = await createUserWithPassword({ email, name, password: PASSWORD, role });
  const response = await getAuth().api.signInEmail({
    body: { email, password: PASSWORD },
    headers: new Headers(),
    returnHeaders: true,
  });
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const user: CurrentUser = { id: created.id, name, email, role };
  const { token } = await createApiToken(user, { name: "access test", expiresInDays: null });
  return { user, cookie, token };
}

let owner: Person;
let viewer: Person; // nothing shared
let user: Person; // Use on the profile
let editor: Person; // Edit on the profile, creates nothing
let profileId: string;
let certificateId: string;
let ownerTokenId: string;

/**
 * Every row of every table except sessions and the request and sign-in throttles (sign-ins touch those), and a
 * token's "last used" time (bookkeeping of the authentication itself, written before any refusal).
 */
async function databaseSnapshot(): Promise<string> {
  const { Prisma } = await import("@/generated/prisma/client");
  const rows: Record<string, unknown> = {};
  for (const model of Object.values(Prisma.ModelName)) {
    if (model === "Session" || model === "RateLimit" || model === "SignInThrottle") continue;
    const delegate = (prisma as unknown as Record<string, { findMany(args: object): Promise<unknown[]> }>)[
      model.charAt(0).toLowerCase() + model.slice(1)
    ]!;
    const found = await delegate.findMany({ orderBy: { id: "asc" } });
    rows[model] = model === "ApiToken" ? found.map((row) => ({ ...(row as object), lastUsedAt: null })) : found;
  }
  return crypto
    .createHash("sha256")
    .update(JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? String(v) : v)))
    .digest("hex");
}

beforeAll(async () => {
  owner = await person("owner", "olivia");
  viewer = await person("viewer", "victor");
  user = await person("viewer", "ursula");
  editor = await person("editor", "edith");
  profileId = (await createProfile(oauthSecretInput({ name: "Guarded", secret: "guarded-secret-value" }), owner.user)).id;
  await setProfileShare(profileId, user.user.id, "use", owner.user);
  await setProfileShare(profileId, editor.user.id, "edit", owner.user);
  certificateId = (
    await generateCertificate({ name: "Guarded cert", commonName: "guarded", keySize: 2048, validityDays: 30 }, owner.user)
  ).id;
  ownerTokenId = (await listApiTokens(owner.user))[0]!.id;
});

type ActionCase = {
  /**
   * a signed-in caller who must be refused; "any-user" when every signed-in user may call it (only
   * the signed-out refusal applies); "public" for the actions signed-out visitors may call
   */
  refused: () => Person | "any-user" | "public";
  input: () => unknown;
};

const importFileText = JSON.stringify({
  format: "mcf-profile",
  version: 1,
  name: "Sneaky import",
  connection: { protocol: "imap", mailServerUrl: "outlook.office365.com", security: "tls" },
  authentication: { type: "basic", username: "alice", password: null },
});

/** Every action of lib/actions/*.ts: who must be refused, with an input that would otherwise succeed. */
const actionCases: Record<string, ActionCase> = {
  // lib/actions/profiles.ts
  createProfileAction: { refused: () => viewer, input: () => ({ profile: oauthSecretInput({ name: "Sneaky", secret: "x" }) }) },
  updateProfileAction: {
    refused: () => user,
    input: () => ({ id: profileId, version: 1, profile: oauthSecretInput({ name: "Guarded", host: "evil.example.net" }) }),
  },
  duplicateProfileAction: { refused: () => user, input: () => ({ id: profileId, copySecrets: false }) },
  deleteProfileAction: { refused: () => editor, input: () => ({ id: profileId }) },
  // lib/actions/revisions.ts
  restoreRevisionAction: { refused: () => user, input: () => ({ profileId, number: 1, expectedVersion: 1 }) },
  // lib/actions/sharing.ts
  getProfileSharingAction: { refused: () => editor, input: () => ({ profileId }) },
  setProfileShareAction: { refused: () => editor, input: () => ({ profileId, grantee: "*", level: "manage" }) },
  removeProfileShareAction: { refused: () => editor, input: () => ({ profileId, grantee: user.user.id }) },
  // lib/actions/certificates.ts
  generateCertificateAction: {
    refused: () => viewer,
    input: () => ({ name: "Sneaky cert", commonName: "x", keySize: "2048", validityDays: "30" }),
  },
  importPemCertificateAction: {
    refused: () => viewer,
    input: () => ({
      name: "Sneaky",
      certificatePem: "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----",
      privateKeyPem: "",
      passphrase: "",
    }),
  },
  importPfxCertificateAction: { refused: () => viewer, input: () => ({ name: "Sneaky", pfxBase64: "AAAA", password: "" }) },
  renameCertificateAction: { refused: () => editor, input: () => ({ id: certificateId, name: "Renamed" }) },
  deleteCertificateAction: { refused: () => editor, input: () => ({ id: certificateId }) },
  // lib/actions/users.ts
  inviteUserAction: { refused: () => editor, input: () => ({ email: "new@access.test", name: "New", role: "admin" }) },
  changeUserRoleAction: { refused: () => editor, input: () => ({ userId: viewer.user.id, role: "admin" }) },
  disableUserAction: { refused: () => editor, input: () => ({ userId: viewer.user.id }) },
  enableUserAction: { refused: () => editor, input: () => ({ userId: viewer.user.id }) },
  removeUserAction: { refused: () => editor, input: () => ({ userId: viewer.user.id }) },
  resetUserPasswordAction: {
    refused: () => editor,
    input: () => ({ userId: viewer.user.id, password: "another long password", confirm: "another long password" }),
  },
  unlockUserSignInAction: { refused: () => editor, input: () => ({ userId: viewer.user.id }) },
  // lib/actions/transfer.ts: importing needs the Editor role (a file that would otherwise import cleanly)
  planImportAction: { refused: () => viewer, input: () => ({ text: importFileText }) },
  applyImportAction: { refused: () => viewer, input: () => ({ text: importFileText, decisions: [] }) },
  // lib/actions/api-tokens.ts. Every signed-in user may create tokens for themselves (a token can do only
  // what its creator can), so no signed-in caller is refused and "public" is the only kind this table
  // has for that; the signed-out refusal of both actions is tested in api-tokens.test.ts.
  createApiTokenAction: { refused: () => "any-user", input: () => ({ name: "Sneaky token", expiresInDays: 30 }) },
  // This file's setup holds no token to aim at, so the id names none: refused as not_found like anyone
  // else's token. api-tokens.test.ts revokes a real token of another user as a non-admin (not_found,
  // nothing changed) and as an admin (revoked).
  revokeApiTokenAction: { refused: () => editor, input: () => ({ id: ownerTokenId }) },
  // lib/actions/auth.ts: the sign-in flow itself (each checks its own preconditions, tested in auth tests)
  signInAction: { refused: () => "public", input: () => undefined },
  signOutAction: { refused: () => "public", input: () => undefined },
  setupOwnerAction: { refused: () => "public", input: () => undefined },
  changePasswordAction: { refused: () => "public", input: () => undefined },
  changeOwnNameAction: { refused: () => "public", input: () => undefined },
  acceptInvitationAction: { refused: () => "public", input: () => undefined },
};

function actionFiles(): string[] {
  const dir = path.join(ROOT, "lib/actions");
  return fs
    .readdirSync(dir)
    .filter(
      (f) =>
        f.endsWith(".ts") && !f.endsWith(".test.ts") && /^["']use server["']/m.test(fs.readFileSync(path.join(dir, f), "utf8")),
    );
}

async function allActions(): Promise<Map<string, (input: unknown) => Promise<unknown>>> {
  const found = new Map<string, (input: unknown) => Promise<unknown>>();
  for (const file of actionFiles()) {
    const exported = (await import(path.join(ROOT, "lib/actions", file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exported))
      if (typeof value === "function") found.set(name, value as (input: unknown) => Promise<unknown>);
  }
  return found;
}

async function call(fn: (input: unknown) => Promise<unknown>, input: unknown, as: Person | null) {
  session.cookie = as?.cookie ?? "";
  try {
    return await fn(input);
  } finally {
    session.cookie = "";
  }
}

describe("every server action", () => {
  it("has an entry in the access table (a new action must say who may call it)", async () => {
    const names = [...(await allActions()).keys()].sort();
    expect(names.length).toBeGreaterThan(15);
    expect(names).toEqual(Object.keys(actionCases).sort());
  });

  it("refuses signed-out callers and changes nothing", async () => {
    for (const [name, fn] of await allActions()) {
      const entry = actionCases[name]!;
      if (entry.refused() === "public") continue;
      const before = await databaseSnapshot();
      const result = (await call(fn, entry.input(), null)) as { ok: boolean; error?: { code: string } };
      expect(result, name).toMatchObject({ ok: false, error: { code: "unauthenticated" } });
      expect(await databaseSnapshot(), `${name} changed the database`).toBe(before);
    }
  });

  it("refuses signed-in callers without the permission and changes nothing", async () => {
    for (const [name, fn] of await allActions()) {
      const entry = actionCases[name]!;
      const caller = entry.refused();
      if (caller === "public" || caller === "any-user") continue;
      const before = await databaseSnapshot();
      const result = (await call(fn, entry.input(), caller)) as { ok: boolean; error?: { code: string; message: string } };
      expect(result.ok, `${name} as ${caller.user.name}`).toBe(false);
      expect(["forbidden", "not_found"], `${name}: ${result.error?.code} ${result.error?.message}`).toContain(result.error?.code);
      expect(await databaseSnapshot(), `${name} changed the database`).toBe(before);
    }
  });

  it("the same inputs work for someone with the permission (the refusals above are not input errors)", async () => {
    const actions = await allActions();
    const result = (await call(
      actions.get("updateProfileAction")!,
      { id: profileId, version: 1, profile: { ...oauthSecretInput({ name: "Guarded" }), description: "edited by edith" } },
      editor,
    )) as { ok: boolean };
    expect(result.ok).toBe(true);
    const sharing = (await call(actions.get("getProfileSharingAction")!, { profileId }, owner)) as { ok: boolean };
    expect(sharing.ok).toBe(true);
  });
});

type RouteCase = {
  method: string;
  url: string;
  params: Record<string, string>;
  body?: unknown;
  refused: () => Person | "public" | "any-user";
  /** /api/v1 authenticates with a bearer token; the console's routes with the session cookie */
  bearer?: boolean;
};

/** Every route handler under app/: how it is called and who must be refused. */
const routeCases: Record<string, RouteCase[]> = {
  // sign-in and sign-out only (every other path is a 404): tests/integration/auth-endpoints.test.ts
  "api/auth/[...all]": [{ method: "POST", url: "/api/auth/sign-out", params: { all: "sign-out" }, refused: () => "public" }],
  "api/schema/mcf-profile": [{ method: "GET", url: "/api/schema/mcf-profile", params: {}, refused: () => "public" }],
  "api/profiles/test": [
    {
      method: "POST",
      url: "/api/profiles/test",
      params: {},
      body: () => ({ profileId, profile: oauthSecretInput({ name: "Guarded" }) }),
      refused: () => viewer,
    },
  ],
  "api/certificates/[id]/private-key": [
    {
      method: "POST",
      url: "/api/certificates/x/private-key",
      params: { id: "CERT" },
      body: { format: "pfx", passphrase: "long enough passphrase" },
      refused: () => editor,
    },
  ],
  // the certificate itself is public information (it is uploaded to Entra): any signed-in user may download it
  "api/certificates/[id]/download/[format]": [
    { method: "GET", url: "/api/certificates/x/download/cer", params: { id: "CERT", format: "cer" }, refused: () => "any-user" },
  ],
  "api/audit": [{ method: "GET", url: "/api/audit", params: {}, refused: () => editor }],
  "api/profiles/export": [
    // not shared with victor at all: "not found", its existence not revealed
    {
      method: "POST",
      url: "/api/profiles/export",
      params: {},
      body: () => ({ ids: [profileId], includeSecrets: false }),
      refused: () => viewer,
    },
    // ursula may use it, but carrying its secrets out needs Manage
    {
      method: "POST",
      url: "/api/profiles/export",
      params: {},
      body: () => ({ ids: [profileId], includeSecrets: true, passphrase: "long enough passphrase" }),
      refused: () => user,
    },
    {
      method: "POST",
      url: "/api/profiles/export",
      params: {},
      body: { ids: "all", includeSecrets: true, passphrase: "long enough passphrase" },
      refused: () => editor,
    },
  ],
  // /api/v1 takes personal API tokens (bearer), so its cases call with each person's token
  "api/v1/openapi.json": [{ method: "GET", url: "/api/v1/openapi.json", params: {}, refused: () => "public" }],
  "api/v1/profiles": [
    // the list shows only what the caller may see: nobody is refused, victor just gets an empty page
    { method: "GET", url: "/api/v1/profiles", params: {}, refused: () => "any-user", bearer: true },
    {
      method: "POST",
      url: "/api/v1/profiles",
      params: {},
      body: () => ({
        format: "mcf-profile",
        version: 1,
        name: "Sneaky",
        connection: { protocol: "imap", mailServerUrl: "outlook.office365.com", security: "tls" },
        authentication: { type: "basic", username: "x", password: "y" },
      }),
      refused: () => viewer,
      bearer: true,
    },
  ],
  "api/v1/profiles/[id]": [
    { method: "GET", url: "/api/v1/profiles/PROFILE", params: { id: "PROFILE" }, refused: () => viewer, bearer: true },
    {
      method: "PUT",
      url: "/api/v1/profiles/PROFILE?version=1",
      params: { id: "PROFILE" },
      body: () => ({
        format: "mcf-profile",
        version: 1,
        name: "Guarded",
        connection: { protocol: "imap", mailServerUrl: "evil.example.net", security: "tls" },
        authentication: { type: "basic", username: "x", password: "y" },
      }),
      refused: () => user,
      bearer: true,
    },
    { method: "DELETE", url: "/api/v1/profiles/PROFILE", params: { id: "PROFILE" }, refused: () => editor, bearer: true },
  ],
  "api/v1/profiles/[id]/test": [
    { method: "POST", url: "/api/v1/profiles/PROFILE/test", params: { id: "PROFILE" }, refused: () => viewer, bearer: true },
  ],
  "api/v1/profiles/[id]/revisions": [
    { method: "GET", url: "/api/v1/profiles/PROFILE/revisions", params: { id: "PROFILE" }, refused: () => viewer, bearer: true },
  ],
  "api/v1/profiles/[id]/revisions/compare": [
    {
      method: "GET",
      url: "/api/v1/profiles/PROFILE/revisions/compare?from=1&to=1",
      params: { id: "PROFILE" },
      refused: () => viewer,
      bearer: true,
    },
  ],
  "api/v1/profiles/[id]/revisions/[n]/restore": [
    {
      method: "POST",
      url: "/api/v1/profiles/PROFILE/revisions/1/restore?version=1",
      params: { id: "PROFILE", n: "1" },
      refused: () => user,
      bearer: true,
    },
  ],
  "api/v1/export": [
    {
      method: "POST",
      url: "/api/v1/export",
      params: {},
      body: () => ({ ids: [profileId] }),
      refused: () => viewer,
      bearer: true,
    },
    {
      method: "POST",
      url: "/api/v1/export",
      params: {},
      body: () => ({ ids: [profileId], includeSecrets: true, passphrase: "long enough passphrase" }),
      refused: () => user,
      bearer: true,
    },
  ],
  "api/v1/import": [
    {
      method: "POST",
      url: "/api/v1/import",
      params: {},
      body: () => ({
        file: JSON.stringify({
          format: "mcf-profile",
          version: 1,
          name: "Sneaky",
          connection: { protocol: "imap", mailServerUrl: "outlook.office365.com", security: "tls" },
          authentication: { type: "basic", username: "x", password: "y" },
        }),
      }),
      refused: () => viewer,
      bearer: true,
    },
  ],
};

function routeFiles(dir = path.join(ROOT, "app"), found: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) routeFiles(full, found);
    else if (entry.name === "route.ts")
      found.push(
        path
          .relative(path.join(ROOT, "app"), path.dirname(full))
          .split(path.sep)
          .filter((p) => !p.startsWith("("))
          .join("/"),
      );
  }
  return found.sort();
}

/** what the console's own pages send: the request comes from the console's origin */
const OWN_ORIGIN = { origin: "http://127.0.0.1" };

async function callRoute(
  route: string,
  testCase: RouteCase,
  as: Person | null,
  from: Record<string, string> = OWN_ORIGIN,
): Promise<Response> {
  const handlers = (await import(path.join(ROOT, "app", route, "route.ts"))) as Record<
    string,
    (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>
  >;
  const target = (v: string) => (v === "CERT" ? certificateId : v === "PROFILE" ? profileId : v);
  const params = Object.fromEntries(Object.entries(testCase.params).map(([k, v]) => [k, target(v)]));
  const body = typeof testCase.body === "function" ? (testCase.body as () => unknown)() : testCase.body;
  const request = new Request(`http://127.0.0.1${testCase.url.replace("PROFILE", profileId)}`, {
    method: testCase.method,
    headers: {
      "content-type": "application/json",
      ...from,
      ...(as ? (testCase.bearer ? { authorization: `Bearer ${as.token}` } : { cookie: as.cookie }) : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  session.cookie = as && !testCase.bearer ? as.cookie : "";
  try {
    return await handlers[testCase.method]!(request, { params: Promise.resolve(params) });
  } finally {
    session.cookie = "";
  }
}

describe("every route handler", () => {
  it("has an entry in the access table", () => {
    expect(routeFiles()).toEqual(Object.keys(routeCases).sort());
  });

  it("refuses signed-out requests (401) and wrong-permission requests (403/404), changing nothing", async () => {
    for (const [route, cases] of Object.entries(routeCases)) {
      for (const testCase of cases) {
        const who = testCase.refused();
        if (who === "public") continue;
        let before = await databaseSnapshot();
        const signedOut = await callRoute(route, testCase, null);
        expect(signedOut.status, `${route} signed out`).toBe(401);
        expect(await signedOut.json()).toMatchObject({ error: { code: "unauthenticated" } });
        expect(await databaseSnapshot(), `${route} signed out changed the database`).toBe(before);
        if (who === "any-user") continue;
        before = await databaseSnapshot();
        const refused = await callRoute(route, testCase, who);
        expect([403, 404], `${route} as ${who.user.name}`).toContain(refused.status);
        expect(await databaseSnapshot(), `${route} as ${who.user.name} changed the database`).toBe(before);
      }
    }
  });

  // The session cookie is SameSite=Lax, and a page on another port of this host is same-site: its
  // requests carry the owner's cookie. Every route that authenticates with that cookie (all but
  // better-auth's own, the public ones and the token-only /api/v1) must refuse them, even for the owner.
  it("refuses requests from another site on every cookie route, even the owner's, changing nothing", async () => {
    const crossSite: Record<string, string>[] = [
      { origin: "http://127.0.0.1:4000", "sec-fetch-site": "same-site" },
      { "sec-fetch-site": "cross-site" },
    ];
    let checked = 0;
    for (const [route, cases] of Object.entries(routeCases)) {
      for (const testCase of cases) {
        if (testCase.bearer || testCase.refused() === "public") continue;
        for (const from of crossSite) {
          const before = await databaseSnapshot();
          const response = await callRoute(route, testCase, owner, from);
          expect(response.status, `${route} ${JSON.stringify(from)}`).toBe(403);
          const body = (await response.json()) as { error: { code: string; message: string } };
          expect(body.error.code, route).toBe("forbidden");
          expect(body.error.message, route).toMatch(
            /^This request came from another site \(origin .+\)\. Open the console at http:\/\/127\.0\.0\.1 and try again\.$/,
          );
          expect(await databaseSnapshot(), `${route} from another site changed the database`).toBe(before);
          checked += 1;
        }
      }
    }
    // at least: audit, both certificate routes, export (three cases), test
    expect(checked).toBeGreaterThanOrEqual(7 * crossSite.length);
  });
});

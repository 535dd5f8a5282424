/**
 * What the Import page and the Export dialog call, as signed-in users: the import actions parse
 * the file again on the server (a hostile or oversized file is refused whatever the browser did),
 * the plan they return holds no secret and no other profile's id, apply is all-or-nothing, and the
 * export route answers with a download, naming the profiles whose secrets the user may not export.
 */
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

const { prisma } = await import("@/lib/db/client");
const { getAuth } = await import("@/lib/auth/auth");
const { createUserWithPassword } = await import("@/lib/auth/users");
const { createProfile } = await import("@/lib/profile-operations/profile-service");
const { setProfileShare } = await import("@/lib/profile-operations/sharing");
const { inputToDocument } = await import("@/lib/profiles/document");
const { applyImportAction, planImportAction } = await import("@/lib/actions/transfer");
const exportRoute = await import("@/app/api/profiles/export/route");
const { oauthSecretInput } = await import("../support/profile-fixtures");
type CurrentUser = import("@/lib/auth/session").CurrentUser;
type Role = import("@/lib/auth/permissions").Role;

const PASSWORD = "correct horse battery staple";
const SECRET = "Hand-written-clear-secret-0123456789";
const STORED_SECRET = "stored-secret-value-of-shared-profile";

interface Person {
  user: CurrentUser;
  cookie: string;
}

async function person(role: Role, name: string): Promise<Person> {
  const email = `${name}@transfer-ui.test`;
  const created = await createUserWithPassword({ email, name, password: PASSWORD, role });
  const response = await getAuth().api.signInEmail({
    body: { email, password: PASSWORD },
    headers: new Headers(),
    returnHeaders: true,
  });
  return {
    user: { id: created.id, name, email, role },
    cookie: response.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; "),
  };
}

let owner: Person;
let editor: Person;
let sharedId: string;
let hiddenId: string;

beforeAll(async () => {
  owner = await person("owner", "olga");
  editor = await person("editor", "emil");
  sharedId = (await createProfile(oauthSecretInput({ name: "Shared for use", secret: STORED_SECRET }), owner.user)).id;
  hiddenId = (await createProfile(oauthSecretInput({ name: "Not shared", secret: STORED_SECRET }), owner.user)).id;
  await setProfileShare(sharedId, editor.user.id, "use", owner.user);
});

async function as<T>(who: Person, work: () => Promise<T>): Promise<T> {
  session.cookie = who.cookie;
  try {
    return await work();
  } finally {
    session.cookie = "";
  }
}

const documentText = (name: string, secret: string | null = SECRET) =>
  JSON.stringify(inputToDocument(oauthSecretInput({ name }), { client_secret: secret }));

const profileCount = () => prisma.profile.count();

describe("import actions", () => {
  it("plan: re-parsed on the server, no secret in the answer, a clash without the other profile's id", async () => {
    const text = `[${documentText("Fresh one")}, ${documentText("Not shared")}, ${documentText("shared FOR use", null)}]`;
    const result = await as(editor, () => planImportAction({ text }));
    expect(result.ok).toBe(true);
    if (!result.ok || !result.data.valid) throw new Error("expected a plan");
    const serialized = JSON.stringify(result.data);
    expect(serialized).not.toContain(SECRET);
    expect(serialized).not.toContain(hiddenId);
    expect(serialized).not.toContain(sharedId);
    expect(result.data.items.map((i) => [i.name, i.needsDecision, i.clash])).toEqual([
      ["Fresh one", false, null],
      // a name is global, so the clash is reported; replacing needs Edit, which emil lacks on both
      ["Not shared", true, { name: "Not shared", version: 1, canReplace: false }],
      ["shared FOR use", true, { name: "Shared for use", version: 1, canReplace: false }],
    ]);
    expect(result.data.items[2]!.missingSecrets).toEqual(["client_secret"]);
  });

  it("hostile and oversized files are refused by the server itself, with the library's messages", async () => {
    const cases: [string, string][] = [
      [`{"__proto__": {"x": 1}, "format": "mcf-profile", "version": 1}`, "forbidden_key"],
      [`${"[".repeat(40)}${"]".repeat(40)}`, "too_deep"],
      [" ".repeat(5 * 1024 * 1024 + 1), "too_large"],
      [documentText("Future").replace('"version":1', '"version":7'), "wrong_version"],
      [`{"format": "something-else", "version": 1}`, "wrong_format"],
    ];
    for (const [text, code] of cases) {
      const result = await as(editor, () => planImportAction({ text }));
      expect(result, code).toMatchObject({ ok: true, data: { valid: false, errors: [{ code }] } });
    }
  });

  it("apply: all or nothing — one decision that cannot be carried out imports nothing; then everything at once", async () => {
    const text = `[${documentText("Batch one")}, ${documentText("Batch two")}, ${documentText("Not shared")}]`;
    const before = await profileCount();
    const refused = await as(editor, () =>
      applyImportAction({ text, decisions: [{ index: 2, action: "rename", name: "Batch one" }] }),
    );
    expect(refused).toMatchObject({ ok: true, data: { ok: false, errors: [{ path: "$[2].name", code: "name_clash" }] } });
    expect(await profileCount()).toBe(before);

    // replacing a profile emil may only use is refused by the library, and changes nothing either
    const forbidden = await as(editor, () =>
      applyImportAction({
        text: `[${documentText("Batch one")}, ${documentText("Shared for use")}]`,
        decisions: [{ index: 1, action: "replace", expectedVersion: 1 }],
      }),
    );
    expect(forbidden).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(await profileCount()).toBe(before);

    const applied = await as(editor, () =>
      applyImportAction({ text, decisions: [{ index: 2, action: "rename", name: "Batch three" }] }),
    );
    expect(applied).toMatchObject({
      ok: true,
      data: { ok: true, created: [{ name: "Batch one" }, { name: "Batch two" }, { name: "Batch three" }] },
    });
    expect(JSON.stringify(applied)).not.toContain(SECRET);
    expect(await profileCount()).toBe(before + 3);
  });

  it("apply re-parses too: a wrong passphrase is refused at each secret's path", async () => {
    const sealed = documentText("Sealed").replace(
      `"${SECRET}"`,
      `{"encrypted": "v1:${Buffer.alloc(60, 1).toString("base64url")}"}`,
    );
    const result = await as(editor, () => applyImportAction({ text: sealed, passphrase: "some passphrase", decisions: [] }));
    expect(result).toMatchObject({
      ok: true,
      data: { ok: false, errors: [{ path: "$.authentication.requestProperties.client_secret", code: "wrong_passphrase" }] },
    });
  });
});

async function postExport(who: Person, body: unknown): Promise<Response> {
  // as the console's Export dialog sends it: JSON, from the console's own page
  const request = new Request("http://127.0.0.1/api/profiles/export", {
    method: "POST",
    headers: { "content-type": "application/json", origin: "http://127.0.0.1" },
    body: JSON.stringify(body),
  });
  return as(who, () => exportRoute.POST(request, { params: Promise.resolve({}) }));
}

describe("export route", () => {
  it("is POST only: nothing answers a GET that could carry a passphrase in its URL", () => {
    expect(Object.keys(exportRoute).filter((k) => /^[A-Z]+$/.test(k))).toEqual(["POST"]);
  });

  it("downloads the chosen profiles: one object for one, an array for several, secrets null", async () => {
    const one = await postExport(editor, { ids: [sharedId], includeSecrets: false });
    expect(one.status).toBe(200);
    expect(one.headers.get("content-disposition")).toBe('attachment; filename="shared-for-use.mcf-profile.json"');
    expect(one.headers.get("cache-control")).toBe("no-store");
    const text = await one.text();
    expect(JSON.parse(text)).toMatchObject({
      name: "Shared for use",
      authentication: { requestProperties: { client_secret: null } },
    });
    expect(text).not.toContain(STORED_SECRET);

    const several = await postExport(owner, {
      ids: [hiddenId, sharedId],
      includeSecrets: true,
      passphrase: "long enough passphrase",
    });
    expect(several.status).toBe(200);
    const documents = (await several.json()) as {
      name: string;
      authentication: { requestProperties: Record<string, unknown> };
    }[];
    expect(documents.map((d) => d.name)).toEqual(["Not shared", "Shared for use"]);
    expect(documents[0]!.authentication.requestProperties.client_secret).toEqual({ encrypted: expect.stringMatching(/^v1:/) });
    expect(JSON.stringify(documents)).not.toContain(STORED_SECRET);
  });

  it("refuses secrets without Manage, naming the profile; a short passphrase is a field error; a bad body is 400", async () => {
    const refused = await postExport(editor, { ids: [sharedId], includeSecrets: true, passphrase: "long enough passphrase" });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      error: { code: "forbidden", message: expect.stringContaining("you do not manage “Shared for use”") },
    });

    const all = await postExport(editor, { ids: "all", includeSecrets: true, passphrase: "long enough passphrase" });
    expect(all.status).toBe(403);
    expect(await all.json()).toMatchObject({
      error: { message: expect.stringMatching(/^An export with secrets needs Manage access on every profile in it/) },
    });

    const short = await postExport(owner, { ids: [sharedId], includeSecrets: true, passphrase: "short" });
    expect(short.status).toBe(400);
    expect(await short.json()).toMatchObject({
      error: { fields: { passphrase: "Choose a passphrase of at least 8 characters" } },
    });

    const bad = await postExport(owner, { ids: [], includeSecrets: false });
    expect(bad.status).toBe(400);
  });
});

/**
 * Personal API tokens: the token's shape, what is stored (a SHA-256 hash and a prefix, never the
 * token), listing, revoking (own; admins anyone's), the audit trail, and resolving a token to its
 * creator's CURRENT permissions: revoked, expired, disabled and removed users' tokens stop working.
 * Also the two server actions behind the tokens page, signed out and signed in.
 */
import crypto from "node:crypto";
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
const { createApiToken, listApiTokens, listOtherUsersActiveTokens, revokeApiToken, hashApiToken, MAX_ACTIVE_TOKENS_PER_USER } =
  await import("@/lib/api/tokens");
const { authenticateApiToken, LAST_USED_RESOLUTION_MS } = await import("@/lib/api/token-auth");
const { createApiTokenAction, revokeApiTokenAction } = await import("@/lib/actions/api-tokens");
const { seedUser } = await import("../support/users");
const { setUserDisabled } = await import("@/lib/users/set-disabled");
type CurrentUser = import("@/lib/auth/session").CurrentUser;

let owner: CurrentUser;
let admin: CurrentUser;
let editor: CurrentUser;
let viewer: CurrentUser;

beforeAll(async () => {
  owner = await seedUser("owner", "Olivia Owner");
  admin = await seedUser("admin", "Adam Admin");
  editor = await seedUser("editor", "Edith Editor");
  viewer = await seedUser("viewer", "Victor Viewer");
});

const bearer = (token: string) => `Bearer ${token}`;

async function tokenRowsAndAudit(): Promise<string> {
  const tokens = await prisma.apiToken.findMany({ orderBy: { id: "asc" } });
  const events = await prisma.auditEvent.findMany({ orderBy: { id: "asc" } });
  return JSON.stringify({ tokens, events });
}

describe("creating a token", () => {
  it("returns mcf_ + 43 base64url characters once, and stores only its SHA-256 hash and prefix", async () => {
    const { token, summary } = await createApiToken(editor, { name: "nightly export", expiresInDays: 30 });
    expect(token).toMatch(/^mcf_[A-Za-z0-9_-]{43}$/);
    // 43 base64url characters are exactly 32 random bytes
    expect(Buffer.from(token.slice(4), "base64url")).toHaveLength(32);
    expect(summary).toMatchObject({
      name: "nightly export",
      prefix: token.slice(0, 12),
      status: "active",
      revokedAt: null,
      lastUsedAt: null,
      owner: { id: editor.id },
    });
    expect(Date.parse(summary.expiresAt!) - Date.now()).toBeGreaterThan(29.9 * 86_400_000);
    expect(Date.parse(summary.expiresAt!) - Date.now()).toBeLessThanOrEqual(30 * 86_400_000);

    const row = await prisma.apiToken.findUniqueOrThrow({ where: { id: summary.id } });
    expect(row.tokenHash).toBe(crypto.createHash("sha256").update(token).digest("hex"));
    expect(row.prefix).toBe(token.slice(0, 12));
    // the token itself is nowhere: not in the token table, not in the audit log
    const everything = await tokenRowsAndAudit();
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(token.slice(12));
  });

  it("tokens are random: two creations never share a value or a hash", async () => {
    const a = await createApiToken(viewer, { name: "a", expiresInDays: null });
    const b = await createApiToken(viewer, { name: "a", expiresInDays: null });
    expect(a.token).not.toBe(b.token);
    expect(hashApiToken(a.token)).not.toBe(hashApiToken(b.token));
    expect(a.summary.expiresAt).toBeNull();
  });

  it("is audited with the prefix, never the token", async () => {
    const { token, summary } = await createApiToken(owner, { name: "audited", expiresInDays: 7 });
    const event = await prisma.auditEvent.findFirstOrThrow({ where: { action: "api_token.created", objectId: summary.id } });
    expect(event).toMatchObject({ actorId: owner.id, objectType: "api_token", objectLabel: "audited" });
    expect(JSON.parse(event.detail!)).toMatchObject({ prefix: token.slice(0, 12) });
    expect(event.detail).not.toContain(token);
  });

  it("refuses a blank name, control characters and impossible expiries with field errors", async () => {
    await expect(createApiToken(editor, { name: "  ", expiresInDays: 30 })).rejects.toMatchObject({
      code: "invalid_input",
      fields: { name: expect.any(String) },
    });
    await expect(createApiToken(editor, { name: "a\nb", expiresInDays: 30 })).rejects.toMatchObject({
      code: "invalid_input",
      fields: { name: expect.any(String) },
    });
    await expect(createApiToken(editor, { name: "x", expiresInDays: 0 })).rejects.toMatchObject({
      code: "invalid_input",
      fields: { expiresInDays: expect.any(String) },
    });
    await expect(createApiToken(editor, { name: "x", expiresInDays: 1.5 })).rejects.toMatchObject({ code: "invalid_input" });
  });

  it(`stops at ${MAX_ACTIVE_TOKENS_PER_USER} active tokens per user; revoked ones do not count`, async () => {
    const user = await seedUser("viewer", "Many Tokens");
    const ids: string[] = [];
    for (let i = 0; i < MAX_ACTIVE_TOKENS_PER_USER; i++)
      ids.push((await createApiToken(user, { name: `t${i}`, expiresInDays: null })).summary.id);
    await expect(createApiToken(user, { name: "one too many", expiresInDays: null })).rejects.toMatchObject({ code: "conflict" });
    await revokeApiToken(user, ids[0]!);
    await expect(createApiToken(user, { name: "room again", expiresInDays: null })).resolves.toMatchObject({
      summary: { status: "active" },
    });
  });
});

describe("listing and revoking", () => {
  it("lists the caller's own tokens only, newest first, without the token", async () => {
    const user = await seedUser("editor", "Lister");
    const first = await createApiToken(user, { name: "first", expiresInDays: null });
    const second = await createApiToken(user, { name: "second", expiresInDays: 90 });
    await createApiToken(owner, { name: "not lister's", expiresInDays: null });
    const listed = await listApiTokens(user);
    expect(listed.map((t) => t.name)).toEqual(["second", "first"]);
    expect(JSON.stringify(listed)).not.toContain(first.token);
    expect(JSON.stringify(listed)).not.toContain(second.token);
  });

  it("lets the creator revoke; a second revocation changes nothing and records nothing", async () => {
    const { token, summary } = await createApiToken(editor, { name: "to revoke", expiresInDays: null });
    const revoked = await revokeApiToken(editor, summary.id);
    expect(revoked).toMatchObject({ status: "revoked", revokedAt: expect.any(String) });
    const again = await revokeApiToken(editor, summary.id);
    expect(again.revokedAt).toBe(revoked.revokedAt);
    expect(await prisma.auditEvent.count({ where: { action: "api_token.revoked", objectId: summary.id } })).toBe(1);
    expect(await authenticateApiToken(bearer(token))).toMatchObject({ ok: false, message: expect.stringMatching(/revoked/) });
  });

  it("another non-admin cannot revoke (or learn of) someone else's token: not_found, nothing changed", async () => {
    const { token, summary } = await createApiToken(owner, { name: "owner's", expiresInDays: null });
    const before = await tokenRowsAndAudit();
    await expect(revokeApiToken(editor, summary.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(revokeApiToken(viewer, summary.id)).rejects.toMatchObject({ code: "not_found" });
    expect(await tokenRowsAndAudit()).toBe(before);
    expect(await authenticateApiToken(bearer(token))).toMatchObject({ ok: true });
  });

  it("an admin sees other users' active tokens and can revoke them; the event names the token's owner", async () => {
    const { token, summary } = await createApiToken(editor, { name: "leaked", expiresInDays: null });
    const others = await listOtherUsersActiveTokens(admin);
    expect(others.find((t) => t.id === summary.id)).toMatchObject({ owner: { id: editor.id, email: editor.email } });
    expect(others.every((t) => t.owner.id !== admin.id && t.status === "active")).toBe(true);
    await expect(listOtherUsersActiveTokens(editor)).rejects.toMatchObject({ code: "forbidden" });

    await revokeApiToken(admin, summary.id);
    const event = await prisma.auditEvent.findFirstOrThrow({ where: { action: "api_token.revoked", objectId: summary.id } });
    expect(event.actorId).toBe(admin.id);
    expect(JSON.parse(event.detail!)).toMatchObject({ prefix: token.slice(0, 12), owner: expect.stringContaining(editor.email) });
    expect(await authenticateApiToken(bearer(token))).toMatchObject({ ok: false });
    expect((await listOtherUsersActiveTokens(admin)).some((t) => t.id === summary.id)).toBe(false);
  });
});

describe("the owner's tokens", () => {
  it("nobody but the owner revokes them: an admin is refused and changes nothing", async () => {
    const { token, summary } = await createApiToken(owner, { name: "owner's automation", expiresInDays: null });
    const before = await tokenRowsAndAudit();
    await expect(revokeApiToken(admin, summary.id)).rejects.toMatchObject({
      code: "forbidden",
      userMessage: "Nobody can revoke the API tokens of the console owner.",
    });
    expect(await tokenRowsAndAudit()).toBe(before);
    expect(await authenticateApiToken(bearer(token))).toMatchObject({ ok: true, user: { id: owner.id } });
    // an admin is not offered them either
    expect((await listOtherUsersActiveTokens(admin)).some((t) => t.owner.id === owner.id)).toBe(false);
    await expect(revokeApiToken(owner, summary.id)).resolves.toMatchObject({ status: "revoked" });
  });

  it("admins' tokens are the owner's business: another admin is refused, the owner may", async () => {
    const other = await seedUser("admin", "Other Admin");
    const { token, summary } = await createApiToken(other, { name: "other admin's", expiresInDays: null });
    expect((await listOtherUsersActiveTokens(admin)).some((t) => t.id === summary.id)).toBe(false);
    await expect(revokeApiToken(admin, summary.id)).rejects.toMatchObject({ code: "forbidden" });
    expect(await authenticateApiToken(bearer(token))).toMatchObject({ ok: true });
    expect((await listOtherUsersActiveTokens(owner)).some((t) => t.id === summary.id)).toBe(true);
    await expect(revokeApiToken(owner, summary.id)).resolves.toMatchObject({ status: "revoked" });
  });
});

describe("resolving a token", () => {
  it("accepts Bearer (any case) and resolves the creator", async () => {
    const { token, summary } = await createApiToken(editor, { name: "resolve", expiresInDays: 1 });
    for (const header of [`Bearer ${token}`, `bearer ${token}`, `BEARER  ${token} `]) {
      expect(await authenticateApiToken(header)).toEqual({
        ok: true,
        tokenId: summary.id,
        user: { id: editor.id, name: editor.name, email: editor.email, role: "editor" },
      });
    }
  });

  it("refuses missing, malformed and unknown tokens", async () => {
    const { token } = await createApiToken(editor, { name: "shape", expiresInDays: null });
    for (const header of [
      null,
      "",
      "Basic abc",
      token,
      `Bearer ${token.slice(0, -1)}`,
      `Bearer ${token}x`,
      `Bearer ${token} ${token}`,
      `Bearer mcf_${"A".repeat(43)}`,
      `Token ${token}`,
    ]) {
      expect(await authenticateApiToken(header), String(header)).toMatchObject({ ok: false, message: expect.any(String) });
    }
  });

  it("refuses an expired token", async () => {
    const { token, summary } = await createApiToken(editor, { name: "short-lived", expiresInDays: 1 });
    expect(await authenticateApiToken(bearer(token))).toMatchObject({ ok: true });
    // a day later
    expect(await authenticateApiToken(bearer(token), new Date(Date.now() + 86_400_000 + 1000))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/expired/),
    });
    await prisma.apiToken.update({ where: { id: summary.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await authenticateApiToken(bearer(token))).toMatchObject({ ok: false, message: expect.stringMatching(/expired/) });
    expect((await listApiTokens(editor)).find((t) => t.id === summary.id)?.status).toBe("expired");
  });

  it("acts with the creator's CURRENT role: a role change applies to the next request", async () => {
    const user = await seedUser("editor", "Role Changer");
    const { token } = await createApiToken(user, { name: "follows role", expiresInDays: null });
    expect(await authenticateApiToken(bearer(token))).toMatchObject({ ok: true, user: { role: "editor" } });
    await prisma.user.update({ where: { id: user.id }, data: { role: "viewer" } });
    expect(await authenticateApiToken(bearer(token))).toMatchObject({ ok: true, user: { role: "viewer" } });
  });

  it("stops working while the user is disabled, even if only the flag was set, and for good once the user is removed", async () => {
    const user = await seedUser("editor", "Leaver");
    const { token, summary } = await createApiToken(user, { name: "leaver's", expiresInDays: null });
    // the token check itself refuses a disabled user (defence in depth: disabling through the
    // console also revokes the tokens, see below)
    await prisma.user.update({ where: { id: user.id }, data: { disabled: true } });
    expect(await authenticateApiToken(bearer(token))).toMatchObject({ ok: false, message: expect.stringMatching(/disabled/) });
    await prisma.user.update({ where: { id: user.id }, data: { disabled: false } });
    await prisma.user.delete({ where: { id: user.id } });
    expect(await authenticateApiToken(bearer(token))).toMatchObject({ ok: false });
    expect(await prisma.apiToken.findUnique({ where: { id: summary.id } })).toBeNull();
  });

  it("disabling a user revokes their tokens for good, audited per token; enabling them again does not bring a token back", async () => {
    const user = await seedUser("editor", "Suspended");
    const active = await createApiToken(user, { name: "nightly", expiresInDays: null });
    const second = await createApiToken(user, { name: "hourly", expiresInDays: 30 });
    const old = await createApiToken(user, { name: "old", expiresInDays: null });
    await revokeApiToken(user, old.summary.id);
    const oldRevokedAt = (await prisma.apiToken.findUniqueOrThrow({ where: { id: old.summary.id } })).revokedAt;

    await setUserDisabled(owner, user.id, true, "192.0.2.5");
    for (const { token } of [active, second])
      expect(await authenticateApiToken(bearer(token))).toMatchObject({ ok: false, message: expect.stringMatching(/revoked/) });
    const disabled = await prisma.auditEvent.findFirstOrThrow({ where: { action: "user.disabled", objectId: user.id } });
    expect(JSON.parse(disabled.detail!)).toMatchObject({ apiTokensRevoked: 2 });
    for (const { token, summary } of [active, second]) {
      const event = await prisma.auditEvent.findFirstOrThrow({ where: { action: "api_token.revoked", objectId: summary.id } });
      expect(event).toMatchObject({ actorId: owner.id, ip: "192.0.2.5" });
      expect(JSON.parse(event.detail!)).toEqual({
        prefix: token.slice(0, 12),
        owner: `${user.name} <${user.email}>`,
        reason: "user_disabled",
      });
    }
    // the token revoked earlier keeps its own date and gets no second event
    expect((await prisma.apiToken.findUniqueOrThrow({ where: { id: old.summary.id } })).revokedAt).toEqual(oldRevokedAt);
    expect(await prisma.auditEvent.count({ where: { action: "api_token.revoked", objectId: old.summary.id } })).toBe(1);

    await setUserDisabled(owner, user.id, false);
    for (const { token } of [active, second])
      expect(await authenticateApiToken(bearer(token))).toMatchObject({ ok: false, message: expect.stringMatching(/revoked/) });
    expect((await listApiTokens(user)).map((t) => t.status)).toEqual(["revoked", "revoked", "revoked"]);
  });

  it("records lastUsedAt at most once a minute", async () => {
    const { token, summary } = await createApiToken(viewer, { name: "used", expiresInDays: null });
    const t0 = new Date();
    await authenticateApiToken(bearer(token), t0);
    const first = (await prisma.apiToken.findUniqueOrThrow({ where: { id: summary.id } })).lastUsedAt;
    expect(first?.getTime()).toBe(t0.getTime());
    await authenticateApiToken(bearer(token), new Date(t0.getTime() + 30_000));
    expect((await prisma.apiToken.findUniqueOrThrow({ where: { id: summary.id } })).lastUsedAt?.getTime()).toBe(t0.getTime());
    const later = new Date(t0.getTime() + LAST_USED_RESOLUTION_MS + 1);
    await authenticateApiToken(bearer(token), later);
    expect((await prisma.apiToken.findUniqueOrThrow({ where: { id: summary.id } })).lastUsedAt?.getTime()).toBe(later.getTime());
  });
});

describe("the token page's server actions", () => {
  const PASSWORD = "correct horse battery staple";
  async function signIn(role: "editor" | "viewer" | "admin", name: string) {
    const email = `${name}@tokens.test`;
    const created = await createUserWithPassword({ email, name, password: PASSWORD, role });
    const response = await getAuth().api.signInEmail({
      body: { email, password: PASSWORD },
      headers: new Headers(),
      returnHeaders: true,
    });
    return {
      id: created.id,
      cookie: response.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; "),
    };
  }
  async function as<T>(cookie: string, run: () => Promise<T>): Promise<T> {
    session.cookie = cookie;
    try {
      return await run();
    } finally {
      session.cookie = "";
    }
  }

  it("signed out: both actions refuse and nothing changes", async () => {
    const { summary } = await createApiToken(editor, { name: "target", expiresInDays: null });
    const before = await tokenRowsAndAudit();
    expect(await createApiTokenAction({ name: "sneaky", expiresInDays: 30 })).toMatchObject({
      ok: false,
      error: { code: "unauthenticated" },
    });
    expect(await revokeApiTokenAction({ id: summary.id })).toMatchObject({ ok: false, error: { code: "unauthenticated" } });
    expect(await tokenRowsAndAudit()).toBe(before);
  });

  it("signed in: a viewer creates a token for themselves (shown once) and revokes it; another user's token is not found", async () => {
    const victor = await signIn("viewer", "victor-actions");
    const created = await as(victor.cookie, () => createApiTokenAction({ name: "from the page", expiresInDays: null }));
    if (!created.ok) throw new Error(created.error.message);
    expect(created.data.token).toMatch(/^mcf_[A-Za-z0-9_-]{43}$/);
    expect(created.data.summary.owner.id).toBe(victor.id);
    expect(await authenticateApiToken(bearer(created.data.token))).toMatchObject({
      ok: true,
      user: { id: victor.id, role: "viewer" },
    });

    const { summary: others } = await createApiToken(owner, { name: "owner's, not victor's", expiresInDays: null });
    const before = await tokenRowsAndAudit();
    expect(await as(victor.cookie, () => revokeApiTokenAction({ id: others.id }))).toMatchObject({
      ok: false,
      error: { code: "not_found" },
    });
    expect(await tokenRowsAndAudit()).toBe(before);

    expect(await as(victor.cookie, () => revokeApiTokenAction({ id: created.data.summary.id }))).toMatchObject({
      ok: true,
      data: { status: "revoked" },
    });
    expect(await authenticateApiToken(bearer(created.data.token))).toMatchObject({ ok: false });
  });

  it("refuses invalid input with field errors", async () => {
    const edith = await signIn("editor", "edith-actions");
    expect(await as(edith.cookie, () => createApiTokenAction({ name: "", expiresInDays: 30 }))).toMatchObject({
      ok: false,
      error: { code: "invalid_input", fields: { name: expect.any(String) } },
    });
  });
});

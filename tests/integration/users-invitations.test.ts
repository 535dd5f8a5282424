import crypto from "node:crypto";
import fs from "node:fs";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

// Server actions read the request through next/headers; here one mutable cookie jar plays the browser.
const browser = vi.hoisted(() => ({ cookie: "" }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ cookie: browser.cookie, "x-forwarded-for": "198.51.100.7" }),
  cookies: async () => ({
    toString: () => browser.cookie,
    get: () => undefined,
    getAll: () => [],
    has: () => false,
    set: () => undefined,
    delete: () => undefined,
  }),
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));

import { acceptInvitationAction, inviteUserAction } from "@/lib/actions/users";
import { getAuth } from "@/lib/auth/auth";
import { createFirstOwner, createUserWithPassword } from "@/lib/auth/users";
import type { CurrentUser } from "@/lib/auth/session";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { INVALID_INVITATION_MESSAGE, acceptInvitation, findInvitation } from "@/lib/users/accept-invitation";
import { hashInvitationToken } from "@/lib/users/invitation-token";
import { inviteUser } from "@/lib/users/invite-user";

const PASSWORD = "correct horse battery staple";
let owner: CurrentUser;

const tokenOf = (path: string) => path.replace(/^\/invite\//, "");

async function signIn(email: string, password: string) {
  const { headers } = await getAuth().api.signInEmail({ body: { email, password }, headers: new Headers(), returnHeaders: true });
  browser.cookie = headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

function databaseBytes(): string {
  const file = process.env.DATABASE_URL!.replace(/^file:/, "");
  return [file, `${file}-wal`]
    .filter(fs.existsSync)
    .map((f) => fs.readFileSync(f).toString("latin1"))
    .join("");
}

beforeAll(async () => {
  const created = await createFirstOwner({ email: "owner@example.test", name: "Olivia Owner", password: PASSWORD });
  owner = { ...created!, role: "owner" };
});

beforeEach(() => {
  browser.cookie = "";
});

describe("invitation lifecycle", () => {
  it("stores only a SHA-256 of the token, and keeps the token out of the audit log", async () => {
    const invitation = await inviteUser(owner, { email: "Ann@Example.test", name: "Ann", role: "editor" }, "203.0.113.9");
    const token = tokenOf(invitation.path);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(invitation.email).toBe("ann@example.test");

    const row = await prisma.invitation.findFirstOrThrow({ where: { email: "ann@example.test" } });
    expect(row.tokenHash).toBe(crypto.createHash("sha256").update(token).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.expiresAt.getTime() - Date.now()).toBeGreaterThan(7 * 24 * 3600_000 - 60_000);
    expect(row.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(7 * 24 * 3600_000);

    const event = await prisma.auditEvent.findFirstOrThrow({
      where: { action: "user.invited", objectLabel: "ann@example.test" },
    });
    expect(event).toMatchObject({ actorId: owner.id, objectType: "user", ip: "203.0.113.9" });
    expect(JSON.parse(event.detail!)).toMatchObject({ name: "Ann", role: "editor", replacedPending: false });
    expect(JSON.stringify(event)).not.toContain(token);
    expect(JSON.stringify(event)).not.toContain(row.tokenHash);

    expect(databaseBytes()).not.toContain(token);
  });

  it("shows the invited email, name and role, and accepts the link exactly once", async () => {
    const { path } = await inviteUser(owner, { email: "bob@example.test", name: "Bob Builder", role: "viewer" });
    const token = tokenOf(path);
    expect(await findInvitation(token)).toEqual({ valid: true, email: "bob@example.test", name: "Bob Builder", role: "viewer" });

    const user = await acceptInvitation({ token, password: PASSWORD }, "198.51.100.1");
    expect(user).toMatchObject({ email: "bob@example.test", name: "Bob Builder", role: "viewer" });
    expect(await prisma.user.findUniqueOrThrow({ where: { id: user.id }, select: { role: true, disabled: true } })).toEqual({
      role: "viewer",
      disabled: false,
    });
    expect(
      (await prisma.invitation.findUniqueOrThrow({ where: { tokenHash: hashInvitationToken(token) } })).acceptedAt,
    ).not.toBeNull();
    const joined = await prisma.auditEvent.findFirstOrThrow({ where: { action: "user.joined", actorId: user.id } });
    expect(JSON.parse(joined.detail!)).toEqual({ role: "viewer", invitedBy: "Olivia Owner <owner@example.test>" });
    expect(joined.detail).not.toContain(token);

    // the password works (hashed by better-auth, not by us)
    await signIn("bob@example.test", PASSWORD);
    expect(browser.cookie).toContain("session_token");

    // a second use of the same link is refused, and reveals nothing about why
    expect(await findInvitation(token)).toEqual({ valid: false });
    const second = await refusal(acceptInvitation({ token, password: "another-password-123" }));
    expect(second).toMatchObject({ code: "not_found", userMessage: INVALID_INVITATION_MESSAGE });
    expect(await prisma.user.count({ where: { email: "bob@example.test" } })).toBe(1);
  });

  it("refuses an expired link without creating anyone", async () => {
    const { path } = await inviteUser(owner, { email: "late@example.test", name: "Late", role: "editor" });
    await prisma.invitation.updateMany({
      where: { email: "late@example.test" },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await findInvitation(tokenOf(path))).toEqual({ valid: false });
    expect(await refusal(acceptInvitation({ token: tokenOf(path), password: PASSWORD }))).toMatchObject({
      code: "not_found",
      userMessage: INVALID_INVITATION_MESSAGE,
    });
    expect(await prisma.user.count({ where: { email: "late@example.test" } })).toBe(0);
  });

  it("gives the same answer for unknown and malformed tokens", async () => {
    for (const token of [crypto.randomBytes(32).toString("base64url"), "short", "../../etc/passwd", ""]) {
      expect(await findInvitation(token)).toEqual({ valid: false });
      expect(await refusal(acceptInvitation({ token, password: PASSWORD }))).toMatchObject({
        code: "not_found",
        userMessage: INVALID_INVITATION_MESSAGE,
      });
    }
  });

  it("keeps one pending invitation per email: a re-invite replaces the earlier link", async () => {
    const first = await inviteUser(owner, { email: "carol@example.test", name: "Carol", role: "viewer" });
    const second = await inviteUser(owner, { email: "CAROL@example.test", name: "Carol C.", role: "editor" });
    expect(second.replaced).toBe(true);
    expect(await prisma.invitation.count({ where: { email: "carol@example.test", acceptedAt: null } })).toBe(1);
    expect(await findInvitation(tokenOf(first.path))).toEqual({ valid: false });
    expect(await findInvitation(tokenOf(second.path))).toMatchObject({ valid: true, name: "Carol C.", role: "editor" });
  });

  it("leaves the link usable when the password is refused", async () => {
    const { path } = await inviteUser(owner, { email: "dave@example.test", name: "Dave", role: "viewer" });
    expect(await refusal(acceptInvitation({ token: tokenOf(path), password: "too short" }))).toMatchObject({
      code: "invalid_input",
      fields: { password: expect.any(String) },
    });
    expect(await findInvitation(tokenOf(path))).toMatchObject({ valid: true });
  });

  it("releases the claim when the account cannot be created (an account for the email appeared meanwhile)", async () => {
    const { path } = await inviteUser(owner, { email: "erin@example.test", name: "Erin", role: "viewer" });
    await createUserWithPassword({ email: "erin@example.test", name: "Erin", password: PASSWORD, role: "viewer" });
    expect(await refusal(acceptInvitation({ token: tokenOf(path), password: PASSWORD }))).toMatchObject({ code: "conflict" });
    expect((await prisma.invitation.findFirstOrThrow({ where: { email: "erin@example.test" } })).acceptedAt).toBeNull();
  });

  it("lets only one of two simultaneous submissions of a link create an account", async () => {
    const { path } = await inviteUser(owner, { email: "twice@example.test", name: "Twice", role: "viewer" });
    const results = await Promise.allSettled([
      acceptInvitation({ token: tokenOf(path), password: PASSWORD }),
      acceptInvitation({ token: tokenOf(path), password: PASSWORD }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await prisma.user.count({ where: { email: "twice@example.test" } })).toBe(1);
  });
});

describe("invitation actions", () => {
  it("refuses a signed-out caller and an editor, and gives an admin a one-time link", async () => {
    expect(await inviteUserAction({ email: "x@example.test", name: "X", role: "viewer" })).toMatchObject({
      ok: false,
      error: { code: "unauthenticated" },
    });

    await createUserWithPassword({ email: "ed@example.test", name: "Ed", password: PASSWORD, role: "editor" });
    await signIn("ed@example.test", PASSWORD);
    expect(await inviteUserAction({ email: "x@example.test", name: "X", role: "viewer" })).toMatchObject({
      ok: false,
      error: { code: "forbidden" },
    });

    await createUserWithPassword({ email: "ada@example.test", name: "Ada Admin", password: PASSWORD, role: "admin" });
    await signIn("ada@example.test", PASSWORD);
    expect(await inviteUserAction({ email: "x@example.test", name: "X", role: "admin" })).toMatchObject({
      ok: false,
      error: { code: "forbidden", message: "Only the console owner can invite admins." },
    });
    expect(await inviteUserAction({ email: "not an email", name: "", role: "viewer" })).toMatchObject({
      ok: false,
      error: { code: "invalid_input", fields: { email: expect.any(String), name: expect.any(String) } },
    });
    const result = await inviteUserAction({ email: "x@example.test", name: "X", role: "viewer" });
    expect(result).toMatchObject({
      ok: true,
      data: { email: "x@example.test", path: expect.stringMatching(/^\/invite\/[\w-]{43}$/) },
    });
    expect(
      await prisma.auditEvent.count({ where: { action: "user.invited", objectLabel: "x@example.test", ip: "198.51.100.7" } }),
    ).toBe(1);
  });

  it("accepts through the form, signs the new user in and sends them to the profiles", async () => {
    const { path } = await inviteUser(owner, { email: "fay@example.test", name: "Fay", role: "editor" });
    const form = (fields: Record<string, string>) => {
      const data = new FormData();
      for (const [k, v] of Object.entries(fields)) data.set(k, v);
      return data;
    };

    const mismatch = await acceptInvitationAction(
      undefined,
      form({ token: tokenOf(path), name: "Fay", password: PASSWORD, confirm: "something else entirely" }),
    );
    expect(mismatch).toMatchObject({ fields: { confirm: "The passwords differ" } });

    const redirect = await acceptInvitationAction(
      undefined,
      form({ token: tokenOf(path), name: "Fay F.", password: PASSWORD, confirm: PASSWORD }),
    ).then(
      () => null,
      (error: { digest?: string }) => error.digest ?? null,
    );
    expect(redirect).toContain(";/profiles;");
    const fay = await prisma.user.findUniqueOrThrow({
      where: { email: "fay@example.test" },
      select: { id: true, name: true, role: true },
    });
    expect(fay).toMatchObject({ name: "Fay F.", role: "editor" });
    expect(await prisma.session.count({ where: { userId: fay.id } })).toBe(1);

    const again = await acceptInvitationAction(
      undefined,
      form({ token: tokenOf(path), name: "Fay", password: PASSWORD, confirm: PASSWORD }),
    );
    expect(again).toEqual({ error: INVALID_INVITATION_MESSAGE });
  });
});

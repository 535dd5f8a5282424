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

import { APIError } from "better-auth";
import {
  changeUserRoleAction,
  disableUserAction,
  enableUserAction,
  inviteUserAction,
  removeUserAction,
  resetUserPasswordAction,
} from "@/lib/actions/users";
import { getAuth } from "@/lib/auth/auth";
import { userFromHeaders, type CurrentUser } from "@/lib/auth/session";
import { createFirstOwner, createUserWithPassword } from "@/lib/auth/users";
import { prisma } from "@/lib/db/client";
import { changeUserRole } from "@/lib/users/change-role";
import { resetUserPassword } from "@/lib/users/reset-password";
import { setUserDisabled } from "@/lib/users/set-disabled";

const PASSWORD = "correct horse battery staple";
let owner: CurrentUser;

/** Signs in like the browser would and returns the session cookie. */
async function signIn(email: string, password: string): Promise<string> {
  const { headers } = await getAuth().api.signInEmail({ body: { email, password }, headers: new Headers(), returnHeaders: true });
  return headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

async function signInCode(email: string, password: string): Promise<string | null> {
  try {
    await signIn(email, password);
    return null;
  } catch (error) {
    if (error instanceof APIError) return (error.body as { code?: string } | undefined)?.code ?? String(error.statusCode);
    throw error;
  }
}

const whoIs = (cookie: string) => userFromHeaders(new Headers({ cookie }));

async function newUser(email: string, role: "admin" | "editor" | "viewer" = "editor") {
  const user = await createUserWithPassword({ email, name: email.split("@")[0]!, password: PASSWORD, role });
  return { ...user, role } as CurrentUser;
}

beforeAll(async () => {
  const created = await createFirstOwner({ email: "owner@example.test", name: "Olivia Owner", password: PASSWORD });
  owner = { ...created!, role: "owner" };
});

beforeEach(() => {
  browser.cookie = "";
});

describe("disabled users", () => {
  it("lose their sessions at once, cannot sign in, and can again once enabled", async () => {
    const sam = await newUser("sam@example.test");
    const laptop = await signIn(sam.email, PASSWORD);
    const phone = await signIn(sam.email, PASSWORD);
    expect(await whoIs(laptop)).toMatchObject({ id: sam.id });
    expect(await prisma.session.count({ where: { userId: sam.id } })).toBe(2);

    await setUserDisabled(owner, sam.id, true, "192.0.2.1");

    expect(await prisma.session.count({ where: { userId: sam.id } })).toBe(0);
    expect(await whoIs(laptop)).toBeNull();
    expect(await whoIs(phone)).toBeNull();
    expect(await signInCode(sam.email, PASSWORD)).toBe("USER_DISABLED");
    expect(await prisma.session.count({ where: { userId: sam.id } })).toBe(0);
    const disabled = await prisma.auditEvent.findFirstOrThrow({ where: { action: "user.disabled", objectId: sam.id } });
    expect(JSON.parse(disabled.detail!)).toEqual({ sessionsEnded: 2, apiTokensRevoked: 0 });
    expect(await prisma.auditEvent.count({ where: { action: "auth.sign_in_failed", objectLabel: sam.email } })).toBe(1);

    // disabling again is a no-op, not a second event
    expect(await setUserDisabled(owner, sam.id, true)).toEqual({ changed: false });
    expect(await prisma.auditEvent.count({ where: { action: "user.disabled", objectId: sam.id } })).toBe(1);

    await setUserDisabled(owner, sam.id, false);
    expect(await signInCode(sam.email, PASSWORD)).toBeNull();
    expect(await prisma.auditEvent.count({ where: { action: "user.enabled", objectId: sam.id } })).toBe(1);
  });
});

describe("password reset by an admin", () => {
  it("ends the user's sessions; the old password stops working and the new one works", async () => {
    const pat = await newUser("pat@example.test", "viewer");
    const cookie = await signIn(pat.email, PASSWORD);
    const NEW = "a brand new password 42";

    await resetUserPassword(owner, pat.id, NEW);

    expect(await whoIs(cookie)).toBeNull();
    expect(await signInCode(pat.email, PASSWORD)).toBe("INVALID_EMAIL_OR_PASSWORD");
    expect(await signInCode(pat.email, NEW)).toBeNull();
    const event = await prisma.auditEvent.findFirstOrThrow({ where: { action: "user.password_reset", objectId: pat.id } });
    expect(event.detail).not.toContain(NEW);
    expect(JSON.parse(event.detail!)).toEqual({ sessionsEnded: 1 });
  });

  it("refuses a password shorter than 12 characters and keeps the old one", async () => {
    const quinn = await newUser("quinn@example.test", "viewer");
    await expect(resetUserPassword(owner, quinn.id, "short")).rejects.toMatchObject({ code: "invalid_input" });
    expect(await signInCode(quinn.email, PASSWORD)).toBeNull();
  });
});

describe("role changes", () => {
  it("apply to an existing session from its next request", async () => {
    const rae = await newUser("rae@example.test", "editor");
    const cookie = await signIn(rae.email, PASSWORD);
    await changeUserRole(owner, rae.id, "viewer");
    expect(await whoIs(cookie)).toMatchObject({ id: rae.id, role: "viewer" });
    const event = await prisma.auditEvent.findFirstOrThrow({ where: { action: "user.role_changed", objectId: rae.id } });
    expect(JSON.parse(event.detail!)).toEqual({ from: "editor", to: "viewer" });
  });
});

describe("user actions", () => {
  it("refuse a signed-out caller and change nothing", async () => {
    const target = await newUser("untouched@example.test", "viewer");
    const before = await prisma.user.findUniqueOrThrow({ where: { id: target.id } });
    const events = await prisma.auditEvent.count();
    const results = await Promise.all([
      inviteUserAction({ email: "nobody@example.test", name: "Nobody", role: "viewer" }),
      changeUserRoleAction({ userId: target.id, role: "editor" }),
      disableUserAction({ userId: target.id }),
      enableUserAction({ userId: target.id }),
      removeUserAction({ userId: target.id }),
      resetUserPasswordAction({ userId: target.id, password: "whatever-long-enough", confirm: "whatever-long-enough" }),
    ]);
    for (const result of results) expect(result).toMatchObject({ ok: false, error: { code: "unauthenticated" } });
    expect(await prisma.user.findUniqueOrThrow({ where: { id: target.id } })).toEqual(before);
    expect(await prisma.auditEvent.count()).toBe(events);
    expect(await prisma.invitation.count({ where: { email: "nobody@example.test" } })).toBe(0);
  });

  it("refuse an editor and a disabled admin with a plain message", async () => {
    const target = await newUser("target@example.test", "viewer");
    await newUser("eddie@example.test", "editor");
    browser.cookie = await signIn("eddie@example.test", PASSWORD);
    expect(await disableUserAction({ userId: target.id })).toEqual({
      ok: false,
      error: { code: "forbidden", message: "Only the console owner and admins can manage users." },
    });

    const admin = await newUser("amy@example.test", "admin");
    browser.cookie = await signIn(admin.email, PASSWORD);
    await setUserDisabled(owner, admin.id, true);
    expect(await removeUserAction({ userId: target.id })).toMatchObject({ ok: false, error: { code: "unauthenticated" } });
    expect(await prisma.user.count({ where: { id: target.id } })).toBe(1);
  });

  it("let an admin manage an editor, with the admin's IP in the log", async () => {
    const admin = await newUser("al@example.test", "admin");
    const target = await newUser("tess@example.test", "editor");
    browser.cookie = await signIn(admin.email, PASSWORD);

    expect(await changeUserRoleAction({ userId: target.id, role: "viewer" })).toEqual({ ok: true, data: undefined });
    expect(
      await resetUserPasswordAction({ userId: target.id, password: "another password 1", confirm: "different" }),
    ).toMatchObject({ ok: false, error: { fields: { confirm: "The passwords differ" } } });
    expect(
      await resetUserPasswordAction({ userId: target.id, password: "another password 1", confirm: "another password 1" }),
    ).toMatchObject({ ok: true });
    expect(await disableUserAction({ userId: target.id })).toMatchObject({ ok: true });
    expect(await enableUserAction({ userId: target.id })).toMatchObject({ ok: true });
    expect(await disableUserAction({ userId: owner.id })).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(await removeUserAction({ userId: target.id })).toMatchObject({
      ok: true,
      data: { profilesHandedOver: 0, handedTo: "Olivia Owner <owner@example.test>" },
    });
    const events = await prisma.auditEvent.findMany({
      where: { actorId: admin.id, action: { startsWith: "user." } },
      orderBy: { at: "asc" },
    });
    // sorted: two events in the same millisecond have no defined order
    expect(events.map((e) => e.action).sort()).toEqual([
      "user.disabled",
      "user.enabled",
      "user.password_reset",
      "user.removed",
      "user.role_changed",
    ]);
    expect(events.every((e) => e.ip === "198.51.100.7")).toBe(true);
  });
});

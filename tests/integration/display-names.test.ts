/**
 * Display names become the actor label of audit events ("Name <email>"), so every way a name is set
 * refuses what could fake a line or a person: first-run setup, invitations (sent and accepted), the
 * account page, the user service and better-auth's own writes. Renaming yourself is audited.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";

const browser = vi.hoisted(() => ({ cookie: "" }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ cookie: browser.cookie, host: "127.0.0.1", "x-forwarded-for": "198.51.100.7" }),
  cookies: async () => ({
    toString: () => browser.cookie,
    get: () => undefined,
    getAll: () => [],
    has: () => false,
    set: () => undefined,
    delete: () => undefined,
  }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw Object.assign(new Error("NEXT_REDIRECT"), { digest: `NEXT_REDIRECT;replace;${url};307;` });
  },
}));

const { changeOwnNameAction, setupOwnerAction, signOutAction } = await import("@/lib/actions/auth");
const { acceptInvitationAction, inviteUserAction } = await import("@/lib/actions/users");
const { getAuth } = await import("@/lib/auth/auth");
const { createUserWithPassword } = await import("@/lib/auth/users");
const { prisma } = await import("@/lib/db/client");

const PASSWORD = "correct horse battery staple";
const OWNER_EMAIL = "owner@example.test";

/** What an insider would like to see in the audit log under their name. */
const HOSTILE_NAMES: [string, string][] = [
  ["a megabyte", "x".repeat(1024 * 1024)],
  ["101 characters", "y".repeat(101)],
  ["CR/LF", "Eve\r\n2026-01-01,Olivia Owner <owner@example.test>,user.removed"],
  ["a line feed", "Eve\nOwner"],
  ["a tab", "Eve\tOwner"],
  ["a NUL", "Eve\u0000"],
  ["another person's label", "Owner <owner@example.test>"],
  ["a closing bracket", "Eve> <owner@example.test"],
  ["a right-to-left override", "Eve \u202etset.elpmaxe@renwo"],
  ["a line separator", "Eve\u2028Owner"],
  ["a zero-width space", "Ev\u200be"],
  ["nothing", ""],
  ["only spaces", "   "],
];

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
}

async function redirectOf(run: () => Promise<unknown>): Promise<string | { error?: string; fields?: Record<string, string> }> {
  try {
    return (await run()) as { error?: string };
  } catch (error) {
    const digest = (error as { digest?: string }).digest;
    if (digest?.startsWith("NEXT_REDIRECT")) return digest.split(";")[2]!;
    throw error;
  }
}

async function signIn(email: string) {
  const { headers } = await getAuth().api.signInEmail({
    body: { email, password: PASSWORD },
    headers: new Headers(),
    returnHeaders: true,
  });
  browser.cookie = headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

describe("first-run setup", () => {
  it.each(HOSTILE_NAMES)("refuses %s as the owner's name and creates nobody", async (_what, name) => {
    const result = await redirectOf(() =>
      setupOwnerAction(undefined, form({ name, email: OWNER_EMAIL, password: PASSWORD, confirm: PASSWORD })),
    );
    expect(result).toMatchObject({ fields: { name: expect.any(String) } });
    expect(await prisma.user.count()).toBe(0);
  });

  it("takes a proper name, trimmed", async () => {
    expect(
      await redirectOf(() =>
        setupOwnerAction(undefined, form({ name: "  Olivia Owner ", email: OWNER_EMAIL, password: PASSWORD, confirm: PASSWORD })),
      ),
    ).toBe("/profiles");
    expect(await prisma.user.findUniqueOrThrow({ where: { email: OWNER_EMAIL }, select: { name: true } })).toEqual({
      name: "Olivia Owner",
    });
  });
});

describe("invitations", () => {
  beforeAll(async () => {
    await signIn(OWNER_EMAIL);
  });

  it.each(HOSTILE_NAMES)("an invitation refuses %s", async (_what, name) => {
    const result = await inviteUserAction({ email: "eve@example.test", name, role: "viewer" });
    expect(result).toMatchObject({ ok: false, error: { code: "invalid_input", fields: { name: expect.any(String) } } });
    expect(await prisma.invitation.count({ where: { email: "eve@example.test" } })).toBe(0);
  });

  it("accepting one refuses a hostile name and keeps the link usable", async () => {
    const invited = await inviteUserAction({ email: "ivy@example.test", name: "Ivy", role: "viewer" });
    if (!invited.ok) throw new Error(invited.error.message);
    const token = invited.data.path.replace("/invite/", "");
    const cookie = browser.cookie;
    browser.cookie = "";
    try {
      for (const [, name] of HOSTILE_NAMES.filter(([what]) => what !== "nothing" && what !== "only spaces")) {
        const result = await redirectOf(() =>
          acceptInvitationAction(undefined, form({ token, name, password: PASSWORD, confirm: PASSWORD })),
        );
        expect(result).toMatchObject({ fields: { name: expect.any(String) } });
      }
      expect(await prisma.user.count({ where: { email: "ivy@example.test" } })).toBe(0);
      expect(
        await redirectOf(() =>
          acceptInvitationAction(undefined, form({ token, name: "Ivy Ingram", password: PASSWORD, confirm: PASSWORD })),
        ),
      ).toBe("/profiles");
      expect(await prisma.user.findUniqueOrThrow({ where: { email: "ivy@example.test" }, select: { name: true } })).toEqual({
        name: "Ivy Ingram",
      });
    } finally {
      browser.cookie = cookie;
    }
  });

  it("the user service refuses one too", async () => {
    await expect(
      createUserWithPassword({ email: "mal@example.test", name: "Mal\r\nOwner", password: PASSWORD, role: "viewer" }),
    ).rejects.toMatchObject({
      code: "invalid_input",
      fields: { name: expect.any(String) },
    });
  });
});

describe("renaming yourself on the account page", () => {
  it.each(HOSTILE_NAMES)("refuses %s and changes nothing", async (_what, name) => {
    await signIn(OWNER_EMAIL);
    const events = await prisma.auditEvent.count();
    const result = await changeOwnNameAction(undefined, form({ name }));
    expect(result).toMatchObject({ error: expect.any(String), fields: { name: expect.any(String) } });
    expect(await prisma.user.findUniqueOrThrow({ where: { email: OWNER_EMAIL }, select: { name: true } })).toEqual({
      name: "Olivia Owner",
    });
    expect(await prisma.auditEvent.count()).toBe(events);
  });

  it("renames, audits the old and the new name, and later events carry the new label", async () => {
    await createUserWithPassword({ email: "eve@example.test", name: "Eve", password: PASSWORD, role: "editor" });
    await signIn("eve@example.test");
    expect(await changeOwnNameAction(undefined, form({ name: " Eve Evans " }))).toEqual({ ok: "Name changed." });
    const renamed = await prisma.auditEvent.findFirstOrThrow({ where: { action: "user.renamed" } });
    expect(renamed.actorLabel).toBe("Eve <eve@example.test>");
    expect(JSON.parse(renamed.detail!)).toEqual({ from: "Eve", to: "Eve Evans" });
    expect(renamed.ip).toBe("198.51.100.7");

    expect(await changeOwnNameAction(undefined, form({ name: "Eve Evans" }))).toEqual({ ok: "That is already your name." });
    expect(await prisma.auditEvent.count({ where: { action: "user.renamed" } })).toBe(1);

    await redirectOf(() => signOutAction());
    const signOut = await prisma.auditEvent.findFirstOrThrow({ where: { action: "auth.sign_out" }, orderBy: { at: "desc" } });
    expect(signOut.actorLabel).toBe("Eve Evans <eve@example.test>");
  });

  it("is refused signed out", async () => {
    browser.cookie = "";
    expect(await redirectOf(() => changeOwnNameAction(undefined, form({ name: "Anyone" })))).toBe("/login");
  });
});

describe("better-auth's own writes", () => {
  it("refuse a hostile name whatever calls them", async () => {
    const user = await prisma.user.findUniqueOrThrow({ where: { email: OWNER_EMAIL } });
    const ctx = await getAuth().$context;
    await expect(ctx.internalAdapter.updateUser(user.id, { name: "Owner <owner@example.test>" })).rejects.toMatchObject({
      body: { code: "INVALID_NAME" },
    });
    await expect(ctx.internalAdapter.updateUser(user.id, { name: "a\nb" })).rejects.toMatchObject({
      body: { code: "INVALID_NAME" },
    });
    expect(await prisma.user.findUniqueOrThrow({ where: { id: user.id }, select: { name: true } })).toEqual({
      name: "Olivia Owner",
    });
  });
});

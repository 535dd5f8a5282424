import { beforeAll, describe, expect, it } from "vitest";
import type { Role } from "@/lib/auth/permissions";
import type { CurrentUser } from "@/lib/auth/session";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { changeUserRole } from "@/lib/users/change-role";
import { inviteUser } from "@/lib/users/invite-user";
import { listPendingInvitations, listUsers } from "@/lib/users/list-users";
import { removeUser } from "@/lib/users/remove-user";
import { resetUserPassword } from "@/lib/users/reset-password";
import type { AssignableRole } from "@/lib/users/rules";
import { setUserDisabled } from "@/lib/users/set-disabled";
import { seedUser } from "../support/users";

/**
 * The user-management rules as a table of actor role × target × operation, run against the real
 * services and a real SQLite file. Each cell gets a fresh target, and a refused cell must leave the
 * target row and the audit log exactly as they were.
 */
type Outcome = "ok" | "forbidden" | "conflict";
type Target = "self" | "owner" | "admin" | "editor" | "viewer";
type Operation = "role→admin" | "role→editor" | "role→viewer" | "disable" | "enable" | "remove" | "resetPassword";

const OPERATIONS: Operation[] = ["role→admin", "role→editor", "role→viewer", "disable", "enable", "remove", "resetPassword"];
const F = "forbidden" as const;
const allForbidden: Record<Operation, Outcome> = {
  "role→admin": F,
  "role→editor": F,
  "role→viewer": F,
  disable: F,
  enable: F,
  remove: F,
  resetPassword: F,
};
const everyoneRefused: Record<Target, Record<Operation, Outcome>> = {
  self: allForbidden,
  owner: allForbidden,
  admin: allForbidden,
  editor: allForbidden,
  viewer: allForbidden,
};

const TABLE: Record<Role, Record<Target, Record<Operation, Outcome>>> = {
  owner: {
    self: allForbidden,
    owner: allForbidden, // the owner is self here
    admin: {
      "role→admin": "conflict",
      "role→editor": "ok",
      "role→viewer": "ok",
      disable: "ok",
      enable: "ok",
      remove: "ok",
      resetPassword: "ok",
    },
    editor: {
      "role→admin": "ok",
      "role→editor": "conflict",
      "role→viewer": "ok",
      disable: "ok",
      enable: "ok",
      remove: "ok",
      resetPassword: "ok",
    },
    viewer: {
      "role→admin": "ok",
      "role→editor": "ok",
      "role→viewer": "conflict",
      disable: "ok",
      enable: "ok",
      remove: "ok",
      resetPassword: "ok",
    },
  },
  admin: {
    self: allForbidden,
    owner: allForbidden,
    admin: allForbidden, // another admin is the owner's business
    editor: {
      "role→admin": F,
      "role→editor": "conflict",
      "role→viewer": "ok",
      disable: "ok",
      enable: "ok",
      remove: "ok",
      resetPassword: "ok",
    },
    viewer: {
      "role→admin": F,
      "role→editor": "ok",
      "role→viewer": "conflict",
      disable: "ok",
      enable: "ok",
      remove: "ok",
      resetPassword: "ok",
    },
  },
  editor: everyoneRefused,
  viewer: everyoneRefused,
};

const INVITE_TABLE: Record<Role, Record<AssignableRole | "owner", Outcome>> = {
  owner: { owner: F, admin: "ok", editor: "ok", viewer: "ok" },
  admin: { owner: F, admin: F, editor: "ok", viewer: "ok" },
  editor: { owner: F, admin: F, editor: F, viewer: F },
  viewer: { owner: F, admin: F, editor: F, viewer: F },
};

const NEW_PASSWORD = "a-new-password-for-them";

async function outcome(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    await run();
    return "ok";
  } catch (error) {
    if (error instanceof AppError && (error.code === "forbidden" || error.code === "conflict")) return error.code;
    throw error;
  }
}

function perform(actor: CurrentUser, targetId: string, operation: Operation) {
  switch (operation) {
    case "role→admin":
      return changeUserRole(actor, targetId, "admin");
    case "role→editor":
      return changeUserRole(actor, targetId, "editor");
    case "role→viewer":
      return changeUserRole(actor, targetId, "viewer");
    case "disable":
      return setUserDisabled(actor, targetId, true);
    case "enable":
      return setUserDisabled(actor, targetId, false);
    case "remove":
      return removeUser(actor, targetId);
    case "resetPassword":
      return resetUserPassword(actor, targetId, NEW_PASSWORD);
  }
}

let consoleOwner: CurrentUser;
const actors = {} as Record<Role, CurrentUser>;

beforeAll(async () => {
  consoleOwner = await seedUser("owner", "Console Owner");
  actors.owner = consoleOwner;
  actors.admin = await seedUser("admin", "Acting Admin");
  actors.editor = await seedUser("editor", "Acting Editor");
  actors.viewer = await seedUser("viewer", "Acting Viewer");
});

const snapshot = async (id: string) => ({
  user: await prisma.user.findUnique({ where: { id }, select: { role: true, disabled: true } }),
  events: await prisma.auditEvent.count(),
});

const cells = (Object.keys(TABLE) as Role[]).flatMap((actorRole) =>
  (Object.keys(TABLE[actorRole]) as Target[]).flatMap((target) =>
    OPERATIONS.map((operation) => [actorRole, target, operation, TABLE[actorRole][target][operation]] as const),
  ),
);

describe("user management rules: actor role × target × operation", () => {
  it.each(cells)("%s acting on %s: %s → %s", async (actorRole, target, operation, expected) => {
    const actor = actors[actorRole];
    const targetId = target === "self" ? actor.id : target === "owner" ? consoleOwner.id : (await seedUser(target)).id;
    // "enable" is only a change for someone disabled; the owner and the actor themselves stay enabled
    if (operation === "enable" && target !== "self" && target !== "owner")
      await prisma.user.update({ where: { id: targetId }, data: { disabled: true } });
    const before = await snapshot(targetId);

    const result = await outcome(() => perform(actor, targetId, operation));

    expect(result).toBe(expected);
    if (result !== "ok") expect(await snapshot(targetId)).toEqual(before);
    else if (operation === "remove") expect(await prisma.user.count({ where: { id: targetId } })).toBe(0);
    else expect((await prisma.auditEvent.count()) - before.events).toBe(1);
  });

  it("explains a refusal in plain words", async () => {
    const editor = await seedUser("editor");
    await expect(changeUserRole(actors.admin, editor.id, "admin")).rejects.toMatchObject({
      code: "forbidden",
      userMessage: "Only the console owner can make someone an admin.",
    });
    await expect(removeUser(actors.admin, consoleOwner.id)).rejects.toMatchObject({
      code: "forbidden",
      userMessage: "Nobody can remove the console owner.",
    });
    await expect(setUserDisabled(actors.admin, actors.admin.id, true)).rejects.toMatchObject({
      code: "forbidden",
      userMessage: "You cannot disable your own account.",
    });
  });

  it("refuses an operation on a user who no longer exists", async () => {
    await expect(setUserDisabled(actors.owner, "no-such-user", true)).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("invitation rules: actor role × invited role", () => {
  const inviteCells = (Object.keys(INVITE_TABLE) as Role[]).flatMap((actorRole) =>
    (Object.keys(INVITE_TABLE[actorRole]) as (AssignableRole | "owner")[]).map(
      (role) => [actorRole, role, INVITE_TABLE[actorRole][role]] as const,
    ),
  );

  it.each(inviteCells)("%s invites as %s → %s", async (actorRole, role, expected) => {
    const email = `invitee-${actorRole}-${role}@example.test`;
    const result = await outcome(() => inviteUser(actors[actorRole], { email, name: "Invitee", role: role as AssignableRole }));
    expect(result).toBe(expected);
    expect(await prisma.invitation.count({ where: { email } })).toBe(expected === "ok" ? 1 : 0);
  });

  it("refuses to invite someone who already has an account", async () => {
    await expect(
      inviteUser(actors.owner, { email: actors.editor.email.toUpperCase(), name: "Again", role: "viewer" }),
    ).rejects.toMatchObject({ code: "conflict", fields: { email: expect.any(String) } });
  });
});

describe("listing users", () => {
  it("is for owners and admins only", async () => {
    await expect(listUsers(actors.editor)).rejects.toMatchObject({ code: "forbidden" });
    await expect(listPendingInvitations(actors.viewer)).rejects.toMatchObject({ code: "forbidden" });
    const users = await listUsers(actors.admin);
    expect(users[0]).toMatchObject({ id: consoleOwner.id, role: "owner" });
    expect(users.find((u) => u.id === actors.admin.id)).toMatchObject({ disabled: false, lastSignInAt: null, profilesOwned: 0 });
  });

  it("takes the last sign-in from the audit log", async () => {
    const at = new Date("2026-01-02T03:04:05.000Z");
    await prisma.auditEvent.create({
      data: { id: "sign-in-1", at, actorId: actors.viewer.id, actorLabel: "viewer", action: "auth.sign_in" },
    });
    const users = await listUsers(actors.owner);
    expect(users.find((u) => u.id === actors.viewer.id)?.lastSignInAt).toBe(at.toISOString());
  });
});

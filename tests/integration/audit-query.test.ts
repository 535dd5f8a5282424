import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { audit } from "@/lib/audit/record";
import {
  auditEventsForExport,
  auditFilterOptions,
  describeDetail,
  listAuditEvents,
  parseAuditQuery,
  AUDIT_ACTIONS,
} from "@/lib/audit/query";
import type { CurrentUser } from "@/lib/auth/session";
import { AppendOnlyError, prisma } from "@/lib/db/client";
import { createProfile, deleteProfile } from "@/lib/profile-operations/profile-service";
import { basicInput } from "../support/profile-fixtures";
import { seedUser } from "../support/users";

let owner: CurrentUser;
let admin: CurrentUser;
let editor: CurrentUser;
let liveProfile: string;
let deletedProfile: string;

/** An event at a chosen time: audit() always stamps "now", and the time filters need the past. */
async function eventAt(
  at: string,
  fields: { actor: CurrentUser; action: string; objectType?: string; objectId?: string; objectLabel?: string; detail?: unknown },
) {
  await prisma.auditEvent.create({
    data: {
      id: crypto.randomUUID(),
      at: new Date(at),
      actorId: fields.actor.id,
      actorLabel: `${fields.actor.name} <${fields.actor.email}>`,
      action: fields.action,
      objectType: fields.objectType ?? null,
      objectId: fields.objectId ?? null,
      objectLabel: fields.objectLabel ?? null,
      detail: fields.detail === undefined ? null : JSON.stringify(fields.detail),
      ip: "203.0.113.1",
    },
  });
}

beforeAll(async () => {
  owner = await seedUser("owner", "Olivia Owner");
  admin = await seedUser("admin", "Adam Admin");
  editor = await seedUser("editor", "Eddie Editor");
  // real profile events from the services ("now"), one of them for a profile deleted afterwards
  liveProfile = (await createProfile(basicInput({ name: "Live inbox", password: "mailbox-password" }), editor)).id;
  deletedProfile = (await createProfile(basicInput({ name: "Gone inbox", password: "mailbox-password" }), editor)).id;
  await deleteProfile(deletedProfile, owner);
  // 30 sign-ins by the admin, one per day through January 2026 (so 2026-01-01 … 2026-01-30)
  for (let day = 1; day <= 30; day++)
    await eventAt(`2026-01-${String(day).padStart(2, "0")}T12:00:00Z`, {
      actor: admin,
      action: "auth.sign_in",
      objectType: "session",
      objectLabel: admin.email,
    });
  await eventAt("2026-01-15T23:59:59.999Z", {
    actor: editor,
    action: "profile.tested",
    objectType: "profile",
    objectId: liveProfile,
    objectLabel: "Live inbox",
    detail: { ok: false, summary: "Authentication failed", draft: false },
  });
  await eventAt("2026-01-16T00:00:00.000Z", {
    actor: editor,
    action: "profile.updated",
    objectType: "profile",
    objectId: liveProfile,
    objectLabel: "Live inbox",
    detail: { revision: 2, changes: ["Port: 993 → 995", "Client secret rotated"] },
  });
});

describe("audit query", () => {
  it("is for owners and admins only", async () => {
    await expect(listAuditEvents(editor, parseAuditQuery({}))).rejects.toMatchObject({ code: "forbidden" });
    await expect(auditFilterOptions(editor, {})).rejects.toMatchObject({ code: "forbidden" });
    await expect(auditEventsForExport(editor, {}).next()).rejects.toMatchObject({ code: "forbidden" });
  });

  it("lists newest first and pages without overlap or gaps", async () => {
    const total = await prisma.auditEvent.count();
    const seen: string[] = [];
    let previous = Infinity;
    for (let page = 1; ; page++) {
      const result = await listAuditEvents(owner, { filters: {}, page, pageSize: 25 });
      expect(result.total).toBe(total);
      for (const item of result.items) {
        expect(Date.parse(item.at)).toBeLessThanOrEqual(previous);
        previous = Date.parse(item.at);
        seen.push(item.id);
      }
      if (page >= result.pageCount) break;
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
  });

  it("clamps the page to the last one and falls back to a known page size", async () => {
    const query = parseAuditQuery({ page: "999", size: "7" });
    expect(query.pageSize).toBe(50);
    const result = await listAuditEvents(owner, query);
    expect(result.page).toBe(result.pageCount);
  });

  it("filters by actor", async () => {
    const result = await listAuditEvents(owner, parseAuditQuery({ user: admin.id, size: "100" }));
    expect(result.total).toBe(30);
    expect(result.items.every((i) => i.actorId === admin.id && i.action === "auth.sign_in")).toBe(true);
  });

  it("filters by profile, including one that was deleted", async () => {
    const live = await listAuditEvents(owner, parseAuditQuery({ profile: liveProfile }));
    expect(live.items.map((i) => i.action).sort()).toEqual(["profile.created", "profile.tested", "profile.updated"]);
    expect(live.items.every((i) => i.object?.href === `/profiles/${liveProfile}`)).toBe(true);

    const gone = await listAuditEvents(owner, parseAuditQuery({ profile: deletedProfile }));
    expect(gone.items.map((i) => i.action).sort()).toEqual(["profile.created", "profile.deleted"]);
    // no link to a profile that no longer exists, but its name stays readable
    expect(gone.items.every((i) => i.object?.href === null && i.object.label === "Gone inbox")).toBe(true);
    const options = await auditFilterOptions(owner, { profile: deletedProfile });
    expect(options.profiles[0]).toEqual({ id: deletedProfile, label: "Gone inbox (deleted)" });
    expect(options.profiles.some((p) => p.id === liveProfile)).toBe(true);
    expect(options.actions).toHaveLength(AUDIT_ACTIONS.length);
  });

  it("filters by action", async () => {
    const result = await listAuditEvents(owner, parseAuditQuery({ action: "profile.deleted" }));
    expect(result.items).toHaveLength(1);
    expect(result.items[0]).toMatchObject({
      actorId: owner.id,
      actionLabel: "Deleted a profile",
      object: { type: "profile", id: deletedProfile },
    });
  });

  it("filters by whole UTC days, both ends included", async () => {
    const inJanuary = (from: string, to: string) =>
      listAuditEvents(owner, parseAuditQuery({ from, to, size: "200" })).then((r) => r.items);
    const day15 = await inJanuary("2026-01-15", "2026-01-15");
    // the sign-in at noon and the Test at 23:59:59.999; the update at midnight belongs to the 16th
    expect(day15.map((i) => i.action).sort()).toEqual(["auth.sign_in", "profile.tested"]);
    expect((await inJanuary("2026-01-10", "2026-01-19")).length).toBe(12);
    // the wrong way round still means "between"
    expect((await inJanuary("2026-01-19", "2026-01-10")).length).toBe(12);
    const onlyFrom = await listAuditEvents(owner, parseAuditQuery({ from: "2026-01-30", action: "auth.sign_in" }));
    expect(onlyFrom.total).toBe(1);
  });

  it("combines filters", async () => {
    const result = await listAuditEvents(
      owner,
      parseAuditQuery({ user: editor.id, profile: liveProfile, from: "2026-01-01", to: "2026-01-31" }),
    );
    expect(result.items.map((i) => i.action)).toEqual(["profile.updated", "profile.tested"]);
  });

  it("drops unusable filters and says which", () => {
    const query = parseAuditQuery(
      new URLSearchParams({ user: "x' OR 1=1 --", action: "profile.hacked", from: "2026-02-30", to: "yesterday", profile: "" }),
    );
    expect(query.filters).toEqual({});
    expect(query.problems).toHaveLength(4);
  });

  it("arranges details: changes as a list, a Test result, the rest as facts", async () => {
    const result = await listAuditEvents(owner, parseAuditQuery({ profile: liveProfile }));
    const updated = result.items.find((i) => i.action === "profile.updated")!;
    expect(updated.detail).toEqual({
      changes: ["Port: 993 → 995", "Client secret rotated"],
      facts: [{ label: "Revision", value: "2" }],
    });
    const tested = result.items.find((i) => i.action === "profile.tested")!;
    expect(tested.detail).toEqual({
      result: { ok: false, summary: "Authentication failed" },
      changes: [],
      facts: [{ label: "Unsaved draft", value: "no" }],
    });
    expect(describeDetail("not json")).toEqual({ changes: [], facts: [{ label: "Detail", value: "not json" }] });
    expect(describeDetail("{}")).toBeNull();
    expect(
      describeDetail(
        JSON.stringify({ sessionsEnded: 2, handedTo: "O <o@x>", expiresAt: "2026-12-06T04:03:30.152Z", replacedPending: true }),
      )?.facts,
    ).toEqual([
      { label: "Sessions ended", value: "2" },
      { label: "Handed to", value: "O <o@x>" },
      { label: "Link expires", value: "2026-12-06 04:03 UTC" },
      { label: "Replaced an earlier link", value: "yes" },
    ]);
  });

  it("exports every matching event in batches, newest first, with the same filters", async () => {
    const batches: number[] = [];
    const ids: string[] = [];
    for await (const batch of auditEventsForExport(owner, { user: admin.id }, 7)) {
      batches.push(batch.length);
      ids.push(...batch.map((e) => e.at));
    }
    expect(batches).toEqual([7, 7, 7, 7, 2]);
    expect(ids).toEqual([...ids].sort().reverse());
    expect(ids[0]).toBe("2026-01-30T12:00:00.000Z");
  });
});

describe("the audit log is append-only in the data layer", () => {
  it("refuses update, upsert and delete, one or many, and the event is unchanged", async () => {
    await audit({ actor: { id: owner.id, label: "Olivia" }, action: "auth.sign_out" });
    const event = await prisma.auditEvent.findFirstOrThrow({ where: { action: "auth.sign_out" } });
    const where = { id: event.id };
    const attempts: [string, () => Promise<unknown>][] = [
      ["update", () => prisma.auditEvent.update({ where, data: { actorLabel: "someone else" } })],
      ["updateMany", () => prisma.auditEvent.updateMany({ where: {}, data: { actorLabel: "someone else" } })],
      [
        "upsert",
        () =>
          prisma.auditEvent.upsert({
            where,
            create: { id: "x", actorLabel: "x", action: "x" },
            update: { actorLabel: "someone else" },
          }),
      ],
      ["delete", () => prisma.auditEvent.delete({ where })],
      ["deleteMany", () => prisma.auditEvent.deleteMany({})],
      [
        "update in a transaction",
        () => prisma.$transaction((tx) => tx.auditEvent.update({ where, data: { actorLabel: "someone else" } })),
      ],
      ["deleteMany in a transaction", () => prisma.$transaction((tx) => tx.auditEvent.deleteMany({ where }))],
    ];
    const count = await prisma.auditEvent.count();
    for (const [name, attempt] of attempts) {
      await expect(attempt(), name).rejects.toBeInstanceOf(AppendOnlyError);
    }
    expect(await prisma.auditEvent.findUniqueOrThrow({ where })).toEqual(event);
    expect(await prisma.auditEvent.count()).toBe(count);
  });
});

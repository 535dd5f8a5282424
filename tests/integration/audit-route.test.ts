import crypto from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

// withUser reads the session through next/headers; one mutable cookie jar plays the browser.
const browser = vi.hoisted(() => ({ cookie: "" }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ cookie: browser.cookie }),
  cookies: async () => ({
    toString: () => browser.cookie,
    get: () => undefined,
    getAll: () => [],
    has: () => false,
    set: () => undefined,
    delete: () => undefined,
  }),
}));

import { GET } from "@/app/api/audit/route";
import { getAuth } from "@/lib/auth/auth";
import { createFirstOwner, createUserWithPassword } from "@/lib/auth/users";
import { prisma } from "@/lib/db/client";

const PASSWORD = "correct horse battery staple";
let ownerId: string;

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

const download = (query = "") => GET(new Request(`http://console.test/api/audit${query}`), { params: Promise.resolve({}) });

beforeAll(async () => {
  ownerId = (await createFirstOwner({ email: "owner@example.test", name: "Olivia Owner", password: PASSWORD }))!.id;
  await createUserWithPassword({ email: "viewer@example.test", name: "Vera Viewer", password: PASSWORD, role: "viewer" });
  // a hostile "email" typed into the sign-in form ends up in the log as actor and object label
  await prisma.auditEvent.create({
    data: {
      id: crypto.randomUUID(),
      at: new Date("2026-03-01T10:00:00Z"),
      actorLabel: '=HYPERLINK("http://evil.example","click")',
      action: "auth.sign_in_failed",
      objectType: "session",
      objectLabel: "-1+1",
      detail: JSON.stringify({ reason: "INVALID_EMAIL_OR_PASSWORD" }),
      ip: "203.0.113.66",
    },
  });
  await prisma.auditEvent.create({
    data: {
      id: crypto.randomUUID(),
      at: new Date("2026-03-02T10:00:00Z"),
      actorId: ownerId,
      actorLabel: "Olivia Owner <owner@example.test>",
      action: "profile.updated",
      objectType: "profile",
      objectId: "p1",
      objectLabel: 'Inbox "A", line\nbreak',
      detail: JSON.stringify({ changes: ["Host, port"] }),
    },
  });
});

beforeEach(() => {
  browser.cookie = "";
});

describe("GET /api/audit (CSV download)", () => {
  it("refuses a signed-out request", async () => {
    const response = await download();
    expect(response.status).toBe(401);
  });

  it("refuses a viewer", async () => {
    await signIn("viewer@example.test");
    const response = await download();
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: { code: "forbidden", message: "Only the console owner and admins can read the audit log." },
    });
  });

  it("streams the log as a dated CSV attachment with formulas neutralised", async () => {
    await signIn("owner@example.test");
    const response = await download();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="audit-${new Date().toISOString().slice(0, 10)}.csv"`,
    );
    expect(response.headers.get("cache-control")).toBe("no-store");
    // Response.text() would drop the byte-order mark; decode keeping it
    const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await response.arrayBuffer());
    expect(
      text.startsWith(
        "\uFEFFTime (UTC),Who,User id,Action,Action code,Object type,Object id,Object,Details (JSON),IP address\r\n",
      ),
    ).toBe(true);
    const total = await prisma.auditEvent.count();
    expect(text.trimEnd().split("\r\n").length).toBeGreaterThanOrEqual(total + 1);
    expect(text).toContain(
      `2026-03-01T10:00:00.000Z,"'=HYPERLINK(""http://evil.example"",""click"")",,Sign-in failed,auth.sign_in_failed,session,,'-1+1,`,
    );
    expect(text).toContain(`"Inbox ""A"", line\nbreak","{""changes"":[""Host, port""]}",\r\n`);
    expect(text).not.toMatch(/(^|,)[=+@-]/m);
  });

  it("applies the page's filters", async () => {
    await signIn("owner@example.test");
    const text = await (await download("?action=profile.updated&from=2026-03-01&to=2026-03-31")).text();
    const lines = text.trimEnd().split("\r\n");
    // header + the one event (the line break inside its quoted object label is a bare \n, not a row end)
    expect(lines).toHaveLength(2);
    expect(text).toContain("profile.updated");
    expect(text).not.toContain("auth.sign_in_failed");
  });

  it("refuses a filter it cannot apply instead of exporting everything", async () => {
    await signIn("owner@example.test");
    const response = await download("?from=March");
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe("invalid_input");
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { listProfiles } from "@/lib/db/profiles";
import { createProfile } from "@/lib/profile-operations/profile-service";
import { basicInput, oauthSecretInput } from "../support/profile-fixtures";
import { seedUser } from "../support/users";
import type { CurrentUser } from "@/lib/auth/session";

let owner: CurrentUser;
beforeAll(async () => {
  owner = await seedUser("owner");
});

describe("profiles list", () => {
  beforeAll(async () => {
    for (let i = 1; i <= 30; i++) {
      const name = `Inbox ${String(i).padStart(2, "0")}`;
      await (i % 3 === 0
        ? createProfile(basicInput({ name, username: `user${i}`, password: "pw" }), owner)
        : createProfile(
            oauthSecretInput({
              name,
              username: `box${i}@contoso.com`,
              secret: "s",
              host: i % 2 ? "outlook.office365.com" : "imap.example.org",
            }),
            owner,
          ));
    }
  });

  it("pages with a stable order and reports the total", async () => {
    const first = await listProfiles(owner, { pageSize: 10, page: 1 });
    const second = await listProfiles(owner, { pageSize: 10, page: 2 });
    expect(first.total).toBe(30);
    expect(first.pageCount).toBe(3);
    expect(first.items.map((i) => i.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `Inbox ${String(i + 1).padStart(2, "0")}`),
    );
    expect(second.items[0]!.name).toBe("Inbox 11");
  });

  it("clamps an out-of-range page and an unknown page size", async () => {
    const result = await listProfiles(owner, { page: 99, pageSize: 7 });
    expect(result.pageSize).toBe(25);
    expect(result.page).toBe(2);
    expect(result.items).toHaveLength(5);
  });

  it("searches name, host and username, case-insensitively", async () => {
    expect((await listProfiles(owner, { search: "INBOX 07" })).items.map((i) => i.name)).toEqual(["Inbox 07"]);
    expect((await listProfiles(owner, { search: "imap.example.org", pageSize: 100 })).total).toBe(10);
    expect((await listProfiles(owner, { search: "user12" })).items.map((i) => i.name)).toEqual(["Inbox 12"]);
    expect((await listProfiles(owner, { search: "nothing-like-this" })).total).toBe(0);
  });

  it("sorts by any column in both directions", async () => {
    const desc = await listProfiles(owner, { sort: "name", direction: "desc", pageSize: 10 });
    expect(desc.items[0]!.name).toBe("Inbox 30");
    const byAuth = await listProfiles(owner, { sort: "authLabel", direction: "asc", pageSize: 100 });
    expect(byAuth.items.slice(0, 10).every((i) => i.authLabel === "Basic")).toBe(true);
    const byHost = await listProfiles(owner, { sort: "host", direction: "asc", pageSize: 100 });
    expect(byHost.items[0]!.host).toBe("imap.example.org");
  });
});

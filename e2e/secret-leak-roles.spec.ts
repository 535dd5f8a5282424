import { expect, test } from "@playwright/test";
import { createOAuthProfile, inviteAndJoin, recordResponses, share, unique, type ShareLevelLabel } from "./helpers";

/**
 * The secret-leak check for every role: an admin, an editor with Edit, and a viewer with Use each
 * visit every page that shows the profile, and no response they receive carries its stored secret.
 * One test per role: signing a colleague up and visiting seven pages takes a while on a busy
 * machine, and all three in one test outgrew a test's time budget there.
 */
const people: { name: string; role: "admin" | "editor" | "viewer"; level: ShareLevelLabel | null }[] = [
  { name: "Ada Admin", role: "admin", level: null },
  { name: "Eddie Editor", role: "editor", level: "Edit" },
  { name: "Vera Viewer", role: "viewer", level: "Use" },
];

for (const person of people) {
  test(`no ${person.role} ever receives a stored secret`, async ({ page: owner, browser }) => {
    const secret = `role-canary-${Date.now()}-Kx7`;
    const name = unique("Leak by role");
    const profileId = await createOAuthProfile(owner, { name, secret });
    const email = `${person.name.split(" ")[0]!.toLowerCase()}.${Date.now()}@contoso.test`;
    const page = await inviteAndJoin(owner, browser, {
      name: person.name,
      email,
      role: person.role,
      password: "role-password-e2e-123",
    });
    if (person.level) await share(owner, profileId, person.name, { add: person.level });

    const received = recordResponses(page);
    for (const url of [
      "/profiles",
      `/profiles?q=${encodeURIComponent(name)}`,
      `/profiles/${profileId}`,
      `/profiles/${profileId}/history`,
      "/certificates",
      "/account",
    ]) {
      await page.goto(url);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    }
    await page.goto(`/profiles/${profileId}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
    const bodies = await received.bodies();
    expect(bodies.filter((b) => b.body.includes(name)).length, `${person.name} saw the profile`).toBeGreaterThan(0);
    expect(
      bodies.filter((b) => b.body.includes(secret)).map((b) => b.url),
      person.name,
    ).toEqual([]);
    await page.context().close();
  });
}

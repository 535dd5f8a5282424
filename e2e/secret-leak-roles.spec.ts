import { expect, test, type Page } from "@playwright/test";
import { createOAuthProfile, inviteAndJoin, recordResponses, share, unique } from "./helpers";

/**
 * The secret-leak check for every role: an admin, an editor with Edit, and a viewer with Use each
 * visit every page that shows the profile, and no response they receive carries its stored secret.
 */
test("no role ever receives a stored secret", async ({ page: owner, browser }) => {
  const secret = `role-canary-${Date.now()}-Kx7`;
  const name = unique("Leak by role");
  const profileId = await createOAuthProfile(owner, { name, secret });
  const stamp = Date.now();
  const people = [
    { name: "Ada Admin", email: `ada.${stamp}@contoso.test`, role: "admin" as const, level: null },
    { name: "Eddie Editor", email: `eddie.${stamp}@contoso.test`, role: "editor" as const, level: "Edit" as const },
    { name: "Vera Viewer", email: `vera.${stamp}@contoso.test`, role: "viewer" as const, level: "Use" as const },
  ];
  const pages: Page[] = [];
  for (const person of people) {
    const page = await inviteAndJoin(owner, browser, { ...person, password: "role-password-e2e-123" });
    pages.push(page);
    if (person.level) await share(owner, profileId, person.name, { add: person.level });
  }
  for (const [index, page] of pages.entries()) {
    const received = recordResponses(page);
    for (const url of ["/profiles", `/profiles?q=${encodeURIComponent(name)}`, `/profiles/${profileId}`, `/profiles/${profileId}/history`, "/certificates", "/account"]) {
      await page.goto(url);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    }
    await page.goto(`/profiles/${profileId}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
    const bodies = await received.bodies();
    expect(bodies.filter((b) => b.body.includes(name)).length, `${people[index]!.name} saw the profile`).toBeGreaterThan(0);
    expect(bodies.filter((b) => b.body.includes(secret)).map((b) => b.url), people[index]!.name).toEqual([]);
    await page.context().close();
  }
});

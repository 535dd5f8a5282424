import { expect, test, type Page } from "@playwright/test";
import { createOAuthProfile, inviteAndJoin, unique } from "./helpers";

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
    { name: "Eddie Editor", email: `eddie.${stamp}@contoso.test`, role: "editor" as const, level: "Edit" },
    { name: "Vera Viewer", email: `vera.${stamp}@contoso.test`, role: "viewer" as const, level: "Use" },
  ];
  const pages: Page[] = [];
  for (const person of people) {
    const page = await inviteAndJoin(owner, browser, { ...person, password: "role-password-e2e-123" });
    pages.push(page);
    if (person.level) {
      await owner.goto(`/profiles/${profileId}`);
      await owner.getByRole("button", { name: "Share…" }).click();
      const dialog = owner.getByRole("dialog");
      const option = dialog.getByLabel("Share with").locator("option", { hasText: person.name });
      await dialog.getByLabel("Share with").selectOption((await option.getAttribute("value"))!);
      await dialog.getByLabel("Access", { exact: true }).selectOption({ label: person.level });
      await dialog.getByRole("button", { name: "Share", exact: true }).click();
      await expect(dialog.locator(`[data-share*="${person.name}"]`)).toBeVisible();
      await owner.keyboard.press("Escape");
    }
  }
  for (const [index, page] of pages.entries()) {
    const bodies: { url: string; body: string }[] = [];
    page.on("response", async (r) => bodies.push({ url: r.url(), body: await r.text().catch(() => "") }));
    for (const url of ["/profiles", `/profiles?q=${encodeURIComponent(name)}`, `/profiles/${profileId}`, `/profiles/${profileId}/history`, "/certificates", "/account"]) {
      await page.goto(url);
      await page.waitForLoadState("networkidle");
    }
    await page.goto(`/profiles/${profileId}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
    expect(bodies.filter((b) => b.body.includes(name)).length, `${people[index]!.name} saw the profile`).toBeGreaterThan(0);
    expect(bodies.filter((b) => b.body.includes(secret)).map((b) => b.url), people[index]!.name).toEqual([]);
    await page.context().close();
  }
});

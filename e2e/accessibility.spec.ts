import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { createOAuthProfile, unique } from "./helpers";

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

/** Opens the page, waits until it shows its heading, and scans it. */
async function scan(page: Page, url: string) {
  await page.goto(url);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  expect(await seriousViolations(page), url).toEqual([]);
}

// What the pages below show: a profile (a row in the list, its own page and history) and a certificate.
let profileId = "";
let certificatePage = "";
test.beforeAll(async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  profileId = await createOAuthProfile(page, { name: unique("A11y"), secret: "secret-value" });
  await page.goto("/certificates/new");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(unique("A11y cert"));
  await page.getByRole("button", { name: "Generate" }).click();
  await expect(page.getByText("Certificate saved.")).toBeVisible();
  await expect(page).toHaveURL(/\/certificates\/[^/?]+\?created=1$/);
  certificatePage = new URL(page.url()).pathname;
  await context.close();
});

// One test per page: a scan takes seconds on a busy machine, and fourteen of them in one test
// outgrew a test's time budget there without anything being wrong.
const consolePages: [string, () => string][] = [
  ["the profiles list", () => "/profiles"],
  ["the new profile form", () => "/profiles/new"],
  ["a profile", () => `/profiles/${profileId}`],
  ["a search without results", () => "/profiles?q=nothing-matches"],
  ["the certificates list", () => "/certificates"],
  ["the new certificate form", () => "/certificates/new"],
  ["the PEM import form", () => "/certificates/new?mode=pem"],
  ["the PFX import form", () => "/certificates/new?mode=pfx"],
  ["a certificate", () => certificatePage],
  ["a profile's history", () => `/profiles/${profileId}/history`],
  ["the users page", () => "/users"],
  ["the audit log", () => "/audit"],
  ["the account page", () => "/account"],
];
for (const [what, url] of consolePages) {
  test(`no serious or critical accessibility violations on ${what}`, async ({ page }) => {
    await scan(page, url());
  });
}

test("no serious or critical accessibility violations on the new profile form with field errors showing", async ({ page }) => {
  await page.goto("/profiles/new");
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.locator("#name-error")).toBeVisible();
  expect(await seriousViolations(page), "form with errors").toEqual([]);
});

test("no serious or critical accessibility violations on the sign-in and invitation pages", async ({ page, browser }) => {
  await page.goto("/users");
  await page.getByRole("button", { name: "Invite user" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Email").fill(`a11y.${Date.now()}@contoso.test`);
  await dialog.getByLabel("Name").fill("Axe Tester");
  await dialog.getByRole("button", { name: "Create invitation link" }).click();
  // the dialog with the link in it, not the form on its way out
  await expect(dialog.getByLabel("One-time link")).toHaveValue(/\/invite\/./);
  expect(await seriousViolations(page), "invitation dialog").toEqual([]);
  const link = new URL(await dialog.getByLabel("One-time link").inputValue()).pathname;

  const visitor = await (await browser.newContext({ storageState: { cookies: [], origins: [] } })).newPage();
  for (const url of ["/login", link]) {
    await visitor.goto(url);
    await expect(visitor.getByRole("heading", { level: 1 })).toBeVisible();
    expect(await seriousViolations(visitor), url).toEqual([]);
  }
  await visitor.getByLabel("Password", { exact: true }).fill("short");
  await visitor.getByRole("button", { name: "Create account and sign in" }).click();
  await expect(visitor.getByRole("alert").filter({ hasText: /./ }).first()).toBeVisible();
  expect(await seriousViolations(visitor), "invitation with errors").toEqual([]);
  await visitor.context().close();
});

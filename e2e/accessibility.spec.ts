import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { createOAuthProfile, unique } from "./helpers";

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

test("no serious or critical accessibility violations on the console's pages", async ({ page }) => {
  const id = await createOAuthProfile(page, { name: unique("A11y"), secret: "secret-value" });
  await page.goto("/certificates/new");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(unique("A11y cert"));
  await page.getByRole("button", { name: "Generate" }).click();
  await expect(page.getByText("Certificate saved.")).toBeVisible();
  const certificatePage = new URL(page.url()).pathname;
  const pages = [
    "/profiles",
    "/profiles/new",
    `/profiles/${id}`,
    "/profiles?q=nothing-matches",
    "/certificates",
    "/certificates/new",
    "/certificates/new?mode=pem",
    "/certificates/new?mode=pfx",
    certificatePage,
  ];
  for (const url of pages) {
    await page.goto(url);
    await page.waitForLoadState("networkidle");
    expect(await seriousViolations(page), url).toEqual([]);
  }
  // with field errors showing
  await page.goto("/profiles/new");
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.locator("#name-error")).toBeVisible();
  expect(await seriousViolations(page), "form with errors").toEqual([]);
});

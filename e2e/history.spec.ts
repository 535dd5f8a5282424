import { expect, test } from "@playwright/test";
import { createOAuthProfile, rowValue, unique } from "./helpers";

test("history shows what changed between revisions and restores an old one as a new revision", async ({ page }) => {
  const name = unique("History");
  const id = await createOAuthProfile(page, { name, secret: "first-secret-value" });

  await page.getByRole("textbox", { name: "Port", exact: true }).fill("993");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Profile saved.")).toBeVisible();
  await page.getByRole("textbox", { name: "Port", exact: true }).fill("995");
  await (await rowValue(page, "requestProperties", "client_secret")).fill("second-secret-value");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Profile saved.")).toBeVisible();

  await page.getByRole("link", { name: "History" }).click();
  const revision3 = page.locator('[data-revision="3"]');
  await expect(revision3).toContainText("Port: 993 → 995");
  await expect(revision3).toContainText("Client secret rotated");
  await expect(page.locator('[data-revision="2"]')).toContainText("Port: default → 993");

  const diff = page.getByTestId("revision-diff");
  await expect(diff.locator('[data-field="Port"]')).toHaveAttribute("data-changed", "true");
  await expect(diff.locator('[data-field="Port"]')).toContainText("993");
  await expect(diff.locator('[data-field="Port"]')).toContainText("995");
  await expect(diff.locator('[data-field="Client secret"]')).toContainText("secret changed");
  await expect(diff.locator('[data-field="Mail server URL"]')).toHaveAttribute("data-changed", "false");
  expect(await page.content()).not.toContain("second-secret-value");

  // compare any two
  await page.getByLabel("From revision").selectOption("1");
  await page.getByLabel("To revision").selectOption("3");
  await page.getByRole("button", { name: "Compare" }).click();
  await expect(page).toHaveURL(/from=1&to=3/);
  await expect(diff.locator('[data-field="Port"]')).toContainText("default");

  // restore revision 2 (port 993): a new revision 4; the current secret was saved for port 995, so
  // it does not follow the profile back to 993 and the page asks for it
  await page.getByRole("button", { name: "Restore revision 2" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Restore revision 2" }).click();
  await expect(page.getByText("Revision 2 restored as a new revision.")).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/profiles/${id}`));
  await expect(page.getByRole("textbox", { name: "Port", exact: true })).toHaveValue("993");
  await expect(page.getByText("This profile needs client secret before it can be tested")).toBeVisible();
  await page.getByRole("link", { name: "History" }).click();
  await expect(page.locator('[data-revision="4"]')).toContainText("Restored");
  await expect(page.locator('[data-revision="4"]')).toContainText("Port: 995 → 993");
  await expect(page.locator('[data-revision="4"]')).toContainText("Client secret removed");
});

import { expect, test as setup } from "@playwright/test";
import { OWNER, OWNER_STATE } from "./accounts";

setup("a fresh console sends the first visitor to owner setup, and the owner is signed in", async ({ page }) => {
  await page.goto("/profiles");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Create the owner account" })).toBeVisible();
  await page.getByLabel("Your name").fill(OWNER.name);
  await page.getByLabel("Email").fill(OWNER.email);
  await page.getByLabel("Password", { exact: true }).fill(OWNER.password);
  await page.getByLabel("Repeat the password").fill(OWNER.password);
  await page.getByRole("button", { name: "Create owner and sign in" }).click();
  await expect(page).toHaveURL(/\/profiles$/);
  await expect(page.getByTestId("current-user")).toContainText(OWNER.name);
  await page.context().storageState({ path: OWNER_STATE });

  // nobody can become owner a second time
  await page.goto("/setup");
  await expect(page).toHaveURL(/\/login|\/profiles/);
});

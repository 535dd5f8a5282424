import { expect, type Browser, type Page } from "@playwright/test";

export const CLIENT_ID = "11111111-1111-1111-1111-111111111111";
export const TENANT_ID = "00000000-0000-0000-0000-000000000000";

export const unique = (prefix: string) => `${prefix} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** The value input of a request-property or additional-property row, found by its key. */
export async function rowValue(page: Page, table: "requestProperties" | "additionalProperties", key: string) {
  const prefix = table === "requestProperties" ? "authentication-requestProperties" : "connection-additionalProperties";
  const keys = page.locator(`input[id^="${prefix}-"][id$="-key"]`);
  // the table may still be rendering after a navigation: look until the row shows up
  let id: string | undefined;
  await expect
    .poll(
      async () => {
        const values = await keys.evaluateAll((inputs) => inputs.map((i) => [(i as HTMLInputElement).id, (i as HTMLInputElement).value]));
        id = values.find(([, value]) => value === key)?.[0];
        return id;
      },
      { message: `a ${table} row with key ${key}` },
    )
    .toBeTruthy();
  return page.locator(`#${id!.replace(/-key$/, "-value")}`);
}

/** Fills a new OAuth2 client-secret profile and saves it; returns the profile id. */
export async function createOAuthProfile(page: Page, options: { name: string; secret: string; mailbox?: string }) {
  await page.goto("/profiles/new");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(options.name);
  await page.getByLabel("Username (mailbox)").fill(options.mailbox ?? "support@contoso.com");
  await page.getByLabel("Tenant ID").fill(TENANT_ID);
  await (await rowValue(page, "requestProperties", "client_id")).fill(CLIENT_ID);
  await (await rowValue(page, "requestProperties", "client_secret")).fill(options.secret);
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.getByText("Profile saved.")).toBeVisible();
  return new URL(page.url()).pathname.split("/").pop()!;
}

/**
 * Invites a colleague through the Users page (as the signed-in owner) and accepts the link in a new,
 * signed-out browser context. Returns that colleague's signed-in page.
 */
export async function inviteAndJoin(ownerPage: Page, browser: Browser, person: { name: string; email: string; role: "admin" | "editor" | "viewer"; password: string }): Promise<Page> {
  await ownerPage.goto("/users");
  await ownerPage.getByRole("button", { name: "Invite user" }).click();
  const dialog = ownerPage.getByRole("dialog");
  await dialog.getByLabel("Email").fill(person.email);
  await dialog.getByLabel("Name").fill(person.name);
  await dialog.getByLabel("Role").selectOption(person.role);
  await dialog.getByRole("button", { name: "Create invitation link" }).click();
  const link = await dialog.getByLabel("One-time link").inputValue();
  await dialog.getByRole("button", { name: "Done" }).click();

  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto(new URL(link).pathname);
  await page.getByLabel("Password", { exact: true }).fill(person.password);
  await page.getByLabel("Repeat the password").fill(person.password);
  await page.getByRole("button", { name: "Create account and sign in" }).click();
  await expect(page).toHaveURL(/\/profiles$/);
  await expect(page.getByTestId("current-user")).toContainText(person.name);
  return page;
}

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
        const values = await keys.evaluateAll((inputs) =>
          inputs.map((i) => [(i as HTMLInputElement).id, (i as HTMLInputElement).value]),
        );
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
  return savedProfileId(page);
}

/** After "Create profile": waits for the saved profile's page and returns its id, read from its address. */
export async function savedProfileId(page: Page): Promise<string> {
  await expect(page.getByText("Profile saved.")).toBeVisible();
  // the notice and the new address come from one client navigation, but Playwright learns of the
  // address through its own event: read page.url() only once it has caught up
  await expect(page).toHaveURL(/\/profiles\/[^/?]+\?saved=\d+$/);
  return new URL(page.url()).pathname.split("/").pop()!;
}

export type ShareLevelLabel = "Use" | "Edit" | "Manage";

/**
 * Changes one person's access in the profile's Share dialog, as someone with Manage access:
 * `{ add }` for someone who has none yet, `{ change }` for someone who has some, "remove" to revoke it.
 */
export async function share(
  page: Page,
  profileId: string,
  who: string,
  change: { add: ShareLevelLabel } | { change: ShareLevelLabel } | "remove",
) {
  await page.goto(`/profiles/${profileId}`);
  await page.getByRole("button", { name: "Share…" }).click();
  const dialog = page.getByRole("dialog");
  // the dialog fetches who has access when it opens; until then it shows "Loading…" and no rows
  await expect(dialog).toHaveAttribute("aria-busy", "false");
  const row = dialog.locator(`[data-share*="${who}"]`);
  if (change === "remove") {
    await row.getByRole("button", { name: /Remove access/ }).click();
    await expect(row).toHaveCount(0);
  } else if ("change" in change) {
    await row.getByRole("combobox").selectOption({ label: change.change });
    await expect(row.getByRole("combobox")).toHaveValue(change.change.toLowerCase());
  } else {
    await expect(row).toHaveCount(0);
    const option = dialog.getByLabel("Share with").locator("option", { hasText: who });
    await dialog.getByLabel("Share with").selectOption((await option.getAttribute("value"))!);
    await dialog.getByLabel("Access", { exact: true }).selectOption({ label: change.add });
    await dialog.getByRole("button", { name: "Share", exact: true }).click();
    await expect(row).toBeVisible();
  }
  await expect(dialog).toHaveAttribute("aria-busy", "false");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
}

/**
 * Records the body of every response the page receives from now on. A body is read after its
 * response event, so `bodies()` first waits for every read started so far: a check for what the
 * browser received never runs on a list that is still filling. Responses without a body (redirects,
 * requests cut off by a navigation) are left out.
 */
export function recordResponses(page: Page): { bodies(): Promise<{ url: string; body: string }[]> } {
  const reads: Promise<{ url: string; body: string } | null>[] = [];
  page.on("response", (response) => {
    reads.push(
      response.text().then(
        (body) => ({ url: response.url(), body }),
        () => null,
      ),
    );
  });
  return {
    bodies: async () => (await Promise.all(reads)).filter((read) => read !== null),
  };
}

/**
 * Invites a colleague through the Users page (as the signed-in owner) and accepts the link in a new,
 * signed-out browser context. Returns that colleague's signed-in page.
 */
export async function inviteAndJoin(
  ownerPage: Page,
  browser: Browser,
  person: { name: string; email: string; role: "admin" | "editor" | "viewer"; password: string },
): Promise<Page> {
  await ownerPage.goto("/users");
  await ownerPage.getByRole("button", { name: "Invite user" }).click();
  const dialog = ownerPage.getByRole("dialog");
  await dialog.getByLabel("Email").fill(person.email);
  await dialog.getByLabel("Name").fill(person.name);
  await dialog.getByLabel("Role").selectOption(person.role);
  await dialog.getByRole("button", { name: "Create invitation link" }).click();
  await expect(dialog.getByLabel("One-time link")).toHaveValue(/\/invite\/./);
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

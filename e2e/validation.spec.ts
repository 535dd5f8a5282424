import { expect, test } from "@playwright/test";
import { createOAuthProfile, rowValue, unique } from "./helpers";

test("bad input gets a message on the field, and nothing is saved", async ({ page }) => {
  await page.goto("/profiles/new");
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.locator("#name-error")).toHaveText("Enter a name");
  await expect(page.getByRole("textbox", { name: "Name", exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#username-error")).toContainText("mailbox");

  // each value turns the message on or off, so every check waits for that value's own verdict
  // (after "0", a check for the same message on "65536" would pass before 65536 was even validated)
  for (const [port, ok] of [
    ["0", false],
    ["993", true],
    ["65536", false],
    ["993", true],
    ["abc", false],
    ["993", true],
  ] as const) {
    await page.getByLabel("Port").fill(port);
    await page.getByLabel("Port").blur();
    if (ok) await expect(page.locator("#port-error")).toHaveCount(0);
    else await expect(page.locator("#port-error")).toHaveText("Enter a whole number from 1 to 65535");
  }

  await page.getByLabel("Mail server URL").fill("pop3s://outlook.office365.com");
  await page.getByLabel("Mail server URL").blur();
  await expect(page.locator("#mailServerUrl-error")).toContainText("POP3, but Protocol is IMAP");

  await page.getByRole("button", { name: "Add property" }).click();
  await page.getByRole("button", { name: "Add property" }).click();
  await page.locator("#connection-additionalProperties-0-key").fill("mail.imap.timeout");
  await page.locator("#connection-additionalProperties-0-value").fill("soon");
  await page.locator("#connection-additionalProperties-1-key").fill("mail.imap.timeout");
  await page.locator("#connection-additionalProperties-1-value").fill("5000");
  await page.getByRole("button", { name: "Create profile" }).click();
  // the refused submit moves the focus to the first field in error: the click was handled, and the
  // checks below see its outcome rather than the form as it was before it
  await expect(page.getByRole("textbox", { name: "Name", exact: true })).toBeFocused();
  await expect(page.locator("#connection-additionalProperties-0-value-error")).toHaveText(
    "Expects a whole number of milliseconds",
  );
  await expect(page.locator("#connection-additionalProperties-1-key-error")).toContainText("Duplicate key");
  await expect(page.getByText("Some fields need attention")).toBeVisible();
  await expect(page).toHaveURL(/\/profiles\/new$/);

  await page.getByRole("textbox", { name: "Name", exact: true }).fill("x".repeat(10_000));
  await page.getByRole("textbox", { name: "Name", exact: true }).blur();
  await expect(page.locator("#name-error")).toHaveText("At most 100 characters");
});

test("a name already in use is refused by the server on the name field, without losing the form", async ({ page }) => {
  const name = unique("Clash");
  await createOAuthProfile(page, { name, secret: "secret-one" });
  await page.goto("/profiles/new");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(name.toLowerCase());
  await page.getByLabel("Username (mailbox)").fill("other@contoso.com");
  await page.getByLabel("Tenant ID").fill("contoso.onmicrosoft.com");
  await (await rowValue(page, "requestProperties", "client_id")).fill("22222222-2222-2222-2222-222222222222");
  await (await rowValue(page, "requestProperties", "client_secret")).fill("secret-two");
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.locator("#name-error")).toContainText("already exists");
  await expect(page.getByLabel("Username (mailbox)")).toHaveValue("other@contoso.com");
});

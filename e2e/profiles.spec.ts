import { expect, test } from "@playwright/test";
import { createOAuthProfile, rowValue, unique } from "./helpers";

test("create, list, search, edit, duplicate and delete a profile", async ({ page }) => {
  const name = unique("Support inbox");
  await createOAuthProfile(page, { name, secret: "first-secret-value" });

  // list and search
  await page.getByRole("link", { name: "Profiles" }).first().click();
  await expect(page.getByRole("link", { name })).toBeVisible();
  await page.getByLabel("Search").fill(name.toUpperCase());
  await page.getByRole("button", { name: "Search" }).click();
  // a plain GET form: the results are a new page, and the rows of the old one must not be counted
  await expect(page).toHaveURL(/[?&]q=/);
  await expect(page.getByRole("row")).toHaveCount(2);
  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText("outlook.office365.com");
  await expect(row).toContainText("support@contoso.com");
  await expect(row).toContainText("OAuth2 · client secret");
  await expect(row).toContainText("never tested");

  // edit: the stored secret is not shown, a blank field keeps it
  await page.getByRole("link", { name }).click();
  const secretInput = await rowValue(page, "requestProperties", "client_secret");
  await expect(secretInput).toHaveValue("");
  await expect(secretInput).toHaveAttribute("placeholder", "stored — leave blank to keep");
  await page.getByLabel("Description").fill("Still over IMAP");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Profile saved.")).toBeVisible();
  await expect(page.getByLabel("Description")).toHaveValue("Still over IMAP");
  // POP3 moves the connection to port 995: the stored secret does not follow until it is typed again
  await page.getByLabel("Protocol").selectOption("pop3");
  await expect(
    page.getByRole("status").filter({ hasText: "The mail server changed: type the client secret again" }),
  ).toBeVisible();
  await (await rowValue(page, "requestProperties", "client_secret")).fill("second-secret-value");
  await page.getByLabel("Description").fill("Now over POP3");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Profile saved.")).toBeVisible();
  await expect(page.getByLabel("Protocol")).toHaveValue("pop3");
  await expect(page.getByRole("textbox", { name: "Port", exact: true })).toHaveAttribute("placeholder", "995");

  // duplicate (without secrets)
  await page.getByRole("button", { name: `Duplicate ${name}` }).click();
  await expect(page.getByLabel("Name of the copy")).toHaveValue(`Copy of ${name}`);
  await expect(page.getByLabel("Copy stored secrets too")).not.toBeChecked();
  await page.getByRole("dialog").getByRole("button", { name: "Duplicate" }).click();
  await expect(page.getByText("Copy created.")).toBeVisible();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Copy of ${name}`);
  await expect(await rowValue(page, "requestProperties", "client_secret")).not.toHaveAttribute(
    "placeholder",
    "stored — leave blank to keep",
  );

  // delete the copy, with confirmation
  await page.getByRole("button", { name: `Delete Copy of ${name}` }).click();
  await expect(page.getByRole("alertdialog")).toContainText("cannot be undone");
  await page.getByRole("button", { name: "Delete profile" }).click();
  await expect(page).toHaveURL(/\/profiles$/);
  await expect(page.getByRole("link", { name: `Copy of ${name}` })).toHaveCount(0);
  await expect(page.getByRole("link", { name, exact: true })).toBeVisible();
});

test("paste a block of JavaMail properties and see how each is understood", async ({ page }) => {
  await page.goto("/profiles/new");
  await page.getByRole("button", { name: "Paste lines…" }).first().click();
  await page
    .getByLabel("Properties, one per line")
    .fill(
      "mail.imap.ssl.enable=true\nmail.imap.ssl.trust=*\nmail.pop3.timeout=5000\ncom.example.custom=1\nmail.imap.connectiontimeout=15000",
    );
  await page.getByRole("button", { name: "Add 5 properties" }).click();
  const table = page.getByRole("table", { name: "JavaMail properties" });
  await expect(table.getByRole("row")).toHaveCount(6);
  await expect(table).toContainText("Implicit TLS from the first byte");
  await expect(table).toContainText("Dangerous: trusts any server certificate");
  await expect(table).toContainText("Ignored: this is an IMAP profile");
  await expect(table).toContainText("not used by this console");
  await expect(table).toContainText("milliseconds");
});

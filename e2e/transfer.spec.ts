import fs from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Download, type Page } from "@playwright/test";
import { createOAuthProfile, rowValue, unique } from "./helpers";

/*
 * Export from the profiles list and import on /profiles/import, as the owner. The specs share one
 * database with the other specs, so every name here is unique and the list is searched to show
 * only this spec's profiles.
 */

const PASSPHRASE = "e2e transfer passphrase";

interface ExportedDocument {
  name: string;
  authentication: { requestProperties: Record<string, unknown> };
}

async function downloaded(download: Download): Promise<string> {
  return fs.readFileSync((await download.path())!, "utf8");
}

async function showOnly(page: Page, search: string) {
  await page.goto(`/profiles?q=${encodeURIComponent(search)}`);
  await expect(page.getByRole("row")).toHaveCount(3);
}

async function exportSelected(page: Page, names: string[], secrets?: { passphrase: string }): Promise<string> {
  for (const name of names) await page.getByRole("checkbox", { name: `Select ${name}` }).check();
  await page.getByRole("button", { name: `Export ${names.length} selected…` }).click();
  const dialog = page.getByRole("dialog", { name: "Export profiles" });
  await expect(dialog.getByLabel(`The ${names.length} selected profiles`)).toBeChecked();
  await expect(dialog.getByLabel("Without secrets (recommended)")).toBeChecked();
  await expect(dialog).toContainText('written as null, meaning "supply on import"');
  if (secrets) {
    await dialog.getByLabel("With secrets, encrypted under a passphrase").check();
    await expect(dialog).toContainText("Anyone who has both the file and the passphrase can read these secrets");
    await dialog.getByRole("textbox", { name: "Passphrase", exact: true }).fill(secrets.passphrase);
    await dialog.getByLabel("Passphrase again").fill(secrets.passphrase);
  }
  const download = page.waitForEvent("download");
  await dialog.getByRole("button", { name: "Download" }).click();
  const text = await downloaded(await download);
  await expect(dialog).toBeHidden();
  return text;
}

test("export two profiles without and with secrets, then import the file with renamed clashes", async ({ page }) => {
  const base = unique("Transfer");
  const names = [`${base} alpha`, `${base} beta`];
  const secrets = ["alpha-e2e-transfer-secret-1", "beta-e2e-transfer-secret-2"];
  await createOAuthProfile(page, { name: names[0]!, secret: secrets[0]! });
  await createOAuthProfile(page, { name: names[1]!, secret: secrets[1]! });

  // without secrets: an array of two documents, each secret null
  await showOnly(page, base);
  const plain = await exportSelected(page, names);
  const plainDocuments = JSON.parse(plain) as ExportedDocument[];
  expect(plainDocuments.map((d) => d.name)).toEqual(names);
  for (const document of plainDocuments) expect(document.authentication.requestProperties.client_secret).toBeNull();
  for (const secret of secrets) expect(plain).not.toContain(secret);
  await expect(page.getByText(/Downloaded mcf-profiles-.*\.json, without secrets\./)).toBeVisible();

  // with secrets: encrypted values only; the passphrases must match first
  await showOnly(page, base);
  await page.getByRole("checkbox", { name: "Select all profiles on this page" }).check();
  await page.getByRole("button", { name: "Export 2 selected…" }).click();
  const dialog = page.getByRole("dialog", { name: "Export profiles" });
  await dialog.getByLabel("With secrets, encrypted under a passphrase").check();
  await dialog.getByRole("textbox", { name: "Passphrase", exact: true }).fill(PASSPHRASE);
  await dialog.getByLabel("Passphrase again").fill(`${PASSPHRASE}!`);
  await dialog.getByRole("button", { name: "Download" }).click();
  await expect(dialog.getByText("The two passphrases differ")).toBeVisible();
  expect(
    await new AxeBuilder({ page })
      .include('[role="dialog"]')
      .analyze()
      .then((r) => r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)),
  ).toEqual([]);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  const encrypted = await exportSelected(page, names, { passphrase: PASSPHRASE });
  const encryptedDocuments = JSON.parse(encrypted) as ExportedDocument[];
  for (const document of encryptedDocuments)
    expect(document.authentication.requestProperties.client_secret).toEqual({ encrypted: expect.stringMatching(/^v1:/) });
  for (const secret of [...secrets, PASSPHRASE]) expect(encrypted).not.toContain(secret);

  // import the encrypted file: both names are taken, so both are imported under new names
  await page.getByRole("link", { name: "Import…" }).click();
  await expect(page).toHaveURL(/\/profiles\/import$/);
  await page
    .getByLabel("Export file")
    .setInputFiles({ name: "profiles.json", mimeType: "application/json", buffer: Buffer.from(encrypted) });
  await page.getByLabel("Passphrase of the export").fill(PASSPHRASE);
  await page.getByRole("button", { name: "Check the file" }).click();
  await expect(page.getByRole("heading", { name: "2 profiles in profiles.json" })).toBeVisible();
  await expect(page.getByText("2 profiles have a name that is already taken")).toBeVisible();
  const first = page.getByRole("listitem", { name: names[0] });
  await expect(first).toContainText("name taken");
  await expect(first.getByLabel(`What to do with “${names[0]}”`)).toHaveValue("rename");
  await expect(first.getByLabel("New name")).toHaveValue(`${names[0]} (imported)`);
  await first.getByLabel("New name").fill(`${names[0]} copy`);
  // replacing is offered too (the owner may edit both)
  await expect(first.getByRole("option", { name: `Replace “${names[0]}” as a new revision` })).toBeEnabled();
  await page.getByRole("button", { name: "Import 2 profiles" }).click();

  await expect(page.getByRole("heading", { name: "2 profiles imported" })).toBeVisible();
  await expect(page.getByText("Imported 2 new.")).toBeVisible();
  await page.getByRole("link", { name: `${names[1]} (imported)` }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`${names[1]} (imported)`);
  // the secret came through, decrypted and stored again
  await expect(await rowValue(page, "requestProperties", "client_secret")).toHaveAttribute(
    "placeholder",
    "stored — leave blank to keep",
  );

  await page.goto(`/profiles?q=${encodeURIComponent(base)}`);
  for (const name of [...names, `${names[0]} copy`, `${names[1]} (imported)`])
    await expect(page.getByRole("link", { name, exact: true })).toBeVisible();

  // without secrets, the import says which secrets are still to be supplied
  await page.goto("/profiles/import");
  await page
    .getByLabel("Export file")
    .setInputFiles({ name: "plain.json", mimeType: "application/json", buffer: Buffer.from(plain) });
  // no passphrase field only means something once the file is read and the form has looked at it
  await expect(page.getByText("Read plain.json (")).toBeVisible();
  await expect(page.locator("form", { has: page.getByLabel("Export file") })).toHaveAttribute("aria-busy", "false");
  await expect(page.getByLabel("Passphrase of the export")).toHaveCount(0);
  await page.getByRole("button", { name: "Check the file" }).click();
  const planned = page.getByRole("listitem", { name: names[1] });
  await expect(planned).toContainText("Client secret: to be supplied before a Test.");
  await planned.getByLabel(`What to do with “${names[1]}”`).selectOption("skip");
  await page.getByRole("listitem", { name: names[0] }).getByLabel("New name").fill(`${names[0]} no secret`);
  await page.getByRole("button", { name: "Import 1 profile" }).click();
  await expect(page.getByRole("heading", { name: "1 profile imported" })).toBeVisible();
  await expect(page.getByText("still needs its client secret: open it and enter it before a Test")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Skipped" })).toBeVisible();
});

test("a file with errors shows every JSON path and imports nothing; a wrong passphrase is named; hostile files are refused", async ({
  page,
}) => {
  const name = unique("Broken import");
  await page.goto("/profiles/import");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Import profiles");
  expect(
    await new AxeBuilder({ page })
      .analyze()
      .then((r) => r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)),
  ).toEqual([]);
  const document = {
    format: "mcf-profile",
    version: 1,
    name,
    connection: { protocol: "imap", mailServerUrl: "outlook.office365.com", port: 70000, security: "tls" },
    authentication: { type: "basic", username: "alice", password: null, colour: "blue" },
  };
  await page.getByLabel("Paste text").check();
  await page
    .getByLabel("Export or settings")
    .fill(JSON.stringify([document, { ...document, name: `${name} 2`, version: 1, format: "not-mcf" }], null, 2));
  await page.getByRole("button", { name: "Check the file" }).click();
  const problems = page.getByRole("alert").filter({ hasText: "The file cannot be imported" });
  await expect(problems).toContainText("3 problems. Nothing was saved.");
  await expect(problems.locator('[data-error-path="$[0].connection.port"]')).toBeVisible();
  await expect(problems.locator('[data-error-path="$[0].authentication.colour"]')).toContainText('Unknown field "colour"');
  await expect(problems.locator('[data-error-path="$[1].format"]')).toContainText("Not an mcf-profile document");

  // pasted key=value settings: the line number, and the name is asked for
  await page.getByLabel("Export or settings").fill("Protocol=IMAP\nMailserverURL=outlook.office365.com\nColour=blue\n");
  await expect(page.getByLabel("Profile name")).toBeVisible();
  await page.getByRole("button", { name: "Check the file" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "The file cannot be imported" })).toContainText("line 3");

  // the server decrypts: a wrong passphrase is reported at each encrypted secret's path
  const sealed = JSON.stringify({
    ...document,
    connection: { protocol: "imap", mailServerUrl: "outlook.office365.com", security: "tls" },
    authentication: {
      type: "basic",
      username: "alice",
      password: { encrypted: `v1:${Buffer.alloc(60, 7).toString("base64url")}` },
    },
  });
  await page.getByLabel("Upload a file").check();
  await page
    .getByLabel("Export file")
    .setInputFiles({ name: "sealed.json", mimeType: "application/json", buffer: Buffer.from(sealed) });
  await expect(page.getByText("Read sealed.json (")).toBeVisible();
  await page.getByLabel("Passphrase of the export").fill("not the right passphrase");
  await page.getByRole("button", { name: "Check the file" }).click();
  await expect(page.locator('[data-error-path="$.authentication.password"]')).toContainText("Wrong passphrase");

  // hostile files: the library's own messages
  const hostile: [string, string | Buffer, RegExp][] = [
    [
      "proto.json",
      `{"__proto__": {"admin": true}, "format": "mcf-profile", "version": 1}`,
      /The key "__proto__" is not allowed anywhere in an import file/,
    ],
    ["deep.json", `${"[".repeat(40)}${"]".repeat(40)}`, /Nested more than 32 levels deep/],
    ["future.json", JSON.stringify({ ...document, version: 2 }), /mcf-profile version 2, written by a newer console/],
    ["huge.json", Buffer.alloc(5 * 1024 * 1024 + 10, 0x20), /larger than 5 MB/],
  ];
  for (const [fileName, content, message] of hostile) {
    await page
      .getByLabel("Export file")
      .setInputFiles({ name: fileName, mimeType: "application/json", buffer: Buffer.from(content) });
    await expect(page.getByText(`Read ${fileName} (`)).toBeVisible();
    await page.getByRole("button", { name: "Check the file" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "The file cannot be imported" }), fileName).toContainText(message);
  }

  await page.goto(`/profiles?q=${encodeURIComponent(name)}`);
  await expect(page.getByText(`No profile matches “${name.toLowerCase()}”`)).toBeVisible();
});

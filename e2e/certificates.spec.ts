import crypto from "node:crypto";
import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { CLIENT_ID, TENANT_ID, rowValue, unique } from "./helpers";

test("generate a certificate, download the .cer, use it in a Method 2 profile and see its thumbprints", async ({ page }) => {
  const certName = unique("Connector cert");
  await page.goto("/certificates");
  await page.getByRole("link", { name: "Generate certificate" }).click();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(certName);
  await page.getByRole("textbox", { name: "Subject common name (CN)" }).fill("contoso-mail-reader");
  await page.getByLabel("RSA key size").selectOption("3072");
  await page.getByRole("button", { name: "Generate" }).click();
  await expect(page.getByText("Certificate saved.")).toBeVisible();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(certName);

  const details = page.getByRole("region", { name: "Details" });
  await expect(details).toContainText("CN=contoso-mail-reader");
  await expect(details).toContainText("RSA 3072 bits");
  const sha1 = (await details
    .locator("dd", { hasText: /^[0-9A-F]{40}$/ })
    .first()
    .textContent())!.trim();

  // the .cer is the DER certificate, and its SHA-1 is the thumbprint shown
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Certificate (.cer, DER)" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.cer$/);
  const der = fs.readFileSync((await download.path())!);
  const cert = new crypto.X509Certificate(der);
  expect(cert.fingerprint.replace(/:/g, "")).toBe(sha1);
  expect(cert.subject).toContain("CN=contoso-mail-reader");
  const x5t = Buffer.from(sha1, "hex").toString("base64url");
  await expect(details).toContainText(x5t);
  await expect(details).toContainText(Buffer.from(cert.fingerprint256.replace(/:/g, ""), "hex").toString("base64url"));

  // a Method 2 profile that uses it
  const profileName = unique("Cert profile");
  await page.goto("/profiles/new");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(profileName);
  await page.getByLabel("Username (mailbox)").fill("reader@contoso.com");
  await page.getByLabel("Tenant ID").fill(TENANT_ID);
  await page.getByLabel("Client authentication method").selectOption("client_certificate");
  await (await rowValue(page, "requestProperties", "client_id")).fill(CLIENT_ID);
  const option = page.getByRole("combobox", { name: "Certificate", exact: true }).locator("option", { hasText: certName });
  await page.getByRole("combobox", { name: "Certificate", exact: true }).selectOption((await option.getAttribute("value"))!);
  await expect(page.getByTestId("selected-certificate")).toContainText(sha1);
  await page.getByRole("button", { name: "Create profile" }).click();
  await expect(page.getByText("Profile saved.")).toBeVisible();
  await expect(page.getByTestId("selected-certificate")).toContainText(sha1);

  // the certificate lists the profile that uses it
  await page.getByTestId("selected-certificate").getByRole("link", { name: "Details" }).click();
  await expect(page.getByRole("region", { name: "Used by" })).toContainText(profileName);
});

test("an unreadable certificate is refused on the certificate field, and nothing is stored", async ({ page }) => {
  const a = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  await page.goto("/certificates/new?mode=pem");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(unique("Broken import"));
  await page.getByLabel("Certificate (PEM)").fill("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----");
  await page.getByLabel("Private key (PEM)").fill(a.privateKey.export({ type: "pkcs8", format: "pem" }).toString());
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.locator("#pem-cert-error")).toBeVisible();
  await expect(page).toHaveURL(/mode=pem/);
});

// Captures the README screenshots from a running console with an empty data folder:
//   MCF_DATA_DIR=.tmp/shots npm run start -- (or scripts/start.sh with PORT=3999)
//   node scripts/screenshots.mjs http://127.0.0.1:3999
// It fills the forms through the UI like an admin would, then saves PNGs to public/screenshots/.
import { chromium } from "@playwright/test";

const base = process.argv[2] ?? "http://127.0.0.1:3000";
const out = (name) => `public/screenshots/${name}.png`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });

async function valueOf(key) {
  const keys = page.locator('input[id^="authentication-requestProperties-"][id$="-key"]');
  for (let i = 0; i < (await keys.count()); i++) {
    if ((await keys.nth(i).inputValue()) === key) return page.locator(`#${(await keys.nth(i).getAttribute("id")).replace(/-key$/, "-value")}`);
  }
  throw new Error(key);
}

async function profile(name, mailbox, { method = "client_secret", protocol = "imap" } = {}) {
  await page.goto(`${base}/profiles/new`);
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(name);
  await page.getByLabel("Protocol").selectOption(protocol);
  await page.getByLabel("Username (mailbox)").fill(mailbox);
  await page.getByLabel("Tenant ID").fill("9188040d-6c67-4c5b-b112-36a304b66dad");
  await page.getByLabel("Client authentication method").selectOption(method);
  await (await valueOf("client_id")).fill("6731de76-14a6-49ae-97bc-6eba6914391e");
  if (method === "client_secret") await (await valueOf("client_secret")).fill("Xy78Q~example-secret-value");
  else await page.getByRole("combobox", { name: "Certificate", exact: true }).selectOption({ index: 1 });
  await page.getByRole("button", { name: "Create profile" }).click();
  await page.getByText("Profile saved.").waitFor();
}

await page.goto(`${base}/certificates/new`);
await page.getByRole("textbox", { name: "Name", exact: true }).fill("Contoso mail reader 2026");
await page.getByRole("textbox", { name: "Subject common name (CN)" }).fill("contoso-mail-reader");
await page.getByRole("button", { name: "Generate" }).click();
await page.getByText("Certificate saved.").waitFor();
await page.screenshot({ path: out("certificate") });

await profile("Support inbox", "support@contoso.com");
await profile("Invoices (POP3)", "invoices@contoso.com", { protocol: "pop3" });
await profile("HR shared mailbox", "hr@contoso.com", { method: "client_certificate" });
await page.goto(`${base}/profiles`);
await page.screenshot({ path: out("profiles") });
await page.getByRole("link", { name: "Support inbox" }).click();
await page.getByRole("button", { name: "Paste lines…" }).first().click();
await page.getByLabel("Properties, one per line").fill("mail.imap.ssl.enable=true\nmail.imap.auth.mechanisms=XOAUTH2\nmail.imap.connectiontimeout=15000\nmail.imap.ssl.trust=*");
await page.getByRole("button", { name: /Add 4 properties/ }).click();
await page.screenshot({ path: out("profile-form"), fullPage: true });
await browser.close();
console.log("screenshots written to public/screenshots/");

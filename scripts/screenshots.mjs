// Captures the README screenshots from a running console with an empty data folder:
//   MCF_DATA_DIR=.tmp/shots PORT=3999 bash scripts/start.sh
//   node --import tsx -e 'const m = await import("./e2e/global-setup.ts"); await (m.default.default ?? m.default)(); setInterval(() => {}, 1e9)' &
//   node scripts/screenshots.mjs http://127.0.0.1:3999
// The second line starts the local Dovecot and token-endpoint stand-in of the e2e tests (their
// addresses go to .tmp/e2e-servers.json) so that the Test screenshot shows a real run.
// It fills the forms through the UI like an admin would, then saves PNGs to public/screenshots/.
import fs from "node:fs";
import { chromium } from "@playwright/test";

const base = process.argv[2] ?? "http://127.0.0.1:3000";
const out = (name) => `public/screenshots/${name}.png`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });

async function valueOf(key) {
  const keys = page.locator('input[id^="authentication-requestProperties-"][id$="-key"]');
  for (let i = 0; i < (await keys.count()); i++) {
    if ((await keys.nth(i).inputValue()) === key)
      return page.locator(`#${(await keys.nth(i).getAttribute("id")).replace(/-key$/, "-value")}`);
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

await page.goto(`${base}/setup`);
await page.getByLabel("Your name").fill("Olivia Owner");
await page.getByLabel("Email").fill("olivia@contoso.com");
await page.getByLabel("Password", { exact: true }).fill("screenshot-owner-password");
await page.getByLabel("Repeat the password").fill("screenshot-owner-password");
await page.getByRole("button", { name: "Create owner and sign in" }).click();
await page.waitForURL(/\/profiles$/);

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
await page
  .getByLabel("Properties, one per line")
  .fill("mail.imap.ssl.enable=true\nmail.imap.auth.mechanisms=XOAUTH2\nmail.imap.connectiontimeout=15000\nmail.imap.ssl.trust=*");
await page.getByRole("button", { name: /Add 4 properties/ }).click();
await page.screenshot({ path: out("profile-form"), fullPage: true });

const servers = JSON.parse(fs.readFileSync(".tmp/e2e-servers.json", "utf8"));
await page.goto(`${base}/profiles/new`);
await page.getByRole("textbox", { name: "Name", exact: true }).fill("Alice mailbox (test lab)");
await page.getByLabel("Mail server URL").fill(`127.0.0.1:${servers.ports.imapTls}`);
await page.getByText("Trusted CA certificates (private servers)").click();
await page.getByLabel("Extra trusted CA certificates (PEM)").fill(servers.caPem);
await page.getByLabel("Username (mailbox)").fill(servers.mailbox);
await page.getByLabel("Token URL").fill(servers.tokenUrl);
await page.getByLabel("Tenant ID").fill(servers.tenantId);
await (await valueOf("client_id")).fill(servers.clientId);
await (await valueOf("client_secret")).fill(servers.clientSecret);
await page.getByRole("button", { name: "Create profile" }).click();
await page.getByText("Profile saved.").waitFor();
await page.getByRole("button", { name: "Test connection" }).click();
await page.getByTestId("test-summary").waitFor();
// the sticky save bar would float over the panel in an element screenshot
await page.addStyleTag({ content: ".sticky { position: static !important; }" });
await page.getByTestId("test-panel").screenshot({ path: out("test-result") });

await page.goto(`${base}/profiles`);
await page.getByRole("link", { name: "Support inbox" }).click();
await page.getByRole("textbox", { name: "Port", exact: true }).fill("995");
await page.getByRole("button", { name: "Save changes" }).click();
await page.getByText("Profile saved.").waitFor();
await page.getByRole("link", { name: "History" }).click();
await page.screenshot({ path: out("history"), fullPage: true });
await page.goto(`${base}/audit`);
await page.screenshot({ path: out("audit") });
await browser.close();
console.log("screenshots written to public/screenshots/");
